// podman (Debian's 4.3, with private storage and run roots) runs containers with berth-runtime as its OCI
// runtime through conmon: run, run -d, exec, logs, stop, rm, and exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { packageRoot } from '../../src/common/package-root.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-podman-'));
const cgroupParent = `/berth-podman-test-${process.pid}`;
const runtime = path.join(packageRoot(), 'bin/berth-runtime.cjs');
const IMAGE = 'localhost/berth-test-busybox:1';
// podman's default rlimits cannot be raised on these machines (DESIGN.md §5): ask for the current ones.
const RUN = ['--network', 'none', '--cgroup-parent', cgroupParent, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

function podman(args: string[], timeout = 60_000) {
  return spawnSync('podman', [
    '--root', `${tmp}/storage`, '--runroot', `${tmp}/run`, '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file', '--runtime', runtime, ...args,
  ], { encoding: 'utf8', timeout });
}

before(() => {
  fs.chmodSync(tmp, 0o755);
  const rootfs = makeBusyboxRootfs(path.join(tmp, 'rootfs'));
  spawnSync('tar', ['-C', rootfs, '-cf', `${tmp}/rootfs.tar`, '.']);
  const r = podman(['import', `${tmp}/rootfs.tar`, IMAGE]);
  assert.equal(r.status, 0, r.stderr);
});

after(() => {
  podman(['rm', '-af']);
  podman(['rmi', '-af']);
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp)).map((l) => l.split(' ')[4]!);
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(tmp, { recursive: true, force: true });
  // conmon's own cgroup is podman's (`<parent>/conmon`); every container cgroup must be gone.
  const left: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', h, cgroupParent);
    if (!fs.existsSync(dir)) continue;
    for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory() && sub.name !== 'conmon') left.push(path.join(dir, sub.name));
    spawnSync('rmdir', [path.join(dir, 'conmon'), dir]);
  }
  assert.deepEqual(left, [], 'container cgroups left behind');
  assert.deepEqual(mounts, [], 'mounts left behind');
});

test('podman run: output, pid 1, exit code; a missing program gives 127', () => {
  const r = podman(['run', '--rm', ...RUN, IMAGE, 'sh', '-c', 'echo hello from podman on berth; echo pid=$$; exit 6']);
  assert.equal(r.status, 6, r.stderr);
  assert.match(r.stdout, /hello from podman on berth\npid=1\n/);
  const missing = podman(['run', '--rm', ...RUN, IMAGE, 'nosuchcmd']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /nosuchcmd.*not found/);
});

test('podman run -d, exec, logs, stop, rm', () => {
  const d = podman(['run', '-d', '--name', 'p-detached', ...RUN, IMAGE, 'sh', '-c', 'echo started; exec sleep 60']);
  assert.equal(d.status, 0, d.stderr);
  const e = podman(['exec', 'p-detached', 'sh', '-c', 'ps -o comm | grep -c sleep; exit 2']);
  assert.equal(e.status, 2, e.stderr);
  assert.equal(e.stdout.trim(), '1');
  assert.match(podman(['logs', 'p-detached']).stdout, /started/);
  assert.equal(podman(['stop', '-t', '1', 'p-detached']).status, 0);
  assert.equal(podman(['inspect', '-f', '{{.State.Status}}', 'p-detached']).stdout.trim(), 'exited');
  assert.equal(podman(['rm', 'p-detached']).status, 0);
});
