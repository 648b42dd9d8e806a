// dockerd (Debian's docker.io 20.10, started here with its own data root, exec root and socket, no bridge and
// no iptables) runs containers with `--runtime berth`, driven by the real docker CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { packageRoot } from '../../src/common/package-root.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dockerd-'));
const env = { ...process.env, DOCKER_HOST: `unix://${tmp}/docker.sock` };
let dockerd: ChildProcess;

function docker(args: string[], timeout = 60_000) {
  return spawnSync('docker', args, { encoding: 'utf8', env, timeout });
}

before(async () => {
  fs.chmodSync(tmp, 0o755);
  // The runtime is configured the way users do it: "runtimes" in daemon.json.
  const config = path.join(tmp, 'daemon.json');
  fs.writeFileSync(config, JSON.stringify({ runtimes: { berth: { path: path.join(packageRoot(), 'bin/berth-runtime.cjs') } } }));
  dockerd = spawn('dockerd', ['--config-file', config,
    '--data-root', `${tmp}/data`, '--exec-root', `${tmp}/exec`, '--pidfile', `${tmp}/docker.pid`,
    '-H', `unix://${tmp}/docker.sock`, '--bridge=none', '--iptables=false', '--ip6tables=false',
  ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(tmp, 'dockerd.log'), 'w')] });
  for (let i = 0; i < 300 && docker(['version']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(docker(['version']).status, 0, `dockerd did not come up: ${fs.readFileSync(path.join(tmp, 'dockerd.log'), 'utf8').slice(-2000)}`);
  // No registry here: the image is a busybox rootfs imported as one layer.
  const rootfs = makeBusyboxRootfs(path.join(tmp, 'rootfs'));
  spawnSync('tar', ['-C', rootfs, '-cf', `${tmp}/rootfs.tar`, '.']);
  const imp = docker(['import', `${tmp}/rootfs.tar`, 'berth-test/busybox:1']);
  assert.equal(imp.status, 0, imp.stderr);
});

after(async () => {
  docker(['rm', '-f', 'd-detached']);
  dockerd.kill('SIGTERM');
  await new Promise((r) => dockerd.once('exit', r));
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp)).map((l) => l.split(' ')[4]!);
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(tmp, { recursive: true, force: true });
  const cgroups = fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h, 'docker')).filter((d) => fs.existsSync(d) && fs.readdirSync(d).some((n) => /^[0-9a-f]{64}$/.test(n)));
  assert.deepEqual(cgroups, [], 'container cgroups left behind');
});

test('docker run --runtime berth: output, pid namespace, exit code', () => {
  const r = docker(['run', '--rm', '--runtime', 'berth', '--network', 'none', 'berth-test/busybox:1', 'sh', '-c', 'echo hello from docker on berth; echo pid=$$; exit 5']);
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stdout, /hello from docker on berth\npid=1\n/);
});

test('docker run -d, exec, inspect, stop, rm', () => {
  const d = docker(['run', '-d', '--name', 'd-detached', '--runtime', 'berth', '--network', 'none', '--memory', '64m', 'berth-test/busybox:1', 'sleep', '60']);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(docker(['inspect', '-f', '{{.HostConfig.Runtime}} {{.State.Status}}', 'd-detached']).stdout.trim(), 'berth running');
  const e = docker(['exec', 'd-detached', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ps -o comm | grep -c sleep']);
  assert.equal(e.status, 0, e.stderr);
  assert.deepEqual(e.stdout.trim().split('\n'), [String(64 * 1024 * 1024), '1']);
  assert.equal(docker(['stop', '-t', '1', 'd-detached']).status, 0);
  assert.equal(docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'd-detached']).stdout.trim(), 'exited 137');
  assert.equal(docker(['rm', 'd-detached']).status, 0);
});
