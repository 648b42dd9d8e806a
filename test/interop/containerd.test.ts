// containerd (Debian's 1.6, started here with its own root, state and socket) runs containers through its
// io.containerd.runc.v2 shim with berth-runtime as the runc binary: the contract in shared/notes/runc-cli.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { packageRoot } from '../../src/common/package-root.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ctd-'));
const sock = path.join(tmp, 'containerd.sock');
const runcRoot = path.join(tmp, 'runc');
const runtime = path.join(packageRoot(), 'bin/berth-runtime.cjs');
const ns = `berth-test-${process.pid}`;
let containerd: ChildProcess;
let rootfs: string;

function ctr(args: string[], timeout = 30_000) {
  return spawnSync('ctr', ['--address', sock, '--namespace', ns, ...args], { encoding: 'utf8', timeout });
}

function run(id: string, extra: string[], cmd: string[]) {
  return ctr(['run', '--rm', '--env', 'PATH=/bin', '--runc-binary', runtime, '--runc-root', runcRoot, ...extra, '--rootfs', rootfs, id, ...cmd]);
}

before(async () => {
  fs.chmodSync(tmp, 0o755);
  rootfs = makeBusyboxRootfs(path.join(tmp, 'rootfs'));
  const config = path.join(tmp, 'config.toml');
  fs.writeFileSync(config, [
    'version = 2', `root = "${tmp}/root"`, `state = "${tmp}/state"`,
    '[grpc]', `  address = "${sock}"`, '[ttrpc]', `  address = "${tmp}/ttrpc.sock"`,
    '[plugins."io.containerd.grpc.v1.cri"]', '  disable = true', '',
  ].join('\n'));
  containerd = spawn('containerd', ['--config', config], { stdio: ['ignore', 'ignore', fs.openSync(path.join(tmp, 'containerd.log'), 'w')] });
  for (let i = 0; i < 200 && ctr(['version']).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ctr(['version']).status, 0, 'containerd did not come up');
});

after(async () => {
  for (const id of ['c-detached']) {
    ctr(['task', 'kill', '-s', 'KILL', id]);
    ctr(['task', 'rm', '-f', id]);
    ctr(['container', 'rm', id]);
  }
  containerd.kill('SIGTERM');
  await new Promise((r) => containerd.once('exit', r));
  const leftovers = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp));
  for (const l of leftovers) spawnSync('umount', ['-l', l.split(' ')[4]!]);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(leftovers, [], 'mounts left behind');
  const cgroups = fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h, ns)).filter((d) => fs.existsSync(d));
  assert.deepEqual(cgroups, [], 'cgroups left behind');
});

test('ctr run: output, isolation and the exit code come through the shim', () => {
  const r = run('c-run', [], ['sh', '-c', 'echo hello from berth; echo pid=$$; ls /sys/class/net; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /hello from berth\npid=1\nlo\n/);
});

test('ctr run -d, task exec, task ls, task kill', async () => {
  const d = ctr(['run', '-d', '--env', 'PATH=/bin', '--runc-binary', runtime, '--runc-root', runcRoot, '--rootfs', rootfs, 'c-detached', 'sleep', '60']);
  assert.equal(d.status, 0, d.stderr);
  assert.match(ctr(['task', 'ls']).stdout, /c-detached\s+\d+\s+RUNNING/);
  const e = ctr(['task', 'exec', '--exec-id', 'e1', 'c-detached', 'sh', '-c', 'ps -o pid,comm | grep -c sleep; exit 4']);
  assert.equal(e.status, 4, e.stderr);
  assert.equal(e.stdout.trim(), '1');
  assert.equal(ctr(['task', 'kill', '-s', 'KILL', 'c-detached']).status, 0);
  for (let i = 0; i < 100 && !/STOPPED/.test(ctr(['task', 'ls']).stdout); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(ctr(['task', 'ls']).stdout, /c-detached\s+\d+\s+STOPPED/);
  assert.equal(ctr(['task', 'rm', 'c-detached']).status, 0);
  assert.equal(ctr(['container', 'rm', 'c-detached']).status, 0);
});

test('a runtime failure reaches the ctr user as the runtime said it', () => {
  const r = run('c-missing', [], ['no-such-program']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no-such-program.*not found/);
});
