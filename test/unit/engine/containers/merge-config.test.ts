import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOf, mergeEnvLists, mergeImageConfig } from '../../../../src/engine/containers/merge-config.js';

const image = {
  Entrypoint: ['/entry'], Cmd: ['serve', '--port', '80'], Env: ['PATH=/usr/bin:/bin', 'A=1'], WorkingDir: '/app', User: 'app',
  ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} }, Labels: { a: 'image', b: 'image' }, StopSignal: 'SIGQUIT',
  Healthcheck: { Test: ['CMD', 'true'], Interval: 5e9 },
};

test('the image fills what the user left unset; user values win', () => {
  const c = mergeImageConfig({ Env: ['A=2', 'B=3'], Labels: { b: 'user' }, ExposedPorts: { '443/tcp': {} } }, image);
  assert.deepEqual(c.Entrypoint, ['/entry']);
  assert.deepEqual(c.Cmd, ['serve', '--port', '80']);
  assert.deepEqual(c.Env, ['PATH=/usr/bin:/bin', 'A=2', 'B=3']);
  assert.equal(c.WorkingDir, '/app');
  assert.equal(c.User, 'app');
  assert.deepEqual(c.Labels, { a: 'image', b: 'user' });
  assert.deepEqual(Object.keys(c.ExposedPorts!).sort(), ['443/tcp', '80/tcp']);
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.Healthcheck?.Test, ['CMD', 'true']);
});

test('a user Cmd replaces the image Cmd but keeps its Entrypoint', () => {
  const c = mergeImageConfig({ Cmd: ['debug'] }, image);
  assert.deepEqual([...(c.Entrypoint as string[]), ...(c.Cmd as string[])], ['/entry', 'debug']);
});

test('a user Entrypoint drops the image Cmd (Docker: entrypoint resets cmd)', () => {
  const c = mergeImageConfig({ Entrypoint: ['/bin/sh'] }, image);
  assert.deepEqual(c.Entrypoint, ['/bin/sh']);
  assert.equal(c.Cmd, null);
});

test('--entrypoint "" clears the image entrypoint and keeps the user Cmd', () => {
  const c = mergeImageConfig({ Entrypoint: [''], Cmd: ['ls'] }, image);
  assert.equal(c.Entrypoint, null);
  assert.deepEqual(c.Cmd, ['ls']);
  assert.deepEqual(commandOf(c), { path: 'ls', args: [] });
});

test('string Cmd/Entrypoint (strslice) and the missing-command error', () => {
  assert.deepEqual(commandOf(mergeImageConfig({ Cmd: 'echo' }, {})), { path: 'echo', args: [] });
  assert.throws(() => commandOf(mergeImageConfig({}, {})), /No command specified/);
});

test('env lists: later keys replace earlier ones in place', () => {
  assert.deepEqual(mergeEnvLists(['A=1', 'B=2'], ['B=3', 'C=4', 'A=5']), ['A=5', 'B=3', 'C=4']);
});
