// The process and filesystem settings of config.json take effect: user, groups, umask, cwd, env, bind mounts
// with options, spec devices, /dev symlinks, absolute cgroupsPath; and `spec`/`features` print what they should.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, cgroupMounts } from './harness.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

const h = new Harness();
after(() => h.cleanup());

let n = 0;
function run(script: string, edit?: (s: Spec) => void): { status: number | null; stdout: string; stderr: string } {
  return h.cli(['run', '-b', h.bundle(['sh', '-c', script], edit), `cfg${++n}`]);
}

test('user, additional groups, umask, cwd and env', () => {
  const r = run('id -u; id -G; umask; pwd; echo "$GREETING"', (s) => {
    s.process!.user = { uid: 1000, gid: 1000, additionalGids: [2000, 3000], umask: 0o027 };
    s.process!.cwd = '/tmp';
    s.process!.env = ['PATH=/bin', 'GREETING=hello there'];
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['1000', '1000 2000 3000', '0027', '/tmp', 'hello there']);
});

test('bind mounts honour ro and noexec; rbind works; a missing cwd is created', () => {
  const data = path.join(h.tmp, 'data');
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, 'file'), 'host data\n');
  fs.copyFileSync('/bin/busybox', path.join(data, 'busybox'));
  fs.chmodSync(path.join(data, 'busybox'), 0o755);
  const r = run('cat /ro/file; touch /ro/new 2>&1; /noexec/busybox true 2>&1; echo rc=$?; touch /rw/new && echo wrote; pwd', (s) => {
    s.mounts!.push(
      { destination: '/ro', type: 'bind', source: data, options: ['rbind', 'ro'] },
      { destination: '/noexec', type: 'bind', source: data, options: ['bind', 'noexec', 'nosuid', 'nodev'] },
      { destination: '/rw', type: 'bind', source: data, options: ['rbind', 'rw'] },
    );
    s.process!.cwd = '/work/dir';
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /host data/);
  assert.match(r.stdout, /Read-only file system/);
  assert.match(r.stdout, /Permission denied\nrc=126|rc=126/);
  assert.match(r.stdout, /wrote/);
  assert.match(r.stdout, /\/work\/dir/);
  assert.ok(fs.existsSync(path.join(data, 'new')), 'the rw bind wrote to the host directory');
});

test('default devices, /dev symlinks and spec devices (allowed in the device cgroup)', () => {
  const r = run('ls /dev | tr "\\n" " "; echo; readlink /dev/fd; readlink /dev/stdin; readlink /dev/ptmx; stat -c "%t:%T" /dev/mynull; echo hi > /dev/mynull && echo ok', (s) => {
    s.linux!.devices = [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }];
  });
  assert.equal(r.status, 0, r.stderr);
  for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'mqueue']) assert.match(r.stdout, new RegExp(`\\b${d}\\b`));
  assert.match(r.stdout, /\/proc\/self\/fd\n\/proc\/self\/fd\/0\npts\/ptmx\n1:3\nok/);
});

test('an absolute cgroupsPath is used as given and removed on delete', () => {
  const abs = `/berth-abs-${process.pid}/inner`;
  const bundle = h.bundle(['sleep', '30'], (s) => (s.linux!.cgroupsPath = abs));
  h.ok(['run', '-d', '-b', bundle, 'abs1']);
  const pid = h.state('abs1').pid;
  assert.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:memory:${abs}\\n`));
  h.ok(['delete', '--force', 'abs1']);
  for (const m of cgroupMounts()) assert.ok(!fs.existsSync(path.join(m, abs.split('/')[1]!)), `left ${m}${abs}`);
});

test('spec writes a valid default config.json once; features is truthful JSON', () => {
  const dir = path.join(h.tmp, 'spec-bundle');
  fs.mkdirSync(dir);
  h.ok(['spec', '--bundle', dir]);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Spec;
  assert.equal(spec.root!.path, 'rootfs');
  assert.deepEqual(spec.process!.args, ['sh']);
  assert.notEqual(h.cli(['spec', '--bundle', dir]).status, 0, 'spec refuses to overwrite');
  const features = JSON.parse(h.ok(['features']));
  assert.equal(features.ociVersionMax, '1.2.0');
  assert.ok(features.linux.namespaces.includes('time'));
  assert.equal(features.linux.cgroup.systemd, false);
  assert.ok(features.mountOptions.includes('rbind'));
  assert.ok(features.linux.seccomp.actions.includes('SCMP_ACT_NOTIFY'));
  assert.match(h.ok(['--version']), /version 0\.1\.0\ncommit: .*\nspec: 1\.2\.0/);
});

test('--log --log-format json appends one JSON object per line on failure, with a plain line on stderr', () => {
  const log = path.join(h.tmp, 'runtime.log');
  fs.writeFileSync(log, '{"level":"info","msg":"earlier","time":"2026-01-01T00:00:00Z"}\n');
  const r = h.cli(['--log', log, '--log-format=json', 'state', 'no-such-ctr']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /container "no-such-ctr" does not exist/);
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2, 'the log is appended to, not truncated');
  assert.equal(lines[1].level, 'error');
  assert.match(lines[1].msg, /no-such-ctr/);
  assert.match(lines[1].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  h.ok(['--log', log, '--log-format', 'json', '--debug', 'list']);
  const debug = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').pop()!);
  assert.equal(debug.level, 'debug', '--debug logs the command line');
  assert.match(debug.msg, /--debug list$/);
  const bad = h.cli(['--systemd-cgroup', 'list']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--systemd-cgroup is not supported/);
});

test('without a cgroup namespace /sys/fs/cgroup shows the container\'s own cgroups, not the host tree', () => {
  const r = run('cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup/memory | grep -c process_api', (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup');
    s.linux!.resources = { memory: { limit: 48 * 1024 * 1024 } };
  });
  assert.deepEqual(r.stdout.trim().split('\n'), [String(48 * 1024 * 1024), '0'], r.stderr);
});

test('linux.personality LINUX32 makes uname report a 32-bit machine; a bad domain names the field', () => {
  const r = run('uname -m', (s) => (s.linux!.personality = { domain: 'LINUX32' }));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^i[3-6]86$/);
  assert.equal(run('uname -m').stdout.trim(), 'x86_64');
  const bad = run('true', (s) => (s.linux!.personality = { domain: 'BSD' }));
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /linux\.personality\.domain/);
});

test('every rootfsPropagation mode runs, shared ones included (pivot_root needs a private parent mount)', () => {
  for (const mode of ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']) {
    const r = run('head -1 /proc/self/mountinfo', (s) => (s.linux!.rootfsPropagation = mode));
    assert.equal(r.status, 0, `${mode}: ${r.stderr}`);
    assert.match(r.stdout, / \/ /, mode);
  }
});
