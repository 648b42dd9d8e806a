// berth-helper driven through startHelper with hand-built plans against a busybox rootfs. Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

import path from 'node:path';
import { emptyPlan, type LaunchPlan, type PlanProcess, type PlanMount } from '../../src/runtime/plan/launch-plan.js';
import { startHelper, HelperError } from '../../src/runtime/native/index.js';
import { collect, helperTestDir, runPlan } from '../fixtures/helper-run.js';

const MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_BIND = 4096, MS_REC = 16384;

let tmp = '';
let rootfs = '';

before(() => {
  ({ tmp, rootfs } = helperTestDir('berth-native-'));
});

after(() => {
  const leaked = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp));
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(leaked, [], 'no mount of the test dir may remain on the host');
});

function proc(args: string[], extra: Partial<PlanProcess> = {}): PlanProcess {
  return { args, env: ['PATH=/bin', 'HOME=/root'], cwd: '/', uid: 0, gid: 0, groups: [], rlimits: [], ...extra };
}

const procMount: PlanMount = { source: 'proc', destination: '/proc', fstype: 'proc', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, propagation: 0, data: '' };

/** A launch plan with the usual namespaces, /proc mounted, and `wait`. */
function launchPlan(args: string[], extra: Partial<PlanProcess> = {}): LaunchPlan {
  const plan = emptyPlan('launch', proc(args, extra));
  plan.newNamespaces = ['pid', 'mount', 'uts', 'ipc', 'net'];
  plan.rootfs = rootfs;
  plan.mounts = [procMount];
  plan.wait = true;
  return plan;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(alive(pid), false, `process ${pid} must be gone`);
}

test('new pid, uts, ipc, net and mount namespaces', async () => {
  const plan = launchPlan(['sh', '-c', 'echo $$; hostname; ip -o link; sleep 0.2']);
  plan.hostname = 'berth-test';
  plan.loopbackUp = true;
  let hostMounts = '';
  const r = await runPlan(plan, () => {
    hostMounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '1');
  assert.equal(lines[1], 'berth-test');
  const links = lines.slice(2);
  assert.equal(links.length, 1, `only lo: ${r.stdout}`);
  assert.match(links[0]!, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  assert.ok(!hostMounts.includes(rootfs), 'container mounts are invisible on the host');
  assert.notEqual(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(), 'berth-test');
});

test('user namespace with a uid map', async () => {
  const plan = launchPlan(['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g']);
  plan.newNamespaces = ['user', ...plan.newNamespaces];
  plan.uidMappings = [{ inside: 0, outside: 100000, count: 65536 }];
  plan.gidMappings = [{ inside: 0, outside: 100000, count: 65536 }];
  plan.setgroupsDeny = true;
  const r = await runPlan(plan);
  assert.equal(r.code, 0, r.stderr);
  const words = r.stdout.trim().split(/\s+/);
  assert.deepEqual(words, ['0', '100000', '65536', '0', '100000', '65536', '0', '0']);
  assert.equal(fs.readFileSync(`/proc/self/uid_map`, 'utf8').trim().split(/\s+/)[1], '0');
});

test('time namespace offsets', async () => {
  const plan = launchPlan(['sh', '-c', 'cat /proc/self/timens_offsets; cat /proc/uptime']);
  plan.newNamespaces.push('time');
  plan.timeOffsets = [{ clock: 'monotonic', secs: 86400n, nanos: 0 }, { clock: 'boottime', secs: 172800n, nanos: 0 }];
  const r = await runPlan(plan);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^monotonic\s+86400\s+0$/m);
  assert.match(r.stdout, /^boottime\s+172800\s+0$/m);
  const uptime = Number(r.stdout.trim().split('\n').at(-1)!.split(' ')[0]);
  const hostUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  assert.ok(uptime - hostUptime > 172000, `uptime ${uptime} vs host ${hostUptime}`);
});

test('cgroup placement, with and without a cgroup namespace', async () => {
  const dir = `/sys/fs/cgroup/pids/berth-test-${process.pid}`;
  fs.mkdirSync(dir);
  try {
    for (const cgroupns of [false, true]) {
      const plan = launchPlan(['sh', '-c', 'grep pids /proc/self/cgroup']);
      plan.cgroupProcs = [path.join(dir, 'cgroup.procs')];
      if (cgroupns) plan.newNamespaces.push('cgroup');
      const helper = startHelper(plan, { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout = collect(helper.stdout);
      const pid = await helper.created();
      const procs = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
      assert.ok(procs.includes(pid), `${pid} in ${procs}`);
      helper.continue();
      await helper.ready();
      assert.equal((await helper.exited).code, 0);
      const line = (await stdout).trim();
      assert.match(line, cgroupns ? /:pids:\/$/ : new RegExp(`:pids:/berth-test-${process.pid}$`));
    }
  } finally {
    fs.rmdirSync(dir);
  }
});

test('exec fifo blocks the process until it is opened for reading', async () => {
  const fifo = path.join(tmp, 'exec.fifo');
  execFileSync('mkfifo', [fifo]);
  const plan = launchPlan(['sh', '-c', 'echo started']);
  plan.wait = false;
  plan.execFifo = fifo;
  const helper = startHelper(plan, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = collect(helper.stdout);
  await helper.created();
  helper.continue();
  const pid = await helper.ready();
  try {
    // Without `wait` the helper exits at once and the process is orphaned, still blocked.
    assert.deepEqual(await helper.exited, { code: 0, signal: null });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(alive(pid));
    assert.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'berth-helper', 'not exec\'d yet');
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    assert.equal(await stdout, 'started\n');
    fs.closeSync(fd);
  } finally {
    await killAndWait(pid);
    fs.rmSync(fifo);
  }
});

test('wait mode returns the exit code, and 128+signal for a forwarded signal', async () => {
  const r = await runPlan(launchPlan(['sh', '-c', 'exit 7']));
  assert.equal(r.code, 7);
  // Not pid 1 of a pid namespace: init would ignore a SIGTERM it has no handler for.
  const plan = launchPlan(['sleep', '10']);
  plan.newNamespaces = ['mount'];
  const s = await runPlan(plan, (h) => h.signal('SIGTERM'));
  assert.equal(s.code, 128 + 15, 'sleep 10 would exit 0 had the signal not reached it');
});

test('a missing executable is a HelperError at ready, before the fifo', async () => {
  const plan = launchPlan(['nosuchcmd']);
  plan.execFifo = path.join(tmp, 'never-created.fifo');
  // The fifo must exist for the helper to open it; the lookup failure must come first anyway.
  execFileSync('mkfifo', [plan.execFifo]);
  try {
    const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
    await helper.created();
    helper.continue();
    const err = await helper.ready().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof HelperError, String(err));
    assert.equal(err.step, 'exec');
    assert.equal(err.errnoName, 'ENOENT');
    assert.equal(err.message, 'exec: "nosuchcmd": executable file not found in $PATH');
    assert.equal((await helper.exited).code, 1);
  } finally {
    fs.rmSync(plan.execFifo!);
  }
});

test('a bad mount is a HelperError naming source and destination', async () => {
  const plan = launchPlan(['true']);
  plan.mounts.push({ source: 'none', destination: '/bad', fstype: 'nosuchfs', flags: 0, propagation: 0, data: '' });
  const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
  await helper.created();
  helper.continue();
  const err = await helper.ready().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof HelperError, String(err));
  assert.equal(err.step, 'mount');
  assert.equal(err.detail, '/bad');
  assert.equal(err.message, 'mount "none" on "/bad": ENODEV (no such device)');
  assert.equal((await helper.exited).code, 1);
  assert.ok(!fs.existsSync(path.join(rootfs, 'bad')) || fs.readdirSync(path.join(rootfs, 'bad')).length === 0);
  fs.rmSync(path.join(rootfs, 'bad'), { recursive: true, force: true });
});

test('bind mounts: read-only remount, files, and symlinks cannot escape the rootfs', async () => {
  const src = path.join(tmp, 'bind-src');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'f'), 'hello\n');
  // A symlink in the image pointing at a host path must resolve inside the rootfs.
  fs.symlinkSync('/' + path.relative('/', path.join(tmp, 'escape')), path.join(rootfs, 'mnt', 'link'));
  try {
    const plan = launchPlan(['sh', '-c', 'cat /data/f; touch /data/g 2>/dev/null || echo ro; cat /file; ls /mnt/link']);
    plan.mounts.push(
      { source: src, destination: '/data', fstype: '', flags: MS_BIND | MS_REC | 1, propagation: 0, data: '' },
      { source: path.join(src, 'f'), destination: '/file', fstype: '', flags: MS_BIND, propagation: 0, data: '' },
      { source: 'tmpfs', destination: '/mnt/link', fstype: 'tmpfs', flags: 0, propagation: 0, data: 'size=1m' },
    );
    const r = await runPlan(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\nro\nhello\n');
    assert.ok(!fs.existsSync(path.join(tmp, 'escape')), 'nothing was created outside the rootfs');
  } finally {
    fs.rmSync(path.join(rootfs, 'mnt', 'link'));
    fs.rmSync(path.join(rootfs, 'file'), { force: true });
    fs.rmSync(path.join(rootfs, 'data'), { recursive: true, force: true });
    fs.rmSync(path.join(rootfs, tmp.slice(1)), { recursive: true, force: true });
    fs.rmSync(path.join(rootfs, tmp.split('/')[1]!), { recursive: true, force: true });
  }
});

for (const userns of [false, true]) {
  test(`exec mode joins a running container and sees its pid namespace${userns ? ' (user namespace)' : ''}`, async () => {
    const plan = launchPlan(['sleep', '30']);
    plan.wait = false;
    plan.hostname = 'joined';
    if (userns) {
      plan.newNamespaces.unshift('user');
      plan.uidMappings = [{ inside: 0, outside: 100000, count: 65536 }];
      plan.gidMappings = [{ inside: 0, outside: 100000, count: 65536 }];
    }
    const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
    await helper.created();
    helper.continue();
    const pid = await helper.ready();
    try {
      const exec = emptyPlan('exec', proc(['sh', '-c', 'echo $$; cat /proc/1/comm; hostname; cut -c1-30 /proc/self/uid_map']));
      exec.joinNamespaces = plan.newNamespaces.map((t) => ({ type: t, path: `/proc/${pid}/ns/${t === 'mount' ? 'mnt' : t}` }));
      exec.wait = true;
      const r = await runPlan(exec);
      assert.equal(r.code, 0, r.stderr);
      const [execPid, comm, host, map] = r.stdout.trim().split('\n');
      assert.notEqual(execPid, '1');
      assert.ok(Number(execPid) < 10, `pid ${execPid} is in the container's pid namespace`);
      assert.equal(comm, 'sleep');
      assert.equal(host, 'joined');
      assert.equal(map!.trim().split(/\s+/)[1], userns ? '100000' : '0');
    } finally {
      await killAndWait(pid);
    }
  });
}

test('preserved fds reach the container unchanged', async () => {
  const file = path.join(tmp, 'preserved');
  fs.writeFileSync(file, 'kept\n');
  const fd = fs.openSync(file, 'r');
  try {
    const plan = launchPlan(['sh', '-c', `cat <&${fd}; ls /proc/self/fd | wc -l`]);
    const helper = startHelper(plan, { stdio: ['ignore', 'pipe', 'pipe'], preserveFds: fd - 2 });
    const stdout = collect(helper.stdout);
    await helper.created();
    helper.continue();
    await helper.ready();
    assert.equal((await helper.exited).code, 0);
    // fds 0-2, the preserved 3..fd, and the one ls opens: nothing at or above the sync fd.
    assert.equal(await stdout, `kept\n${fd + 2}\n`);
  } finally {
    fs.closeSync(fd);
  }
});

test('process settings, read-only root, masked and read-only paths, sysctls', async () => {
  const CAP_NET_BIND_SERVICE = 1n << 10n;
  const plan = withDev(launchPlan(['sh', '-c', [
    'id -u; id -g; id -G; pwd; umask; ulimit -n',
    'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | tr -d "\\t"',
    'wc -c < /proc/keys; ls /proc/acpi | wc -l',
    'cat /proc/sys/net/ipv4/ip_forward',
    'awk \'$5 == "/" || $5 == "/proc/sys" { split($6, o, ","); print $5, o[1] }\' /proc/self/mountinfo',
    'ls /proc/self/fd | tr "\\n" " "; echo',
  ].join('; ')], {
    uid: 1000, gid: 1000, groups: [10, 20], umask: 0o027, cwd: '/home/u',
    rlimits: [{ resource: 7 /* RLIMIT_NOFILE */, soft: 512n, hard: 1024n }],
    caps: { bounding: CAP_NET_BIND_SERVICE, effective: CAP_NET_BIND_SERVICE, permitted: CAP_NET_BIND_SERVICE,
      inheritable: CAP_NET_BIND_SERVICE, ambient: CAP_NET_BIND_SERVICE },
    noNewPrivileges: true,
  }));
  fs.mkdirSync(path.join(rootfs, 'home'));
  plan.readonlyRoot = true;
  plan.maskedPaths = ['/proc/keys', '/proc/acpi', '/proc/does-not-exist'];
  plan.readonlyPaths = ['/proc/sys'];
  plan.sysctls = [{ key: 'net.ipv4.ip_forward', value: '1' }];
  try {
    const r = await runPlan(plan);
    assert.equal(r.code, 0, r.stderr);
    const cap = (n: bigint) => n.toString(16).padStart(16, '0');
    assert.deepEqual(r.stdout.trim().split('\n'), [
      '1000', '1000', '1000 10 20', '/home/u', '0027', '512',
      `CapInh:${cap(CAP_NET_BIND_SERVICE)}`, `CapPrm:${cap(CAP_NET_BIND_SERVICE)}`, `CapEff:${cap(CAP_NET_BIND_SERVICE)}`,
      `CapBnd:${cap(CAP_NET_BIND_SERVICE)}`, `CapAmb:${cap(CAP_NET_BIND_SERVICE)}`,
      '0', '0', '1', '/ ro', '/proc/sys ro', '0 1 2 3',
    ]);
  } finally {
    fs.rmSync(path.join(rootfs, 'home'), { recursive: true });
  }
});

test('no-pivot moves the rootfs onto / and chroots', async () => {
  const plan = launchPlan(['sh', '-c', 'ls /bin/busybox; echo $$']);
  plan.noPivot = true;
  const r = await runPlan(plan);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/bin/busybox\n1\n');
});

/** tmpfs /dev with a new devpts instance and the nodes a shell needs. */
function withDev(plan: LaunchPlan): LaunchPlan {
  plan.mounts.push(
    { source: 'tmpfs', destination: '/dev', fstype: 'tmpfs', flags: MS_NOSUID, propagation: 0, data: 'mode=755' },
    { source: 'devpts', destination: '/dev/pts', fstype: 'devpts', flags: MS_NOSUID | MS_NOEXEC, propagation: 0, data: 'newinstance,ptmxmode=0666,mode=0620' },
  );
  plan.devices.push({ path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 });
  plan.symlinks.push({ target: '/proc/self/fd', link: '/dev/fd' });
  return plan;
}

test('terminal relayed by the helper in wait mode', async () => {
  const plan = withDev(launchPlan(['sh', '-c', 'tty; stty size; read x; echo got-$x'], { terminal: true, consoleSize: { rows: 33, cols: 111 } }));
  const helper = startHelper(plan, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = collect(helper.stdout);
  await helper.created();
  helper.continue();
  await helper.ready();
  helper.stdin!.end('abc\n');
  assert.equal((await helper.exited).code, 0);
  const out = (await stdout).replace(/\r/g, '');
  assert.match(out, /^\/dev\/pts\/0$/m);
  assert.match(out, /^33 111$/m);
  assert.match(out, /^got-abc$/m);
});

const RECEIVER = `
import socket, sys, os, select
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1)
print('listening', flush=True)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
print('name', msg.decode(), flush=True)
m = fds[0]
os.write(m, b'abc\\n')
out = b''
while b'got-abc' not in out:
    r, _, _ = select.select([m], [], [], 5)
    if not r: break
    try: chunk = os.read(m, 4096)
    except OSError: break
    if not chunk: break
    out += chunk
print(out.decode().replace('\\r', ''), flush=True)
`;

test('terminal master sent over the console socket', async () => {
  const sock = path.join(tmp, 'console.sock');
  const py = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pyOut = collect(py.stdout);
  await new Promise<void>((resolve) => py.stdout.once('data', () => resolve()));
  const plan = withDev(launchPlan(['sh', '-c', 'read x; echo got-$x; sleep 1'], { terminal: true, consoleSocket: sock }));
  plan.wait = false;
  const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
  await helper.created();
  helper.continue();
  const pid = await helper.ready();
  try {
    assert.equal((await helper.exited).code, 0);
    const out = await pyOut;
    assert.match(out, /name berth-console/);
    assert.match(out, /^got-abc$/m);
  } finally {
    await killAndWait(pid);
    fs.rmSync(sock, { force: true });
  }
});

test('a `true` container launch takes a few milliseconds', async () => {
  const plan = launchPlan(['true']);
  await runPlan(plan);
  const n = 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) assert.equal((await runPlan(plan)).code, 0);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  console.log(`# launch of true: ${ms.toFixed(2)} ms`);
  assert.ok(ms < 100, `${ms} ms per launch`);
});
