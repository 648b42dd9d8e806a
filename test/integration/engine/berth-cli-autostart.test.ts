// The daemon on demand: with a fresh BERTH_RUN/BERTH_ROOT and nothing listening, `berth ps` starts `berth
// daemon` detached, says so on stderr and works; the next command uses that daemon silently; containers run
// through it. BERTH_NO_AUTOSTART=1 and a daemon that cannot start both end in exit 125 with the reason.
// The started daemon is stopped by the pid it printed, after its (--network none) containers are removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { BERTH, run, type RunResult } from '../../fixtures/engine-daemon.js';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { isRunning } from '../../../src/common/process-probe.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-autostart-'));
const root = path.join(tmp, 'root');
const runRoot = path.join(tmp, 'run');
const cgroupParent = `berth-autostart-${randomBytes(4).toString('hex')}`;
let daemonPid: number | undefined;
/** Every daemon any command said it started (stopped in `after`, even when a test failed). */
const started: number[] = [];

/** The environment of a user with no daemon running: only BERTH_ROOT/BERTH_RUN (no socket given). */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.BERTH_SOCKET;
  delete e.BERTH_NO_AUTOSTART;
  return { ...e, BERTH_ROOT: root, BERTH_RUN: runRoot, BERTH_CGROUP_PARENT: cgroupParent, ...extra };
}

async function berth(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await run(process.execPath, [BERTH, ...args], { env: env(extra) });
  const pid = /started one \(pid (\d+)/.exec(r.stderr)?.[1];
  if (pid) started.push(Number(pid));
  return r;
}

before(async () => {
  fs.chmodSync(tmp, 0o755);
  const rootfs = makeBusyboxRootfs(path.join(tmp, 'busybox'));
  const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 1 << 28 }).stdout;
  // Importing works on the local store (no daemon involved).
  const imp = await run(process.execPath, [BERTH, 'import', '-c', 'CMD ["sh"]', '-', 'busybox:latest'], { env: env(), input: tar });
  assert.equal(imp.status, 0, imp.stderr);
  fs.rmSync(rootfs, { recursive: true, force: true });
});

after(async () => {
  for (const pid of started) {
    if (!isRunning(pid)) continue;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 400 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp));
  const cgroups = fs.readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c, cgroupParent)).filter((p) => fs.existsSync(p));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m.split(' ')[4]!]);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(daemonPid !== undefined && isRunning(daemonPid), false, `the started daemon (pid ${daemonPid}) did not stop`);
  assert.deepEqual(mounts, [], 'mounts left behind');
  assert.deepEqual(cgroups, [], 'cgroups left behind');
});

test('no daemon answering: berth ps starts one, says so, and lists; the next command just uses it', async () => {
  const socket = path.join(runRoot, 'berth.sock');
  const first = await berth(['ps']);
  assert.equal(first.status, 0, first.stderr);
  const m = new RegExp(`^berth: no daemon was answering on ${socket}; started one \\(pid (\\d+), log ${path.join(runRoot, 'daemon.log')}\\)\\n$`).exec(first.stderr);
  assert.ok(m, `stderr: ${first.stderr}`);
  daemonPid = Number(m[1]);
  assert.ok(isRunning(daemonPid), 'the daemon it started runs on after the command');
  assert.equal(first.stdout, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  assert.match(fs.readFileSync(path.join(runRoot, 'daemon.log'), 'utf8'), /listen/i);

  const second = await berth(['ps', '-a']);
  assert.deepEqual([second.status, second.stderr], [0, '']);

  // A container through the started daemon, then removed before the daemon is stopped.
  const echo = await berth(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'through the started daemon']);
  assert.deepEqual([echo.status, echo.stdout, echo.stderr], [0, 'through the started daemon\n', '']);
  const bg = await berth(['run', '-d', '--network', 'none', '--name', 'bg', 'busybox', 'sleep', '1000']);
  assert.equal(bg.status, 0, bg.stderr);
  assert.match((await berth(['ps', '--format', '{{.Names}} {{.State}}'])).stdout, /^bg running$/m);
  const rm = await berth(['rm', '-f', 'bg']);
  assert.deepEqual([rm.status, rm.stdout], [0, 'bg\n']);
});

test('BERTH_NO_AUTOSTART=1: no daemon is started; exit 125 with how to fix it', async () => {
  const otherRun = path.join(tmp, 'run-none');
  const r = await berth(['ps'], { BERTH_RUN: otherRun, BERTH_NO_AUTOSTART: '1' });
  assert.equal(r.status, 125);
  assert.equal(r.stderr, `berth: cannot connect to the Berth daemon at ${path.join(otherRun, 'berth.sock')}: is \`berth daemon\` running?\n`);
  assert.equal(fs.existsSync(path.join(otherRun, 'daemon.log')), false, 'nothing was started');
});

test('a daemon that cannot start: exit 125 with the last lines of its log', async () => {
  const badRun = path.join(tmp, 'run-bad');
  const r = await berth(['ps'], { BERTH_RUN: badRun, BERTH_LOG_LEVEL: 'nonsense' });
  assert.equal(r.status, 125);
  assert.match(r.stderr, new RegExp(`^berth: no daemon was answering on ${path.join(badRun, 'berth.sock')}; the one started \\(pid \\d+\\) exited with code \\d+\\. Last lines of ${path.join(badRun, 'daemon.log')}:\\n`));
  assert.match(r.stderr, /invalid log level "nonsense"/);
  assert.equal(fs.existsSync(path.join(badRun, 'daemon-autostart.lock')), false, 'the start lock is released');
});
