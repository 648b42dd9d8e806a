// The engine's monitor model, end to end: SIGKILL of the daemon with 20 running containers leaves them all
// running, logs keep flowing while no daemon exists, and a restarted daemon re-adopts them, records the exit
// code of a container that exited meanwhile, and loses or duplicates no log line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EngineDaemon } from '../fixtures/engine-daemon.js';

let d: EngineDaemon;
const BRIDGE = 'brst0';

before(async () => {
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: '10.211.7.0/24' });
});

after(async () => {
  const leftovers = await d.stop();
  spawnSync('ip', ['link', 'del', BRIDGE]);
  assert.deepEqual(leftovers, []);
});

/** Checks that a counter log is 0, 1, 2, … with nothing missing or repeated. */
function assertContinuous(text: string, name: string): number {
  const nums = text.split('\n').filter(Boolean).map(Number);
  nums.forEach((n, i) => assert.equal(n, i, `${name}: line ${i} is ${n} (lost or duplicated output)`));
  return nums.length;
}

test('SIGKILL of the daemon with 20 running containers: all survive, a restarted daemon adopts them', async () => {
  const counter = 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.05; done';
  const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
  for (let i = 0; i < names.length; i += 5) {
    const batch = names.slice(i, i + 5).map((n) => d.docker(['run', '-d', '--network', i < 5 ? 'bridge' : 'none', '--name', n, 'busybox', 'sh', '-c', counter]));
    for (const r of await Promise.all(batch)) assert.equal(r.status, 0, r.stderr);
  }
  const quitter = await d.docker(['run', '-d', '--network', 'none', '--name', 'quitter', 'busybox', 'sh', '-c', 'echo waiting; while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 42']);
  assert.equal(quitter.status, 0, quitter.stderr);
  const pids = new Map<string, number>();
  for (const n of [...names, 'quitter']) {
    const r = await d.docker(['inspect', '-f', '{{.State.Pid}}', n]);
    pids.set(n, Number(r.stdout.trim()));
  }

  await d.kill9();
  // No daemon now: the containers run on, and one exits with a code only its monitor sees.
  for (const [n, pid] of pids) assert.ok(spawnSync('kill', ['-0', String(pid)]).status === 0, `${n} (pid ${pid}) died with the daemon`);
  const go = spawnSync('nsenter', ['-t', String(pids.get('quitter')), '-m', 'touch', '/tmp/go']);
  assert.equal(go.status, 0, go.stderr?.toString());
  await new Promise((r) => setTimeout(r, 1000));
  assert.notEqual(spawnSync('kill', ['-0', String(pids.get('quitter'))]).status, 0, 'quitter should have exited');

  await d.startDaemon();
  const ps = await d.docker(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
  const states = new Map(ps.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  for (const n of names) assert.equal(states.get(n), 'running', `${n}: ${ps.stdout}`);
  assert.equal(states.get('quitter'), 'exited');
  const code = await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'quitter']);
  assert.equal(code.stdout.trim(), '42');
  // Same processes as before the kill: adopted, not restarted.
  for (const n of names) {
    const r = await d.docker(['inspect', '-f', '{{.State.Pid}}', n]);
    assert.equal(Number(r.stdout.trim()), pids.get(n), `${n} was restarted instead of adopted`);
  }

  // Logs written while the daemon was gone are there, in order, and keep coming after the restart.
  const before = await d.docker(['logs', 'c3']);
  const n1 = assertContinuous(before.stdout, 'c3');
  await new Promise((r) => setTimeout(r, 500));
  const later = await d.docker(['logs', 'c3']);
  const n2 = assertContinuous(later.stdout, 'c3');
  assert.ok(n2 > n1, `c3's log did not grow after the restart (${n1} → ${n2})`);
  for (const n of names) assertContinuous((await d.docker(['logs', n])).stdout, n);

  // The adopted containers are fully manageable: stop one, exec into another, and wait sees exits.
  const exec = await d.docker(['exec', 'c7', 'echo', 'adopted']);
  assert.equal(exec.stdout.trim(), 'adopted');
  const killed = await d.docker(['kill', 'c8']);
  assert.equal(killed.status, 0, killed.stderr);
  const wait = await d.docker(['wait', 'c8']);
  assert.equal(wait.stdout.trim(), '137');
  const rm = await d.docker(['rm', '-f', ...names, 'quitter']);
  assert.equal(rm.status, 0, rm.stderr);
});

test('a start cut short by a daemon kill leaves nothing: the next daemon undoes it and the container starts clean', async () => {
  const r = await d.docker(['run', '-d', '--network', 'bridge', '--name', 'half', 'busybox', 'sleep', '300']);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  const pid = Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', 'half'])).stdout.trim());
  await d.kill9();
  // As if the daemon died after launching the container but before recording it as running.
  const file = path.join(d.root, 'containers', id, 'config.v2.json');
  const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { State: Record<string, unknown> };
  rec.State = { ...rec.State, Status: 'created', Running: false, Pid: 0 };
  fs.writeFileSync(file, JSON.stringify(rec));
  await d.startDaemon();
  assert.notEqual(spawnSync('kill', ['-0', String(pid)]).status, 0, 'the half-started process was not stopped');
  assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(id.slice(0, 24)), 'its rootfs is still mounted');
  assert.ok(!fs.existsSync(path.join(d.runRoot, 'netns', id)), 'its network namespace is still pinned');
  const start = await d.docker(['start', 'half']);
  assert.equal(start.status, 0, start.stderr);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}}', 'half'])).stdout.trim(), 'running');
  assert.equal((await d.docker(['rm', '-f', 'half'])).status, 0);
});
