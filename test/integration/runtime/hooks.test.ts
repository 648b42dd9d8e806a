// Hooks through the CLI: prestart/createRuntime (runtime namespace) and createContainer (container namespaces,
// before pivot_root) during create, startContainer (inside the container's root) and poststart during start,
// poststop after delete; failures fail create (and clean up), stop the container on startContainer, kill on
// poststart, only warn on poststop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness } from './harness.js';
import type { Hook, Hooks, Spec } from '../../../src/runtime/spec/types.js';

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

/** A script inside the bundle's rootfs (busybox sh): startContainer paths resolve in the container. */
function rootfsScript(bundle: string, name: string, body: string): string {
  fs.writeFileSync(path.join(bundle, 'rootfs', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return `/${name}`;
}
/** Binds a host dir at /hooklog in the container, so in-container hooks can report to the test. */
const bindLog = (dir: string) => (s: Spec) => {
  s.mounts = [...(s.mounts ?? []), { destination: '/hooklog', type: 'bind', source: dir, options: ['rbind', 'rw'] }];
};
const nsOf = (pid: number | 'self', ns: string) => fs.readlinkSync(`/proc/${pid}/ns/${ns}`);

test('hooks run in order with the state of each step: prestart, createRuntime, createContainer, startContainer, poststart, poststop', async () => {
  const logDir = fs.mkdtempSync(path.join(h.tmp, 'order-'));
  fs.chmodSync(logDir, 0o777);
  const log = path.join(logDir, 'order.log');
  const nsFile = path.join(logDir, 'create-ns');
  const bundle = h.bundle(['sleep', '60'], (s) => {
    bindLog(logDir)(s);
    // The root is read-only: a writable /tmp of the container's own, where only an in-container hook writes.
    s.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
    s.hooks = {
      prestart: [logHook('prestart', log)],
      createRuntime: [logHook('createRuntime', log)],
      // Host paths (the log, /bin/sh) are still reachable: the hook runs before pivot_root.
      createContainer: [logHook('createContainer', log), shHook(`readlink /proc/self/ns/mnt > ${nsFile}; readlink /proc/self/ns/pid >> ${nsFile}`)],
      startContainer: [{ path: '/start-hook.sh', args: ['start-hook', 'arg1'], env: ['PATH=/bin', 'WHO=hook'] }],
      poststart: [logHook('poststart', log)],
      poststop: [logHook('poststop', log), shHook(`[ -f ${h.root}/h1/state.json ] && s=yes || s=no
        c=no; for d in /sys/fs/cgroup/${h.cgroupParent}/h1 /sys/fs/cgroup/*/${h.cgroupParent}/h1; do [ -d "$d" ] && c=yes; done
        echo "state=$s cgroup=$c" >> ${log}`)],
    };
  });
  // Inside the container: busybox's sh and sed; /tmp is the container's.
  rootfsScript(bundle, 'start-hook.sh', `s=$(cat)
status=$(printf '%s' "$s" | sed -n 's/.*"status":"\\([a-z]*\\)".*/\\1/p')
id=$(printf '%s' "$s" | sed -n 's/.*"id":"\\([a-z0-9]*\\)".*/\\1/p')
echo "startContainer $status $id $1 $WHO" >> /hooklog/order.log
echo ran > /tmp/start-hook`);
  const created = h.cli(['create', '-b', bundle, 'h1']);
  assert.equal(created.status, 0, created.stderr);
  assert.doesNotMatch(created.stderr, /not supported/);
  const pid = h.state('h1').pid;
  assert.ok(pid > 0);
  // The init already exists (its namespaces can be configured) while the state still says creating;
  // createContainer sees a created container.
  assert.deepEqual(lines(log), [`prestart creating ${pid} yes`, `createRuntime creating ${pid} yes`, `createContainer created ${pid} yes`]);
  const [mnt, pidns] = fs.readFileSync(nsFile, 'utf8').trim().split('\n');
  assert.equal(mnt, nsOf(pid, 'mnt'), 'createContainer runs in the container\'s mount namespace');
  assert.notEqual(mnt, nsOf('self', 'mnt'));
  assert.equal(pidns, nsOf(pid, 'pid'), 'and in its pid namespace');
  assert.ok(!fs.existsSync(`/proc/${pid}/root/tmp/start-hook`), 'startContainer waits for start');

  h.ok(['start', 'h1']);
  assert.deepEqual(lines(log).slice(3), ['startContainer created h1 arg1 hook', `poststart running ${pid} yes`], 'poststart has run when start returns');
  assert.equal(fs.readFileSync(`/proc/${pid}/root/tmp/start-hook`, 'utf8'), 'ran\n', 'startContainer ran inside the container root');
  assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /^sleep\0/);

  h.ok(['kill', 'h1', 'KILL']);
  await h.waitStatus('h1', 'stopped');
  assert.equal(lines(log).length, 5);
  h.ok(['delete', 'h1']);
  // poststop runs once the cgroup is gone but while the state is still there.
  assert.deepEqual(lines(log).slice(5), ['poststop stopped 0 no', 'state=yes cgroup=no']);
  h.assertClean();
});

test('a failing createContainer hook fails create, names the hook with its stderr, and leaves nothing behind', () => {
  const log = path.join(h.tmp, 'fail-cc.log');
  const bundle = withHooks(['sleep', '60'], {
    createContainer: [logHook('createContainer', log), shHook('echo "no mounts for you" >&2; exit 3')],
    startContainer: [{ path: '/bin/true' }],
  });
  const r = h.cli(['create', '-b', bundle, 'hc1']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /create container "hc1": createContainer hook #1 \(\/bin\/sh\) exited with status 3; stderr: no mounts for you/);
  assert.equal(lines(log).length, 1, 'the first hook ran');
  const pid = Number(lines(log)[0]!.split(' ')[2]);
  assert.ok(gone(pid), 'the container process is gone');
  assert.notEqual(h.cli(['state', 'hc1']).status, 0);
  h.assertClean();
});

test('a createContainer hook exceeding its timeout is killed and fails create', () => {
  const bundle = withHooks(['sleep', '60'], { createContainer: [shHook('sleep 30', 1)] });
  // Without the timeout the hook would outlive the harness's 30 s limit and the error below would not appear.
  const r = h.cli(['create', '-b', bundle, 'hc2']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /createContainer hook #0 \(\/bin\/sh\) timed out after 1s and was killed/);
  h.assertClean();
});

test('a failing startContainer hook fails start, the program never runs and the container stops', async () => {
  const logDir = fs.mkdtempSync(path.join(h.tmp, 'sc-'));
  fs.chmodSync(logDir, 0o777);
  const log = path.join(logDir, 'sc.log');
  const bundle = h.bundle(['sh', '-c', 'echo program >> /hooklog/sc.log; sleep 60'], (s) => {
    bindLog(logDir)(s);
    s.hooks = {
      startContainer: [{ path: '/bad-hook.sh' }],
      poststart: [logHook('poststart', log)],
    };
  });
  rootfsScript(bundle, 'bad-hook.sh', 'echo "startContainer ran" >> /hooklog/sc.log; echo "not today" >&2; exit 3');
  h.ok(['create', '-b', bundle, 'hc3']);
  const pid = h.state('hc3').pid;
  const r = h.cli(['start', 'hc3']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /start container "hc3": startContainer hook #0 \(\/bad-hook\.sh\) exited with status 3; stderr: not today/);
  await h.waitStatus('hc3', 'stopped', 3000);
  assert.ok(gone(pid));
  assert.deepEqual(lines(log), ['startContainer ran'], 'neither the program nor poststart ran');
  h.ok(['delete', 'hc3']);
  h.assertClean();
});

test('a startContainer hook that cannot be executed fails start', async () => {
  const bundle = withHooks(['sleep', '60'], { startContainer: [{ path: '/no/such/hook' }] });
  h.ok(['create', '-b', bundle, 'hc4']);
  const r = h.cli(['start', 'hc4']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /startContainer hook #0 \(\/no\/such\/hook\) exited with status 127; stderr: execve: No such file or directory/);
  await h.waitStatus('hc4', 'stopped', 3000);
  h.ok(['delete', 'hc4']);
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
  // Without the timeout the hook would outlive the harness's 30 s limit and the error below would not appear.
  const r = h.cli(['create', '-b', bundle, 'h3']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /prestart hook #0 \(\/bin\/sh\) timed out after 1s/);
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
