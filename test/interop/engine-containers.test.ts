// The real docker CLI 28 against a real `berth daemon`: the container lifecycle, logs, exec, attach through a
// pty, copy/export, events, and the run options that change what the container sees (user, env, caps, limits,
// restart policies). Root: real namespaces, cgroups, CNI bridge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineDaemon, type RunResult } from '../fixtures/engine-daemon.js';
import { rulesMentioning, removeBridgeRules, removeBridge, hostRun as run } from '../fixtures/host-network.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (namespaces, cgroups, CNI)');

// Per-file bridge and subnet so the four engine interop files never share a device or addresses.
const BRIDGE = 'bt-e5ctr';
const SUBNET_PREFIX = '10.231.71.';
let d: EngineDaemon;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e5ctr-'));

before(async () => {
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: `${SUBNET_PREFIX}0/24` });
});

after(async () => {
  const leftovers = d ? await d.stop() : [];
  const ports = (await run('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim();
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  const rules = (await rulesMentioning(BRIDGE, SUBNET_PREFIX)).map((r) => r.rule);
  fs.rmSync(scratch, { recursive: true, force: true });
  assert.deepEqual(leftovers, [], 'the daemon left things behind');
  assert.equal(ports, '', `veths still attached to ${BRIDGE}`);
  assert.deepEqual(rules, [], `iptables rules for ${SUBNET_PREFIX}0/24 left behind`);
});




const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function why(args: string[], r: RunResult): string {
  const log = d.logs().split('\n').filter((l) => !/level=debug/.test(l) || / → [45]\d\d/.test(l)).slice(-12).join('\n');
  return `docker ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log:\n${log}`;
}

/** Runs the docker CLI (bounded: a hang fails with status null instead of blocking the file). */
function dk(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return d.docker(args, { timeoutMs: 30_000, ...opts });
}

/** Runs the docker CLI and requires exit 0. */
async function ok(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  const r = await dk(args, opts);
  assert.equal(r.status, 0, why(args, r));
  return r;
}

async function expectStatus(args: string[], status: number): Promise<RunResult> {
  const r = await dk(args);
  assert.equal(r.status, status, why(args, r));
  return r;
}

async function inspect<T = unknown>(name: string, format: string): Promise<T> {
  return JSON.parse((await ok(['inspect', '-f', `{{json ${format}}}`, name])).stdout) as T;
}

/** Polls cond (bounded) until it returns true; fails with what it waited for. */
async function until(what: string, cond: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}\n${d.logs().split('\n').slice(-15).join('\n')}`);
}

async function rm(...names: string[]): Promise<void> {
  await dk(['rm', '-f', '-v', ...names]);
}

// A pty for the docker CLI (30 rows × 100 columns, set before the CLI starts): steps are [regex, text] pairs, each
// text sent once the output so far matches its regex. Prints the output and exits with the CLI's status.
const PTY_DRIVER = String.raw`
import os, sys, json, fcntl, termios, struct, subprocess, select, re, time
args = json.loads(sys.argv[1]); steps = json.loads(sys.argv[2])
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
p = subprocess.Popen(args, stdin=s, stdout=s, stderr=s, start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
os.close(s)
out = b''; i = 0; deadline = time.time() + 20
while True:
    if time.time() > deadline:
        sys.stdout.buffer.write(out + b'<<no exit within the pty driver deadline>>'); p.kill(); sys.exit(124)
    if i < len(steps) and re.search(steps[i][0].encode(), out):
        os.write(m, steps[i][1].encode()); i += 1; continue
    r, _, _ = select.select([m], [], [], 0.1)
    if not r: continue
    try: chunk = os.read(m, 65536)
    except OSError: break
    if not chunk: break
    out += chunk
sys.stdout.buffer.write(out)
sys.exit(p.wait())
`;

/** Runs `docker args` on a terminal (a real pty) and returns its output and status. */
function onPty(args: string[], steps: [string, string][] = []): Promise<RunResult> {
  return run('python3', ['-c', PTY_DRIVER, JSON.stringify(['docker', ...args]), JSON.stringify(steps)], d.dockerEnv());
}

test('docker version and info describe the Berth server and count containers', async () => {
  const v = JSON.parse((await ok(['version', '--format', '{{json .Server}}'])).stdout) as { ApiVersion: string; Os: string; Arch: string };
  assert.equal(v.Os, 'linux');
  assert.match(v.ApiVersion, /^1\.4\d$/);
  const info = async () => JSON.parse((await ok(['info', '--format', '{{json .}}'])).stdout) as Record<string, number | string>;
  const before = await info();
  assert.equal(before.OSType, 'linux');
  assert.equal(before.Images, 1);
  assert.ok(Number(before.NCPU) >= 1 && Number(before.MemTotal) > 0);
  await ok(['run', '-d', '--name', 'info-c', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    const during = await info();
    assert.equal(during.ContainersRunning, Number(before.ContainersRunning) + 1);
    assert.equal(during.Containers, Number(before.Containers) + 1);
  } finally {
    await rm('info-c');
  }
});

test('run --rm busybox echo hi prints hi, exits 0 and removes the container', async () => {
  const r = await ok(['run', '--rm', '--name', 'rm-c', '--network', 'none', 'busybox', 'echo', 'hi']);
  assert.equal(r.stdout, 'hi\n');
  assert.equal((await ok(['ps', '-a', '--filter', 'name=rm-c', '-q'])).stdout, '');
});

test('the container exit code is docker run\'s exit code', async () => {
  await expectStatus(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 7'], 7);
});

test('short-lived containers: run --rm never loses the output nor fails start because the process already exited', async () => {
  // A process that exits at once races the attach and the start confirmation: both must be ordered, not timed.
  for (let i = 1; i <= 20; i++) {
    const args = ['run', '--rm', '--network', 'none', 'busybox', 'echo', `run${i}`];
    const r = await dk(args);
    assert.deepEqual([r.status, r.stdout], [0, `run${i}\n`], `attempt ${i}: ${why(args, r)}`);
  }
});

test('run -d, ps (table and json) and ps -a after the container exits', async () => {
  const id = (await ok(['run', '-d', '--name', 'ps-c', '--network', 'none', 'busybox', 'sleep', '60'])).stdout.trim();
  try {
    assert.match(id, /^[0-9a-f]{64}$/);
    const table = (await ok(['ps'])).stdout;
    assert.match(table, new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"sleep 60"\\s+.*\\s+Up .*ps-c$`, 'm'));
    const row = JSON.parse((await ok(['ps', '-a', '--filter', 'name=ps-c', '--format', 'json'])).stdout) as Record<string, string>;
    assert.equal(row.Names, 'ps-c');
    assert.equal(row.ID, id.slice(0, 12));
    assert.equal(row.State, 'running');
    assert.match(row.Status!, /^Up /);
    await ok(['kill', 'ps-c']);
    assert.doesNotMatch((await ok(['ps'])).stdout, /ps-c/);
    const gone = JSON.parse((await ok(['ps', '-a', '--filter', 'name=ps-c', '--format', 'json'])).stdout) as Record<string, string>;
    assert.equal(gone.State, 'exited');
    assert.match(gone.Status!, /^Exited \(137\) /);
  } finally {
    await rm('ps-c');
  }
});

test('logs: stdout and stderr apart, --tail 2, --timestamps', async () => {
  await ok(['run', '--name', 'logs-c', '--network', 'none', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2']);
  try {
    const all = await ok(['logs', 'logs-c']);
    assert.equal(all.stdout, 'line1\nline2\nline3\nline4\nline5\n');
    assert.equal(all.stderr, 'oops\n');
    const tail = await ok(['logs', '--tail', '2', 'logs-c']);
    assert.equal(tail.stdout, 'line5\n');
    assert.equal(tail.stderr, 'oops\n');
    const ts = (await ok(['logs', '--timestamps', 'logs-c'])).stdout.split('\n').filter(Boolean);
    assert.equal(ts.length, 5);
    for (const [i, l] of ts.entries()) assert.match(l, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z line${i + 1}$`));
  } finally {
    await rm('logs-c');
  }
});

test('logs -f follows new lines and ends when the container exits', async () => {
  await ok(['run', '-d', '--name', 'follow-c', '--network', 'none', 'busybox', 'sh', '-c', 'for i in 1 2 3 4; do echo f$i; sleep 0.3; done']);
  try {
    const r = await ok(['logs', '-f', 'follow-c']);
    assert.equal(r.stdout, 'f1\nf2\nf3\nf4\n');
    assert.equal(await inspect('follow-c', '.State.Status'), 'exited');
  } finally {
    await rm('follow-c');
  }
});

test('exec: output of every run, exit code, -e/-w/-u, and exec -i with stdin', async () => {
  await ok(['run', '-d', '--name', 'exec-c', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    // Short-lived execs: their output must never be lost (the stream must be joined before the process runs).
    for (let i = 1; i <= 6; i++) assert.equal((await ok(['exec', 'exec-c', 'echo', `run${i}`])).stdout, `run${i}\n`, `exec #${i} lost its output`);
    const r = await expectStatus(['exec', 'exec-c', 'sh', '-c', 'echo out; echo err >&2; exit 3'], 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal((await ok(['exec', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', 'exec-c', 'sh', '-c', 'echo $FOO $(pwd) $(id -u)'])).stdout, 'bar /tmp 65534\n');
    assert.equal((await ok(['exec', '-i', 'exec-c', 'sh', '-c', 'cat; echo end'], { input: 'from stdin\n' })).stdout, 'from stdin\nend\n');
  } finally {
    await rm('exec-c');
  }
});

test('run -i: stdin reaches the container and its end closes the process\'s stdin', async () => {
  assert.equal((await ok(['run', '-i', '--rm', '--network', 'none', 'busybox', 'cat'], { input: 'hi\n' })).stdout, 'hi\n');
  const big = Buffer.alloc(1 << 20, 'x');
  assert.equal((await ok(['run', '-i', '--rm', '--network', 'none', 'busybox', 'wc', '-c'], { input: big })).stdout.trim(), String(1 << 20));
});

test('run -it: a terminal from the first instruction (console size applied at start), interactive shell, exit code', async () => {
  let r = await onPty(['run', '-it', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'tty; exit 6']);
  assert.equal(r.status, 6, r.stdout);
  assert.match(r.stdout, /^\/dev\/pts\/\d+\r$/m);
  r = await onPty(['run', '-it', '--rm', '--network', 'none', 'busybox', 'stty', 'size']);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.stdout.trim(), '30 100', 'the console size from create must be in place before the process starts');
  r = await onPty(['run', '-it', '--rm', '--network', 'none', 'busybox', 'sh'], [['# ', 'echo hi-$((1+1))\r'], ['hi-2\r\n', 'exit 3\r']]);
  assert.equal(r.status, 3, r.stdout);
  assert.match(r.stdout, /hi-2/);
});

test('exec -it: a pty inside a running container, its size, an interactive shell and its exit code', async () => {
  await ok(['run', '-d', '--name', 'pty-c', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await onPty(['exec', '-it', 'pty-c', 'sh', '-c', 'tty; stty size']);
      assert.equal(r.status, 0, r.stdout);
      assert.match(r.stdout, /^\/dev\/pts\/\d+\r\n30 100\r\n$/, `exec -it run #${i + 1}: output lost or wrong`);
    }
    const r = await onPty(['exec', '-it', 'pty-c', 'sh'], [['# ', 'echo $((6*7))\r'], ['42\r\n', 'exit 5\r']]);
    assert.match(r.stdout, /42/);
    assert.equal(r.status, 5, r.stdout);
    assert.equal((await onPty(['exec', '-it', 'pty-c', 'sh', '-c', 'exit 4'])).status, 4);
  } finally {
    await rm('pty-c');
  }
});

test('stop: a TERM-trapping container exits 0; a plain sleep (pid 1 ignores TERM) is killed after -t 1 with 137', async () => {
  await ok(['run', '-d', '--name', 'trap-c', '--network', 'none', 'busybox', 'sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.1; done"]);
  await ok(['run', '-d', '--name', 'plain-c', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    assert.equal((await ok(['stop', '-t', '20', 'trap-c'])).stdout, 'trap-c\n');
    const st = await inspect<{ Status: string; ExitCode: number }>('trap-c', '.State');
    assert.deepEqual([st.Status, st.ExitCode], ['exited', 0], 'the TERM trap exits 0: the container was killed instead');
    await ok(['stop', '-t', '1', 'plain-c']);
    assert.equal(await inspect('plain-c', '.State.ExitCode'), 137);
    assert.equal(await inspect('plain-c', '.State.Status'), 'exited');
  } finally {
    await rm('trap-c', 'plain-c');
  }
});

test('restart runs the command again in the same container (same filesystem, new process)', async () => {
  await ok(['run', '-d', '--name', 'restart-c', '--network', 'none', 'busybox', 'sh', '-c', 'echo start >> /starts; wc -l < /starts; exec sleep 60']);
  try {
    const pid1 = await inspect<number>('restart-c', '.State.Pid');
    await ok(['restart', '-t', '1', 'restart-c']);
    const pid2 = await inspect<number>('restart-c', '.State.Pid');
    assert.notEqual(pid2, pid1);
    assert.equal(await inspect('restart-c', '.State.Status'), 'running');
    // The log spans both runs; the second run found the first run's line in the same filesystem.
    await until('the second run\'s output', async () => (await ok(['logs', 'restart-c'])).stdout === '1\n2\n');
    assert.equal(fs.existsSync(`/proc/${pid1}`), false, `the first process ${pid1} is still alive`);
  } finally {
    await rm('restart-c');
  }
});

test('kill -s USR1 delivers the signal; kill (KILL) ends the container with 137', async () => {
  await ok(['run', '-d', '--name', 'sig-c', '--network', 'none', 'busybox', 'sh', '-c', "trap 'echo got-usr1' USR1; while true; do sleep 0.1; done"]);
  try {
    await ok(['kill', '-s', 'USR1', 'sig-c']);
    await until('got-usr1 in the logs', async () => (await ok(['logs', 'sig-c'])).stdout.includes('got-usr1'));
    assert.equal(await inspect('sig-c', '.State.Running'), true);
    await ok(['kill', 'sig-c']);
    assert.equal(await inspect('sig-c', '.State.ExitCode'), 137);
  } finally {
    await rm('sig-c');
  }
});

test('pause freezes the container (ps shows Paused, exec refused); unpause resumes it', async () => {
  await ok(['run', '-d', '--name', 'pause-c', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    await ok(['pause', 'pause-c']);
    assert.match((await ok(['ps', '--filter', 'name=pause-c'])).stdout, /Up .*\(Paused\)/);
    assert.equal(await inspect('pause-c', '.State.Status'), 'paused');
    const pid = await inspect<number>('pause-c', '.State.Pid');
    assert.equal(freezerState(pid), 'FROZEN');
    const ex = await dk(['exec', 'pause-c', 'true']);
    assert.notEqual(ex.status, 0);
    assert.match(ex.stderr, /paused/);
    await ok(['unpause', 'pause-c']);
    assert.doesNotMatch((await ok(['ps', '--filter', 'name=pause-c'])).stdout, /Paused/);
    assert.equal(await inspect('pause-c', '.State.Status'), 'running');
    assert.equal(freezerState(pid), 'THAWED');
  } finally {
    await rm('pause-c');
  }
});

/** The freezer state of a host pid's cgroup (v1 freezer.state, or v2 cgroup.freeze as FROZEN/THAWED). */
function freezerState(pid: number): string {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:freezer:/.test(l));
  if (v1) return fs.readFileSync(path.join('/sys/fs/cgroup/freezer', v1.split(':')[2]!, 'freezer.state'), 'utf8').trim();
  const rel = lines.find((l) => l.startsWith('0::'))!.slice(3);
  return fs.readFileSync(path.join('/sys/fs/cgroup', rel, 'cgroup.freeze'), 'utf8').trim() === '1' ? 'FROZEN' : 'THAWED';
}

test('rename changes the name everywhere; the old name is free', async () => {
  await ok(['run', '-d', '--name', 'old-name', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    await ok(['rename', 'old-name', 'new-name']);
    assert.match((await ok(['ps', '--format', '{{.Names}}'])).stdout, /^new-name$/m);
    assert.equal(await inspect('new-name', '.Name'), '/new-name');
    assert.notEqual((await dk(['inspect', '--type', 'container', 'old-name'])).status, 0);
    await ok(['create', '--name', 'old-name', 'busybox']);
  } finally {
    await rm('new-name', 'old-name');
  }
});

test('rm -f of a running container kills its process and removes it', async () => {
  await ok(['run', '-d', '--name', 'rmf-c', '--network', 'none', 'busybox', 'sleep', '60']);
  const pid = await inspect<number>('rmf-c', '.State.Pid');
  assert.equal((await ok(['rm', '-f', 'rmf-c'])).stdout, 'rmf-c\n');
  assert.equal((await ok(['ps', '-a', '-q', '--filter', 'name=rmf-c'])).stdout, '');
  assert.equal(fs.existsSync(`/proc/${pid}`), false, `process ${pid} survived rm -f`);
});

test('inspect: State, Config.Image, an address on the bridge subnet, and Mounts (bind and volume)', async () => {
  const host = fs.mkdtempSync(path.join(scratch, 'bind-'));
  await ok(['run', '-d', '--name', 'insp-c', '-v', `${host}:/data`, '-v', 'insp-vol:/vol:ro', 'busybox', 'sleep', '60']);
  try {
    const c = JSON.parse((await ok(['inspect', 'insp-c'])).stdout)[0];
    assert.equal(c.Name, '/insp-c');
    assert.equal(c.State.Status, 'running');
    assert.equal(c.State.Running, true);
    assert.ok(fs.existsSync(`/proc/${c.State.Pid}`));
    assert.equal(c.Config.Image, 'busybox');
    assert.deepEqual(c.Config.Cmd, ['sleep', '60']);
    assert.equal(c.Path, 'sleep');
    assert.ok(c.NetworkSettings.IPAddress.startsWith(SUBNET_PREFIX), `IPAddress ${c.NetworkSettings.IPAddress} not in ${SUBNET_PREFIX}0/24`);
    assert.equal(c.NetworkSettings.Gateway, `${SUBNET_PREFIX}1`);
    const addr = await run('nsenter', ['-t', String(c.State.Pid), '-n', 'ip', '-4', 'addr', 'show', 'eth0']);
    assert.match(addr.stdout, new RegExp(`inet ${c.NetworkSettings.IPAddress.replace(/\./g, '\\.')}/24`));
    const bind = c.Mounts.find((m: { Destination: string }) => m.Destination === '/data');
    assert.deepEqual({ Type: bind.Type, Source: bind.Source, RW: bind.RW }, { Type: 'bind', Source: host, RW: true });
    const vol = c.Mounts.find((m: { Destination: string }) => m.Destination === '/vol');
    assert.deepEqual({ Type: vol.Type, Name: vol.Name, RW: vol.RW, Driver: vol.Driver }, { Type: 'volume', Name: 'insp-vol', RW: false, Driver: 'local' });
  } finally {
    await rm('insp-c');
    await dk(['volume', 'rm', 'insp-vol']);
  }
});

test('top lists the container\'s processes with host pids; stats --no-stream reports pids and the memory limit', async () => {
  await ok(['run', '-d', '--name', 'top-c', '--memory', '32m', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    const pid = await inspect<number>('top-c', '.State.Pid');
    const top = (await ok(['top', 'top-c'])).stdout.split('\n');
    assert.match(top[0]!, /^UID\s+PID\s+PPID\s+.*CMD$/);
    assert.ok(top.some((l) => new RegExp(`^root\\s+${pid}\\s.*sleep 60$`).test(l)), top.join('\n'));
    const s = JSON.parse((await ok(['stats', '--no-stream', '--format', '{{json .}}', 'top-c'])).stdout) as Record<string, string>;
    assert.equal(s.Name, 'top-c');
    assert.equal(s.PIDs, '1');
    assert.match(s.MemUsage!, /^[\d.]+[KMG]?i?B \/ 32MiB$/);
    assert.match(s.CPUPerc!, /^\d+\.\d\d%$/);
  } finally {
    await rm('top-c');
  }
});

/** Host files for cp tests: file.txt and dir/sub/deep.txt. */
function cpSource(): string {
  const src = fs.mkdtempSync(path.join(scratch, 'cp-'));
  fs.mkdirSync(path.join(src, 'dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(src, 'file.txt'), 'file content\n');
  fs.writeFileSync(path.join(src, 'dir/sub/deep.txt'), 'deep content\n');
  return src;
}

test('cp into a running container: a file into an existing directory, a directory to a new path', async () => {
  const src = cpSource();
  await ok(['run', '-d', '--name', 'cp-in', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    const root = `/proc/${await inspect<number>('cp-in', '.State.Pid')}/root`;
    await ok(['cp', path.join(src, 'dir'), 'cp-in:/tmp/newdir']);
    assert.equal(fs.readFileSync(path.join(root, 'tmp/newdir/sub/deep.txt'), 'utf8'), 'deep content\n');
    await ok(['cp', path.join(src, 'file.txt'), 'cp-in:/tmp/']);
    assert.equal(fs.readFileSync(path.join(root, 'tmp/file.txt'), 'utf8'), 'file content\n');
    await ok(['cp', path.join(src, 'file.txt'), 'cp-in:/etc']);
    assert.equal(fs.readFileSync(path.join(root, 'etc/file.txt'), 'utf8'), 'file content\n');
  } finally {
    await rm('cp-in');
  }
});

test('cp out of a running container: a file and a directory', async () => {
  const dst = cpSource();
  await ok(['run', '-d', '--name', 'cp-out', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    const root = `/proc/${await inspect<number>('cp-out', '.State.Pid')}/root`;
    fs.mkdirSync(path.join(root, 'out/x'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out/x/made.txt'), 'made inside\n');
    await ok(['cp', 'cp-out:/out', path.join(dst, 'out-dir')]);
    assert.equal(fs.readFileSync(path.join(dst, 'out-dir/x/made.txt'), 'utf8'), 'made inside\n');
    await ok(['cp', 'cp-out:/etc/passwd', path.join(dst, 'passwd')]);
    assert.match(fs.readFileSync(path.join(dst, 'passwd'), 'utf8'), /^nobody:x:65534:/m);
  } finally {
    await rm('cp-out');
  }
});

test('cp in and out of a stopped container', async () => {
  const src = cpSource();
  await ok(['create', '--name', 'cp-stopped', '--network', 'none', 'busybox', 'cat', '/in/sub/deep.txt', '/tmp/file.txt']);
  try {
    await ok(['cp', path.join(src, 'dir'), 'cp-stopped:/in']);
    await ok(['cp', path.join(src, 'file.txt'), 'cp-stopped:/tmp/']);
    assert.equal((await ok(['start', '-a', 'cp-stopped'])).stdout, 'deep content\nfile content\n');
    await ok(['cp', 'cp-stopped:/in/sub/deep.txt', path.join(src, 'back.txt')]);
    assert.equal(fs.readFileSync(path.join(src, 'back.txt'), 'utf8'), 'deep content\n');
  } finally {
    await rm('cp-stopped');
  }
});

test('export writes the container\'s filesystem as a tar (image files plus its changes)', async () => {
  await ok(['run', '--name', 'export-c', '--network', 'none', 'busybox', 'sh', '-c', 'echo changed > /marker']);
  const tar = path.join(scratch, 'export.tar');
  try {
    await ok(['export', '-o', tar, 'export-c']);
    const list = (await run('tar', ['-tf', tar])).stdout;
    assert.match(list, /^(\.\/)?bin\/busybox$/m);
    assert.match(list, /^(\.\/)?marker$/m);
  } finally {
    await rm('export-c');
  }
});

test('wait prints the exit code (while running and after the exit)', async () => {
  await ok(['run', '-d', '--name', 'wait-c', '--network', 'none', 'busybox', 'sh', '-c', 'sleep 0.5; exit 4']);
  try {
    assert.equal((await ok(['wait', 'wait-c'])).stdout, '4\n');
    assert.equal((await ok(['wait', 'wait-c'])).stdout, '4\n');
  } finally {
    await rm('wait-c');
  }
});

test('events --since/--until replay create, start, die (with exitCode) and destroy', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await expectStatus(['run', '--rm', '--name', 'events-c', '--network', 'none', 'busybox', 'sh', '-c', 'exit 3'], 3);
  const untilTs = Math.floor(Date.now() / 1000) + 1;
  const r = await ok(['events', '--since', String(since), '--until', String(untilTs), '--filter', 'container=events-c', '--format', '{{json .}}']);
  const evs = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } });
  const actions = evs.map((e) => e.Action).filter((a) => ['create', 'start', 'die', 'destroy'].includes(a));
  assert.deepEqual(actions, ['create', 'start', 'die', 'destroy'], r.stdout);
  assert.ok(evs.every((e) => e.Type === 'container' && e.Actor.Attributes.name === 'events-c'));
  assert.equal(evs.find((e) => e.Action === 'die')!.Actor.Attributes.exitCode, '3');
});

test('container prune -f removes stopped containers and keeps running ones', async () => {
  const exited = (await ok(['run', '-d', '--name', 'prune-exited', '--network', 'none', 'busybox', 'true'])).stdout.trim();
  await ok(['wait', 'prune-exited']);
  const created = (await ok(['create', '--name', 'prune-created', 'busybox'])).stdout.trim();
  await ok(['run', '-d', '--name', 'prune-running', '--network', 'none', 'busybox', 'sleep', '60']);
  try {
    const out = (await ok(['container', 'prune', '-f'])).stdout;
    assert.match(out, new RegExp(exited));
    assert.match(out, new RegExp(created));
    assert.equal((await ok(['ps', '-a', '--filter', 'name=prune-', '--format', '{{.Names}}'])).stdout, 'prune-running\n');
  } finally {
    await rm('prune-exited', 'prune-created', 'prune-running');
  }
});

test('run --init: pid 1 is docker-init (tini), the command is its child', async () => {
  const r = await ok(['run', '--rm', '--init', '--network', 'none', 'busybox', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; echo $$']);
  const [cmdline, shPid] = r.stdout.split('\n');
  assert.match(cmdline!, /^\/sbin\/docker-init -- sh -c /);
  assert.notEqual(shPid, '1');
  assert.match((await ok(['run', '--rm', '--init', '--network', 'none', 'busybox', 'ps', '-o', 'pid,comm'])).stdout, /^\s*1\s+docker-init$/m);
});

test('--user, -e, -w, --hostname and --entrypoint reach the process', async () => {
  assert.equal((await ok(['run', '--rm', '--network', 'none', '--user', 'nobody', 'busybox', 'id', '-u'])).stdout, '65534\n');
  assert.equal((await ok(['run', '--rm', '--network', 'none', '--user', '1234:5678', 'busybox', 'sh', '-c', 'echo $(id -u):$(id -g)'])).stdout, '1234:5678\n');
  const env = (await ok(['run', '--rm', '--network', 'none', '-e', 'FOO=bar baz', '-e', 'EMPTY=', 'busybox', 'env'])).stdout.split('\n');
  assert.ok(env.includes('FOO=bar baz') && env.includes('EMPTY='), env.join('\n'));
  assert.ok(env.some((l) => l.startsWith('PATH=')), 'PATH must be set');
  assert.equal((await ok(['run', '--rm', '--network', 'none', '-w', '/work/dir', 'busybox', 'pwd'])).stdout, '/work/dir\n');
  assert.equal((await ok(['run', '--rm', '--network', 'none', '--hostname', 'myhost', 'busybox', 'hostname'])).stdout, 'myhost\n');
  assert.equal((await ok(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/echo', 'busybox', 'a', 'b'])).stdout, 'a b\n');
});

test('--read-only: the root (and /tmp) is not writable unless a --tmpfs covers it; --tmpfs /run is a tmpfs', async () => {
  let r = await dk(['run', '--rm', '--network', 'none', '--read-only', 'busybox', 'touch', '/x']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Read-only file system/);
  r = await dk(['run', '--rm', '--network', 'none', '--read-only', 'busybox', 'touch', '/tmp/x']);
  assert.match(r.stderr, /Read-only file system/);
  await ok(['run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/tmp', 'busybox', 'touch', '/tmp/x']);
  r = await ok(['run', '--rm', '--network', 'none', '--tmpfs', '/run', 'busybox', 'sh', '-c', 'grep " /run " /proc/mounts && touch /run/ok']);
  assert.match(r.stdout, /^tmpfs \/run tmpfs rw/);
});

test('--cap-drop ALL removes chown and every effective capability', async () => {
  await ok(['run', '--rm', '--network', 'none', 'busybox', 'chown', 'nobody', '/tmp']);
  const r = await dk(['run', '--rm', '--network', 'none', '--cap-drop', 'ALL', 'busybox', 'chown', 'nobody', '/tmp']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Operation not permitted/);
  assert.match((await ok(['run', '--rm', '--network', 'none', '--cap-drop', 'ALL', 'busybox', 'grep', 'CapEff', '/proc/self/status'])).stdout, /CapEff:\s+0{16}/);
});

test('--privileged allows creating a network device, which the default profile refuses', async () => {
  // veth, not dummy: this VM's kernel has no dummy driver, so only veth tells privilege apart.
  const plain = await dk(['run', '--rm', '--network', 'none', 'busybox', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  assert.notEqual(plain.status, 0);
  assert.match(plain.stderr, /Operation not permitted/);
  try {
    // Not --rm: a start failure then shows as a CLI error instead of a wait for a removal.
    const r = await ok(['run', '--name', 'priv-c', '--network', 'none', '--privileged', 'busybox', 'sh', '-c', 'ip link add v0 type veth peer name v1 && ip link show v0']);
    assert.match(r.stdout, /^\d+: v0@/m);
  } finally {
    await rm('priv-c');
  }
});

test('--memory 16m: a memory hog is OOM-killed (137, State.OOMKilled); MemorySwap defaults to twice Memory', async () => {
  try {
    const r = await expectStatus(['run', '--name', 'oom-c', '--network', 'none', '--memory', '16m', 'busybox', 'sh', '-c', 'head -c 300m /dev/zero | tail'], 137);
    assert.equal(r.stdout, '');
    assert.equal(await inspect('oom-c', '.State.OOMKilled'), true);
    assert.equal(await inspect('oom-c', '.HostConfig.Memory'), 16 * 1024 * 1024);
    assert.equal(await inspect('oom-c', '.HostConfig.MemorySwap'), 32 * 1024 * 1024);
  } finally {
    await rm('oom-c');
  }
});

test('--pids-limit caps the processes (fork fails) and --cpus sets NanoCpus and the CFS quota', async () => {
  const r = await dk(['run', '--rm', '--network', 'none', '--pids-limit', '5', 'busybox', 'sh', '-c', 'for i in $(seq 1 20); do sleep 10 & done; echo started-all']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /can't fork|Resource temporarily unavailable/);
  assert.doesNotMatch(r.stdout, /started-all/);
  await ok(['run', '-d', '--name', 'cpus-c', '--network', 'none', '--cpus', '0.5', 'busybox', 'sleep', '60']);
  try {
    assert.equal(await inspect('cpus-c', '.HostConfig.NanoCpus'), 500_000_000);
    const pid = await inspect<number>('cpus-c', '.State.Pid');
    assert.equal(await cpuQuotaOf(pid), 0.5);
  } finally {
    await rm('cpus-c');
  }
});

/** The CPU share the kernel enforces on a host pid: quota/period from cgroup v1 cpu or v2 cpu.max. */
async function cpuQuotaOf(pid: number): Promise<number> {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:([\w,]*,)?cpu(,[\w,]*)?:/.test(l));
  if (v1) {
    const rel = v1.split(':')[2]!;
    const dir = fs.readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c)).find((p) => path.basename(p).split(',').includes('cpu'))!;
    const q = Number(fs.readFileSync(path.join(dir, rel, 'cpu.cfs_quota_us'), 'utf8'));
    const p = Number(fs.readFileSync(path.join(dir, rel, 'cpu.cfs_period_us'), 'utf8'));
    return q / p;
  }
  const rel = lines.find((l) => l.startsWith('0::'))!.slice(3);
  const [q, p] = fs.readFileSync(path.join('/sys/fs/cgroup', rel, 'cpu.max'), 'utf8').trim().split(' ');
  return Number(q) / Number(p);
}

test('--restart on-failure:2 runs the command three times, then stays exited with RestartCount 2', async () => {
  await ok(['run', '-d', '--name', 'onfail-c', '--network', 'none', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 3']);
  try {
    await until('RestartCount 2 and exited', async () => {
      const s = await inspect<{ Status: string }>('onfail-c', '.State');
      return s.Status === 'exited' && (await inspect<number>('onfail-c', '.RestartCount')) === 2;
    });
    await sleep(1500); // a third restart would have happened by now (Docker's backoff is 100 ms, 200 ms, …)
    assert.equal(await inspect('onfail-c', '.RestartCount'), 2);
    assert.equal(await inspect('onfail-c', '.State.ExitCode'), 3);
    assert.equal((await ok(['logs', 'onfail-c'])).stdout, 'run\nrun\nrun\n');
  } finally {
    await rm('onfail-c');
  }
});

test('--restart always brings the container back after its process exits; docker stop ends that', async () => {
  await ok(['run', '-d', '--name', 'always-c', '--network', 'none', '--restart', 'always', 'busybox', 'sh', '-c', 'echo run; sleep 0.3']);
  try {
    await until('a restart of always-c', async () => (await inspect<number>('always-c', '.RestartCount')) >= 1 && (await inspect('always-c', '.State.Running')) === true);
    assert.ok((await ok(['logs', 'always-c'])).stdout.split('\n').filter((l) => l === 'run').length >= 2);
    await ok(['stop', '-t', '1', 'always-c']);
    const count = await inspect<number>('always-c', '.RestartCount');
    await sleep(1500);
    assert.equal(await inspect('always-c', '.State.Status'), 'exited', 'a stopped container must not be restarted');
    assert.equal(await inspect('always-c', '.RestartCount'), count);
  } finally {
    await rm('always-c');
  }
});
