// create → created → start → running → exit → stopped → delete; exec, pause/resume, kill, ps, list, events.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Harness, v1Mount } from './harness.js';

const h = new Harness();
after(() => h.cleanup());

test('create, start, exit, delete with runtime-spec state at each step', async () => {
  const bundle = h.bundle(['sh', '-c', 'sleep 2; exit 3']);
  const pidFile = path.join(h.tmp, 'c1.pid');
  assert.equal(h.cli(['create', '-b', bundle, '--pid-file', pidFile, 'c1']).stdout, '', 'create prints nothing');
  const created = h.state('c1');
  assert.equal(created.status, 'created');
  assert.ok(created.pid > 0);
  assert.equal(fs.readFileSync(pidFile, 'utf8'), String(created.pid), 'pid file: digits only, no newline');
  assert.equal(created.bundle, bundle);
  assert.equal(created.ociVersion, '1.2.0');
  assert.match(created.created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  // The process waits in the helper's setup, not in the program: its command line is not sh yet.
  assert.doesNotMatch(fs.readFileSync(`/proc/${created.pid}/cmdline`, 'utf8'), /sleep 2/);

  h.ok(['start', 'c1']);
  const running = h.state('c1');
  assert.equal(running.status, 'running');
  assert.equal(running.pid, created.pid);
  assert.match(fs.readFileSync(`/proc/${created.pid}/cmdline`, 'utf8'), /^sh\0-c\0/);
  assert.notEqual(h.cli(['start', 'c1']).status, 0, 'start twice is refused');

  await h.waitStatus('c1', 'stopped');
  assert.equal(h.state('c1').pid, 0);
  h.ok(['delete', 'c1']);
  assert.notEqual(h.cli(['state', 'c1']).status, 0);
  assert.equal(h.cli(['delete', '--force', 'c1']).status, 0, 'delete --force of a missing id succeeds');
});

test('run returns the exit status; a signal gives 128+n', async () => {
  assert.equal(h.cli(['run', '-b', h.bundle(['sh', '-c', 'exit 7']), 'r1']).status, 7);
  // pid 1 ignores signals it has no handler for, except from outside its namespace: kill it from the host.
  const run = h.spawnCli(['run', '-b', h.bundle(['sleep', '60']), 'r2']);
  const code = new Promise<number | null>((resolve) => run.on('exit', (c) => resolve(c)));
  await h.waitStatus('r2', 'running');
  h.ok(['kill', 'r2', 'KILL']);
  assert.equal(await code, 137);
  assert.equal(h.cli(['list', '-q']).stdout, '', 'run deletes the container');
});

test('exec joins the pid namespace; ps and list show the container', () => {
  const bundle = h.bundle(['sleep', '60']);
  h.ok(['run', '-d', '-b', bundle, 'e1']);
  const out = h.ok(['exec', 'e1', 'sh', '-c', 'echo $$; ps -o pid,comm']);
  assert.match(out, /^\s*1\s+sleep$/m, 'exec sees the container init as pid 1');
  assert.notEqual(out.split('\n')[0], '1');
  assert.equal(h.cli(['exec', 'e1', 'sh', '-c', 'exit 5']).status, 5, 'exec returns the exit code');
  const pids = JSON.parse(h.ok(['ps', '--format', 'json', 'e1'])) as number[];
  assert.deepEqual(pids, [h.state('e1').pid]);
  const list = JSON.parse(h.ok(['list', '--format', 'json'])) as { id: string; status: string }[];
  assert.deepEqual(list.filter((c) => c.id === 'e1').map((c) => [c.id, c.status]), [['e1', 'running']]);
  assert.match(h.ok(['list']), /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\n(.*\n)*e1\s+\d+\s+running/);

  const pidFile = path.join(h.tmp, 'exec.pid');
  h.ok(['exec', '-d', '--pid-file', pidFile, 'e1', 'sleep', '50']);
  const execPid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.ok(JSON.parse(h.ok(['ps', '--format', 'json', 'e1'])).includes(execPid));
  const missing = h.cli(['exec', 'e1', 'no-such-binary']);
  assert.equal(missing.status, 255);
  assert.match(missing.stderr, /no-such-binary.*not found/);
  h.ok(['kill', '--all', 'e1', 'KILL']);
  h.ok(['delete', '--force', 'e1']);
});

test('pause freezes and resume thaws', async () => {
  const bundle = h.bundle(['sh', '-c', 'while true; do echo x >> /tmp/count; done'], (s) => {
    s.root!.readonly = false;
  });
  h.ok(['run', '-d', '-b', bundle, 'p1']);
  const countFile = path.join(bundle, 'rootfs/tmp/count');
  await new Promise((r) => setTimeout(r, 200));
  h.ok(['pause', 'p1']);
  assert.equal(h.state('p1').status, 'paused');
  const freezer = v1Mount('freezer');
  if (freezer) assert.equal(fs.readFileSync(path.join(freezer, h.cgroupParent, 'p1/freezer.state'), 'utf8').trim(), 'FROZEN');
  const a = fs.statSync(countFile).size;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fs.statSync(countFile).size, a, 'the loop kept running while paused');
  h.ok(['resume', 'p1']);
  assert.equal(h.state('p1').status, 'running');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(fs.statSync(countFile).size > a, 'the loop did not resume');
  h.ok(['delete', '--force', 'p1']);
});

test('kill takes names and numbers; delete of a running container needs --force', async () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '60']), 'k1']);
  const del = h.cli(['delete', 'k1']);
  assert.notEqual(del.status, 0);
  assert.match(del.stderr, /running.*--force|--force/);
  assert.equal(h.state('k1').status, 'running', 'a refused delete leaves the container alone');
  h.ok(['kill', 'k1', 'SIGKILL']);
  await h.waitStatus('k1', 'stopped');
  assert.notEqual(h.cli(['kill', 'k1', '15']).status, 0, 'kill of a stopped container fails');
  h.ok(['delete', 'k1']);
  const bad = h.cli(['kill', 'nope', 'FOO']);
  assert.match(bad.stderr, /signal|does not exist/);
});

test('events --stats reports cgroup statistics', () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '60']), 'ev1']);
  const ev = JSON.parse(h.ok(['events', '--stats', 'ev1']));
  assert.equal(ev.type, 'stats');
  assert.equal(ev.id, 'ev1');
  assert.ok(ev.data.memory.usage.usage > 0);
  assert.equal(ev.data.pids.current, 1);
  h.ok(['delete', '--force', 'ev1']);
});

test('a pty reaches the caller through --console-socket', async () => {
  const bundle = h.bundle(['sh', '-c', 'tty; stty size; echo done; sleep 1'], (s) => {
    s.process!.terminal = true;
    s.process!.consoleSize = { height: 33, width: 99 };
  });
  const sock = path.join(h.tmp, 'console.sock');
  const receiver = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/console-receiver.py');
  const child = spawn('python3', [receiver, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const until = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(cond(), what);
  };
  await until(() => fs.existsSync(sock), 'console receiver did not listen');
  const noSocket = h.cli(['run', '-d', '-b', bundle, 'tty0']);
  assert.notEqual(noSocket.status, 0, 'terminal without --console-socket in detached mode is refused');
  assert.match(noSocket.stderr, /console-socket/);
  h.ok(['run', '-d', '-b', bundle, '--console-socket', sock, 'tty1']);
  await until(() => /done/.test(out), `no output through the pty: ${JSON.stringify(out)}`);
  child.kill();
  assert.match(out, /\/dev\/(pts\/\d+|console)/);
  assert.match(out, /33 99/);
  h.ok(['delete', '--force', 'tty1']);
});
