// Bad input gets a clear error naming the field or path, a non-zero exit, and leaves nothing behind.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from './harness.js';

const h = new Harness();
after(() => h.cleanup());
afterEach(() => h.assertClean());

function fails(args: string[], pattern: RegExp): void {
  const r = h.cli(args);
  assert.notEqual(r.status, 0, `expected failure of ${args.join(' ')}`);
  assert.match(r.stderr, pattern);
}

test('malformed config.json names the file', () => {
  const bundle = h.bundle(['true']);
  fs.writeFileSync(path.join(bundle, 'config.json'), '{"ociVersion": "1.2.0", "process": ');
  fails(['run', '-b', bundle, 'bad1'], /config\.json/);
});

test('a missing rootfs names the path', () => {
  const bundle = h.bundle(['true']);
  fs.rmSync(path.join(bundle, 'rootfs'), { recursive: true });
  fails(['run', '-b', bundle, 'bad2'], /rootfs/);
});

test('an unknown namespace names the field', () => {
  const bundle = h.bundle(['true'], (s) => s.linux!.namespaces!.push({ type: 'bogus' }));
  fails(['run', '-b', bundle, 'bad3'], /linux\.namespaces\[\d+\]\.type.*bogus/);
});

test('invalid cgroup values are refused, by validation or by the kernel', () => {
  const b1 = h.bundle(['true'], (s) => (s.linux!.resources = { cpu: { shares: 1 } }));
  fails(['run', '-b', b1, 'bad4'], /linux\.resources\.cpu\.shares/);
  const b2 = h.bundle(['true'], (s) => (s.linux!.resources = { cpu: { cpus: '63' } }));
  fails(['run', '-b', b2, 'bad5'], /cpuset\.cpus/);
});

test('a duplicate id is refused and the first container is untouched', () => {
  const bundle = h.bundle(['sleep', '30']);
  h.ok(['create', '-b', bundle, 'dup']);
  fails(['create', '-b', bundle, 'dup'], /"dup" already exists/);
  assert.equal(h.state('dup').status, 'created');
  h.ok(['delete', 'dup']);
});

test('delete of a running container without --force is refused', () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '30']), 'run1']);
  fails(['delete', 'run1'], /--force/);
  h.ok(['delete', '--force', 'run1']);
});

test('a missing executable is reported at create', () => {
  fails(['create', '-b', h.bundle(['/no/such/program']), 'bad6'], /no\/such\/program/);
  fails(['run', '-b', h.bundle(['nosuchcmd']), 'bad7'], /nosuchcmd.*not found/);
});

test('a mount that cannot be made names the mount and leaves nothing', () => {
  const bundle = h.bundle(['true'], (s) => s.mounts!.push({ destination: '/x', type: 'nosuchfs', source: 'none' }));
  fails(['run', '-b', bundle, 'bad8'], /mount.*\/x/);
});

test('unknown commands and flags are usage errors', () => {
  fails(['frobnicate'], /unknown command/);
  fails(['create', '--bogus', 'x'], /flag provided but not defined/);
  fails(['state', 'no-such-container'], /does not exist/);
});

test('an rlimit above the hard limit is refused naming the limit and the fix', () => {
  const bundle = h.bundle(['true'], (s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 30, hard: 2 ** 30 }]));
  fails(['run', '-b', bundle, 'bad9'], /setrlimit RLIMIT_NOFILE soft=1073741824 hard=1073741824: EPERM.*lower it in process\.rlimits/);
});
