import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPABILITIES, capMask, capName, capNumber, capsBeyond, fullMask } from '../../../src/runtime/plan/capabilities.js';
import { RLIMITS, rlimitNumber, rlimitValue } from '../../../src/runtime/plan/rlimits.js';
import { SpecError } from '../../../src/runtime/spec/errors.js';

test('capability numbers follow linux/capability.h', () => {
  assert.equal(CAPABILITIES.length, 41);
  assert.equal(capNumber('CAP_CHOWN'), 0);
  assert.equal(capNumber('CAP_KILL'), 5);
  assert.equal(capNumber('CAP_NET_BIND_SERVICE'), 10);
  assert.equal(capNumber('CAP_SYS_ADMIN'), 21);
  assert.equal(capNumber('CAP_AUDIT_WRITE'), 29);
  assert.equal(capNumber('CAP_AUDIT_READ'), 37);
  assert.equal(capNumber('CAP_CHECKPOINT_RESTORE'), 40);
  assert.equal(capName(40), 'CAP_CHECKPOINT_RESTORE');
  assert.equal(capNumber('toString'), undefined);
});

test('capMask builds the bitmask', () => {
  assert.equal(capMask([], 'x'), 0n);
  assert.equal(capMask(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'], 'x'), 0x20000420n);
  assert.equal(capMask(['CAP_CHECKPOINT_RESTORE', 'CAP_CHOWN'], 'x'), (1n << 40n) | 1n);
  assert.equal(capMask([...CAPABILITIES], 'x'), fullMask());
  assert.equal(fullMask(), 0x1ffffffffffn);
});

test('capMask refuses an unknown name, naming the field and the name', () => {
  assert.throws(() => capMask(['CAP_KILL', 'CAP_FLY'], 'process.capabilities.bounding'), (err: unknown) => {
    assert.ok(err instanceof SpecError);
    assert.equal(err.field, 'process.capabilities.bounding[1]');
    assert.match(err.message, /unknown capability "CAP_FLY"/);
    return true;
  });
  assert.throws(() => capMask(['KILL'], 'f'), SpecError);
});

test('capsBeyond lists what an older kernel lacks', () => {
  assert.deepEqual(capsBeyond(['CAP_KILL', 'CAP_BPF', 'CAP_PERFMON', 'CAP_CHECKPOINT_RESTORE'], 37),
    ['CAP_BPF', 'CAP_PERFMON', 'CAP_CHECKPOINT_RESTORE']);
  assert.deepEqual(capsBeyond(['CAP_KILL'], 40), []);
});

test('rlimit numbers and values', () => {
  assert.equal(Object.keys(RLIMITS).length, 16);
  assert.equal(rlimitNumber('RLIMIT_CPU'), 0);
  assert.equal(rlimitNumber('RLIMIT_NOFILE'), 7);
  assert.equal(rlimitNumber('RLIMIT_RTTIME'), 15);
  assert.equal(rlimitNumber('RLIMIT_FOO'), undefined);
  assert.equal(rlimitNumber('constructor'), undefined);
  assert.equal(rlimitValue(1024), 1024n);
  assert.equal(rlimitValue(-1), -1n);
  assert.equal(rlimitValue(18446744073709551615), -1n);
});
