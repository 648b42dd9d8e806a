// Runtime-namespace hooks through the CLI: prestart/createRuntime during create, poststart after start,
// poststop after delete; failures fail create (and clean up), kill on poststart, only warn on poststop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from './harness.js';
import type { Hook, Hooks } from '../../../src/runtime/spec/types.js';

const h = new Harness();
after(() => h.cleanup());

// Appends "<kind> <status> <pid> <alive>" (from the state JSON on stdin) to the log given as $2.
const LOGGER = path.join(h.tmp, 'log-hook.sh');
fs.writeFileSync(LOGGER, `#!/bin/sh
s=$(cat)
status=$(printf '%s' "$s" | sed -n 's/.*"status":"\\([a-z]*\\)".*/\\1/p')
pid=$(printf '%s' "$s" | sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p')
alive=no; [ -d "/proc/$pid/ns" ] && [ "$pid" != 0 ] && alive=yes
echo "$1 $status $pid $alive" >> "$2"
`, { mode: 0o755 });

const logHook = (kind: string, log: string): Hook => ({ path: LOGGER, args: ['log-hook', kind, log], env: ['PATH=/usr/bin:/bin'] });
const shHook = (script: string, timeout?: number): Hook => ({
  path: '/bin/sh', args: ['sh', '-c', script], env: ['PATH=/usr/bin:/bin'], ...(timeout ? { timeout } : {}),
});
const lines = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);
/** The process has exited: gone from /proc, or a zombie its new parent has not reaped yet. */
function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
const withHooks = (args: string[], hooks: Hooks) => h.bundle(args, (s) => {
  s.hooks = hooks;
});

test('hooks run in order with the state of each step: prestart, createRuntime, poststart, poststop', async () => {
  const log = path.join(h.tmp, 'order.log');
  const bundle = withHooks(['sleep', '60'], {
    prestart: [logHook('prestart', log)],
    createRuntime: [logHook('createRuntime', log)],
    poststart: [logHook('poststart', log)],
    poststop: [logHook('poststop', log), shHook(`[ -f ${h.root}/h1/state.json ] && s=yes || s=no
      c=no; for d in /sys/fs/cgroup/${h.cgroupParent}/h1 /sys/fs/cgroup/*/${h.cgroupParent}/h1; do [ -d "$d" ] && c=yes; done
      echo "state=$s cgroup=$c" >> ${log}`)],
    createContainer: [{ path: '/bin/true' }],
  });
  const created = h.cli(['create', '-b', bundle, 'h1']);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stderr, /hooks\.createContainer \(1 hook\) not supported yet/, 'in-container hooks are not silently ignored');
  const pid = h.state('h1').pid;
  assert.ok(pid > 0);
  // The init already exists (its namespaces can be configured) while the state still says creating.
  assert.deepEqual(lines(log), [`prestart creating ${pid} yes`, `createRuntime creating ${pid} yes`]);

  h.ok(['start', 'h1']);
  assert.deepEqual(lines(log).slice(2), [`poststart running ${pid} yes`], 'poststart has run when start returns');

  h.ok(['kill', 'h1', 'KILL']);
  await h.waitStatus('h1', 'stopped');
  assert.equal(lines(log).length, 3);
  h.ok(['delete', 'h1']);
  // poststop runs once the cgroup is gone but while the state is still there.
  assert.deepEqual(lines(log).slice(3), ['poststop stopped 0 no', 'state=yes cgroup=no']);
  h.assertClean();
});

test('a failing createRuntime hook fails create, names the hook, and leaves nothing behind', () => {
  const log = path.join(h.tmp, 'fail-create.log');
  const bundle = withHooks(['sleep', '60'], {
    createRuntime: [logHook('createRuntime', log), shHook('echo "no network for you" >&2; exit 7')],
    poststart: [logHook('poststart', log)],
  });
  const r = h.cli(['create', '-b', bundle, 'h2']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /create container "h2": createRuntime hook #1 \(\/bin\/sh\) exited with status 7; stderr: no network for you/);
  assert.equal(lines(log).length, 1, 'only the first hook ran');
  const pid = Number(lines(log)[0]!.split(' ')[2]);
  assert.ok(gone(pid), 'the container process was killed');
  assert.notEqual(h.cli(['state', 'h2']).status, 0);
  h.assertClean();
});

test('a hook exceeding its timeout is killed and fails create', () => {
  const bundle = withHooks(['sleep', '60'], { prestart: [shHook('sleep 30', 1)] });
  const t0 = Date.now();
  const r = h.cli(['create', '-b', bundle, 'h3']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /prestart hook #0 \(\/bin\/sh\) timed out after 1s/);
  assert.ok(Date.now() - t0 < 10_000, `create took ${Date.now() - t0} ms`);
  h.assertClean();
});

test('a failing poststart hook kills the container and fails start', async () => {
  const bundle = withHooks(['sleep', '60'], { poststart: [shHook('echo bad >&2; exit 1')] });
  h.ok(['create', '-b', bundle, 'h4']);
  const pid = h.state('h4').pid;
  const r = h.cli(['start', 'h4']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /start container "h4": poststart hook #0 \(\/bin\/sh\) exited with status 1; stderr: bad \(the container was killed\)/);
  await h.waitStatus('h4', 'stopped', 3000);
  assert.ok(gone(pid), 'sleep 60 was killed');
  h.ok(['delete', 'h4']);
  h.assertClean();
});

test('a failing poststop hook only warns: delete succeeds and later hooks still run', () => {
  const log = path.join(h.tmp, 'poststop.log');
  const bundle = withHooks(['sleep', '60'], { poststop: [shHook('echo cleanup failed >&2; exit 4'), logHook('poststop', log)] });
  h.ok(['run', '-d', '-b', bundle, 'h5']);
  const r = h.cli(['delete', '--force', 'h5']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: delete container "h5": poststop hook #0 \(\/bin\/sh\) exited with status 4; stderr: cleanup failed/);
  assert.deepEqual(lines(log), ['poststop stopped 0 no']);
  assert.notEqual(h.cli(['state', 'h5']).status, 0);
  h.assertClean();
});

test('malformed hooks are refused before anything is created', () => {
  const r = h.cli(['create', '-b', withHooks(['true'], { prestart: [{ path: 'relative.sh' }] }), 'h6']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /hooks\.prestart\[0\]\.path must be an absolute path/);
  h.assertClean();
});
