// The resident launcher (RuntimeOptions.launcher, as the engine runs the runtime): launches, errors, signals
// and cleanup through it are the same as with a direct spawn, and an idle launcher holds nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Harness } from './harness.js';
import { newContext, createContainer, startContainer, deleteContainer, runContainer, containerState } from '../../../src/runtime/index.js';

const h = new Harness();
const ctx = newContext({ root: h.root, cgroupParent: h.cgroupParent, launcher: true });
after(() => {
  ctx.launcher?.close();
  h.cleanup();
});

test('a container launched through the launcher runs in its own namespaces and reports its exit code', async () => {
  // pid 1 in its own pid namespace and the spec's hostname, or a different exit code says which check failed.
  const bundle = h.bundle(['sh', '-c', '[ $$ = 1 ] || exit 10; [ "$(hostname)" = berth ] || exit 11; exit 3'], (s) => (s.hostname = 'berth'));
  const r = await runContainer(ctx, 'l1', { bundle, stdio: ['ignore', 'ignore', 'ignore'] });
  assert.equal(r.exitCode, 3);
  assert.ok(ctx.launcher?.alive, 'the launch went through the resident launcher');
  h.assertClean();
});

test('create, start and a signal through the launcher: the helper forwards it, and the container sees default signal dispositions', async () => {
  // An init only gets the signals it handles; SIGPIPE must be at its default (the launcher ignores it for itself).
  const bundle = h.bundle(['sh', '-c', 'grep -q "^SigIgn:.*0000000000000000$" /proc/self/status || exit 9; trap "exit 7" TERM; touch /trapped; while :; do sleep 1; done']);
  const c = await createContainer(ctx, 'l2', { bundle, stdio: ['ignore', 'ignore', 'ignore'], wait: true, foreground: true });
  assert.equal(containerState(ctx, 'l2').status, 'created');
  await startContainer(ctx, 'l2');
  assert.equal(containerState(ctx, 'l2').status, 'running');
  // Signalled once the trap is set: before that, a namespace's init ignores SIGTERM.
  const trapped = path.join(bundle, 'rootfs', 'trapped');
  for (let i = 0; i < 500 && !fs.existsSync(trapped); i++) await new Promise((r) => setTimeout(r, 10));
  c.helper.signal('SIGTERM');
  const exit = await c.helper.exited;
  assert.equal(exit.code, 7, 'the forwarded SIGTERM ran the trap (9: a signal was ignored)');
  await deleteContainer(ctx, 'l2');
  h.assertClean();
});

test('launch errors through the launcher name the cause and leave nothing', async () => {
  await assert.rejects(
    runContainer(ctx, 'l3', { bundle: h.bundle(['nosuchcmd']), stdio: ['ignore', 'ignore', 'ignore'] }),
    /nosuchcmd.*not found/,
  );
  // A cgroup value the kernel refuses: the helper was already started (cgroup-wait) and is aborted.
  await assert.rejects(
    runContainer(ctx, 'l4', { bundle: h.bundle(['true'], (s) => (s.linux!.resources = { cpu: { cpus: '63' } })), stdio: ['ignore', 'ignore', 'ignore'] }),
    /cpuset\.cpus/,
  );
  const missing = newContext({ root: h.root, cgroupParent: h.cgroupParent, launcher: true, helperPath: '/no/such/berth-helper' });
  await assert.rejects(
    runContainer(missing, 'l5', { bundle: h.bundle(['true']), stdio: ['ignore', 'ignore', 'ignore'] }),
    /berth-helper/,
  );
  missing.launcher?.close();
  h.assertClean();
});

test('a launcher that died is replaced at the next launch', async () => {
  await runContainer(ctx, 'l6', { bundle: h.bundle(['true']), stdio: ['ignore', 'ignore', 'ignore'] });
  const first = ctx.launcher!;
  // Only this process's launcher (its socket name carries our pid), not one a daemon on the host runs.
  const pids = spawnSync('pgrep', ['-f', `^\\S*berth-helper launcher berth-launch-${process.pid}-`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  assert.ok(pids.length > 0, 'a launcher process runs');
  for (const p of pids) process.kill(Number(p), 'SIGKILL');
  for (let i = 0; i < 200 && first.alive; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(first.alive, false, 'its death was noticed');
  const r = await runContainer(ctx, 'l7', { bundle: h.bundle(['true']), stdio: ['ignore', 'ignore', 'ignore'] });
  assert.equal(r.exitCode, 0);
  assert.notEqual(ctx.launcher, first);
  h.assertClean();
});

test('an idle launcher does not keep its Node process alive', () => {
  const runtime = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/runtime/index.js');
  const script = `
    const rt = await import(${JSON.stringify(runtime)});
    const ctx = rt.newContext({ root: ${JSON.stringify(h.root)}, cgroupParent: ${JSON.stringify(h.cgroupParent)}, launcher: true });
    const r = await rt.runContainer(ctx, 'l8', { bundle: ${JSON.stringify(h.bundle(['true']))}, stdio: ['ignore', 'ignore', 'ignore'] });
    console.log('exit', r.exitCode);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, `the script did not end by itself: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exit 0/);
  h.assertClean();
});
