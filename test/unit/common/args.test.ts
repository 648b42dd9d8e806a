import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpec } from '../../../src/common/args.js';

const specs: FlagSpec[] = [
  { name: 'root', kind: 'string' },
  { name: 'debug', kind: 'bool' },
  { name: 'env', short: 'e', kind: 'list' },
  { name: 'bundle', short: 'b', kind: 'string' },
];

test('both --flag value and --flag=value forms', () => {
  const a = parseArgs(['--root', '/r', '--bundle=/b', 'id'], specs);
  assert.deepEqual(a.flags, { root: '/r', bundle: '/b' });
  assert.deepEqual(a.positionals, ['id']);
});

test('booleans take =true/=false; lists repeat; short names', () => {
  const a = parseArgs(['--debug=false', '-e', 'A=1', '--env=B=2', '-b', 'x'], specs);
  assert.deepEqual(a.flags, { debug: false, env: ['A=1', 'B=2'], bundle: 'x' });
  assert.equal(parseArgs(['--debug'], specs).flags.debug, true);
  assert.throws(() => parseArgs(['--debug=maybe'], specs), /invalid boolean/);
});

test('stopAtPositional leaves the rest (global flags before the subcommand, exec argv)', () => {
  const a = parseArgs(['--root', '/r', 'exec', '--tty', 'id'], specs, true);
  assert.deepEqual(a.rest, ['exec', '--tty', 'id']);
  const b = parseArgs(['-e', 'X=1', 'c1', 'sh', '-c', 'echo'], specs, true);
  assert.deepEqual(b.rest, ['c1', 'sh', '-c', 'echo']);
});

test('unknown flags and missing values are usage errors', () => {
  assert.throws(() => parseArgs(['--nope'], specs), UsageError);
  assert.throws(() => parseArgs(['--root'], specs), /needs an argument: --root/);
});

test('-- ends options', () => {
  assert.deepEqual(parseArgs(['--', '--root'], specs).positionals, ['--root']);
});
