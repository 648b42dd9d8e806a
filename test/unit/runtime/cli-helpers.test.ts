import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal, signalName } from '../../../src/runtime/lifecycle/signals.js';
import { parseBytes, parseDuration } from '../../../src/runtime/cli/units.js';
import { mergeEnv, execProcessFromConfig } from '../../../src/runtime/lifecycle/exec.js';
import { mergeResources } from '../../../src/runtime/lifecycle/resources.js';
import { resourcesFromFlags } from '../../../src/runtime/cli/lifecycle-commands.js';
import { table } from '../../../src/runtime/cli/info-commands.js';

test('signals: numbers, NAME, SIGNAME, any case', () => {
  for (const s of ['9', 'KILL', 'SIGKILL', 'sigkill', 'kill']) assert.deepEqual(parseSignal(s), { name: 'SIGKILL', number: 9 });
  assert.equal(parseSignal('TERM').number, 15);
  assert.throws(() => parseSignal('FOO'), /unknown signal "FOO"/);
  assert.throws(() => parseSignal('99'), /unknown signal 99/);
  assert.equal(signalName(2), 'SIGINT');
});

test('byte sizes and durations', () => {
  assert.equal(parseBytes('1024', 'memory'), 1024);
  assert.equal(parseBytes('64m', 'memory'), 64 * 1024 * 1024);
  assert.equal(parseBytes('1G', 'memory'), 1024 ** 3);
  assert.equal(parseBytes('-1', 'memory'), -1);
  assert.throws(() => parseBytes('lots', 'memory'), /--memory: invalid size "lots"/);
  assert.equal(parseDuration('5s', 'interval'), 5000);
  assert.equal(parseDuration('250ms', 'interval'), 250);
});

test('exec process: env merged over the container env, overrides applied', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
  const p = execProcessFromConfig({ cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'], terminal: true, consoleSize: { height: 1, width: 1 } },
    ['ps'], { cwd: '/tmp', env: ['X=1'], user: { uid: 5, gid: 6 } });
  assert.deepEqual(p.args, ['ps']);
  assert.equal(p.cwd, '/tmp');
  assert.deepEqual(p.env, ['PATH=/bin', 'X=1']);
  assert.deepEqual(p.user, { uid: 5, gid: 6 });
  assert.equal(p.terminal, false);
  assert.equal(p.consoleSize, undefined);
});

test('update flags become a LinuxResources patch; patches merge per section', () => {
  assert.deepEqual(resourcesFromFlags({ memory: '128m', 'cpu-quota': '20000', 'pids-limit': '50' }), {
    memory: { limit: 128 * 1024 * 1024 }, cpu: { quota: 20000 }, pids: { limit: 50 },
  });
  assert.throws(() => resourcesFromFlags({}), /nothing to change/);
  assert.deepEqual(mergeResources({ memory: { limit: 1, swap: 2 }, pids: { limit: 3 } }, { memory: { limit: 5 } }),
    { memory: { limit: 5, swap: 2 }, pids: { limit: 3 } });
});

test('tables align like runc list', () => {
  assert.equal(table([['ID', 'PID'], ['abc', '1']]), 'ID    PID\nabc   1\n');
});
