// berth-monitor itself, with a stand-in helper (`sh -c` that starts an "init" in the background and exits, as
// the real helper does): json-file encoding and line splitting, truncating rotation, fd and stdio hygiene,
// signal handling, which child is the init, stdin without StdinOnce, helper and setup failures.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { defaultMonitorPath, watchExit, connectMonitor, closeStdin, type MonitorFrame } from '../../../src/engine/monitor/index.js';
import { readProcStat } from '../../../src/common/process-probe.js';

const MONITOR = defaultMonitorPath();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-mn-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stray: number[] = [];
after(async () => {
  for (const pid of stray) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
interface Run {
  dir: string;
  log: string;
  exit: string;
  sock: string;
  ctl: string;
  pidFile: string;
  child: ChildProcess;
  /** What the monitor (or the helper) wrote on the sync fd. */
  sync: Promise<string>;
  /** The first monitor process's exit code (it exits at once after setup). */
  code: Promise<number | null>;
}

/** Runs berth-monitor with `script` as the helper (sh -c script fake-helper launch --sync-fd 3). */
function run(script: string, flags: (r: { dir: string; log: string; pidFile: string }) => string[] = () => [], stdio: 'ignore' | 'pipe' = 'ignore'): Run {
  const dir = path.join(tmp, `r${++n}`);
  fs.mkdirSync(dir);
  const p = { dir, log: path.join(dir, 'json.log'), exit: path.join(dir, 'exit.json'), sock: path.join(dir, 'a.sock'), ctl: path.join(dir, 'ctl'), pidFile: path.join(dir, 'init.pid') };
  const args = ['--log', p.log, '--exit-file', p.exit, '--socket', p.sock, '--ctl', p.ctl, ...flags(p),
    '--', '/bin/sh', '-c', script, 'fake-helper', 'launch', '--sync-fd', '3'];
  const child = spawn(MONITOR, args, { stdio: [stdio, stdio, stdio, 'pipe'], env: { ...process.env, DIR: dir } });
  const syncStream = child.stdio[3] as Duplex;
  const sync = new Promise<string>((resolve) => {
    let s = '';
    syncStream.on('data', (d: Buffer) => (s += d.toString()));
    syncStream.on('error', () => {});
    syncStream.on('close', () => resolve(s));
  });
  const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { ...p, child, sync, code };
}

function entries(file: string): { log: string; stream: string; time: string }[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Waits (bounded) until pid is gone or a zombie. */
async function gone(pid: number) {
  for (let i = 0; i < 500; i++) {
    const st = readProcStat(pid);
    if (!st || st.state === 'Z') return;
    await sleep(10);
  }
  assert.fail(`process ${pid} is still running`);
}

test('json-file: escaping as Go does it, invalid UTF-8 as U+FFFD, lines over 16 KiB split like Docker', { timeout: 30_000 }, async () => {
  const script = String.raw`(
    head -c 40000 /dev/zero | tr '\0' a; echo
    printf 'q"b\\s\001t\tz<>&\342\200\250\360\237\230\200 bad:\377\300\257\355\240\200|\n'
    printf 'no newline at the end' >&2
  ) & exit 0`;
  const r = run(script);
  assert.equal(await r.code, 0);
  const rec = await watchExit(r.exit, r.sock);
  assert.equal(rec.exitCode, 0);
  const raw = fs.readFileSync(r.log, 'utf8');
  assert.ok(raw.includes(String.raw`\u003c\u003e\u0026`), 'HTML-safe escapes as Go writes them');
  assert.ok(raw.includes(String.raw`\u2028`) && raw.includes(String.raw`\u0001`) && raw.includes(String.raw`q\"b\\s`));
  const e = entries(r.log); // every line parses: valid JSON despite the invalid bytes
  const out = e.filter((x) => x.stream === 'stdout').map((x) => x.log);
  assert.deepEqual(out.slice(0, 3).map((l) => l.length), [16384, 16384, 40000 - 2 * 16384 + 1]);
  assert.ok(out[2]!.endsWith('a\n') && !out[0]!.endsWith('\n'), 'parts of a long line carry no newline');
  assert.equal(out[3], 'q"b\\s\u0001t\tz<>&\u2028\u{1F600} bad:\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD|\n');
  assert.deepEqual(e.filter((x) => x.stream === 'stderr').map((x) => x.log), ['no newline at the end'], 'a last partial line is flushed at exit');
});

test('--log-max-files 1 truncates the log in place when it reaches --log-max-size', { timeout: 30_000 }, async () => {
  const r = run('(i=0; while [ $i -lt 100 ]; do echo "entry $i"; i=$((i+1)); done) & exit 0', () => ['--log-max-size', '500', '--log-max-files', '1']);
  assert.equal(await r.code, 0);
  await watchExit(r.exit, r.sock);
  assert.deepEqual(fs.readdirSync(r.dir).filter((f) => f.startsWith('json.log')), ['json.log']);
  const e = entries(r.log);
  assert.ok(fs.statSync(r.log).size < 500 + 100, 'bounded by max size plus one entry');
  assert.equal(e.at(-1)!.log, 'entry 99\n');
  assert.ok(e.length < 100);
});

test('the daemon\'s stdio and fds do not leak: the first process exits, the helper gets 0-2 and fds up to the sync fd only', { timeout: 30_000 }, async () => {
  // The init runs until we let it go (removing hold), or a signal ends it.
  const script = '(while [ -e "$DIR/hold" ]; do sleep 0.02; done) & echo $! > "$DIR/tmp.pid" && mv "$DIR/tmp.pid" "$DIR/init.pid"; exit 0';
  const r = run(script, (p) => {
    fs.writeFileSync(path.join(p.dir, 'hold'), '');
    return ['--pid-file', p.pidFile];
  }, 'pipe');
  const stdoutEnd = new Promise((res) => r.child.stdout!.on('end', res).resume());
  assert.equal(await r.code, 0);
  await stdoutEnd; // the monitor keeps no copy of the daemon's stdout pipe while the container runs
  for (let i = 0; i < 500 && !fs.existsSync(r.pidFile); i++) await sleep(10);
  const init = Number(fs.readFileSync(r.pidFile, 'utf8'));
  stray.push(init);
  // The stand-in helper wrote the pid file itself: wait until it has exited and the init was reparented.
  let monitor = readProcStat(init)!.ppid;
  for (let i = 0; i < 500 && !/berth-monitor/.test(fs.readFileSync(`/proc/${monitor}/cmdline`, 'utf8')); i++) {
    await sleep(10);
    monitor = readProcStat(init)!.ppid;
  }
  assert.match(fs.readFileSync(`/proc/${monitor}/cmdline`, 'utf8'), /berth-monitor/);
  const fds = (pid: number) => Object.fromEntries(fs.readdirSync(`/proc/${pid}/fd`).map((fd) => [fd, fs.readlinkSync(`/proc/${pid}/fd/${fd}`)]));
  const initFds = fds(init);
  assert.deepEqual(Object.keys(initFds).sort(), ['0', '1', '2', '3'], `init fds: ${JSON.stringify(initFds)}`);
  assert.match(initFds['1']!, /^pipe:/);
  const monFds = fds(monitor);
  for (const fd of ['0', '1', '2']) assert.equal(monFds[fd], '/dev/null', `monitor fd ${fd} is ${monFds[fd]}`);
  assert.ok(!Object.values(monFds).includes(initFds['3']!), 'the monitor closed its copy of the sync socket');
  assert.equal(readProcStat(monitor)!.ppid === process.pid, false);

  // SIGINT/SIGTERM/SIGHUP/SIGPIPE do not stop the monitor; the init did not inherit their SIG_IGN.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'] as const) process.kill(monitor, sig);
  await sleep(50);
  assert.ok(readProcStat(monitor) && readProcStat(monitor)!.state !== 'Z', 'monitor survived the signals');
  process.kill(init, 'SIGTERM');
  const rec = await watchExit(r.exit, r.sock);
  assert.deepEqual([rec.pid, rec.exitCode, rec.signal], [init, 143, 'SIGTERM']);
  await gone(monitor);
  assert.ok(!fs.existsSync(r.sock) && !fs.existsSync(r.ctl), 'socket and FIFO removed');
});

test('which child is the init: the pid file when given, else the oldest reparented child; never the helper or a decoy', { timeout: 30_000 }, async () => {
  // A decoy that exits first with another status, as an orphaned hook process would.
  const withFile = run('(sleep 0.3; exit 5) & INIT=$!; (exit 9) & echo $INIT > "$DIR/t" && mv "$DIR/t" "$DIR/init.pid"; exit 0', (p) => {
    fs.writeFileSync(p.pidFile, String(process.pid)); // stale: the monitor removes it before the helper runs
    return ['--pid-file', p.pidFile];
  });
  assert.equal(await withFile.code, 0); // the socket exists from here on, as when createContainer returns
  const a = await watchExit(withFile.exit, withFile.sock);
  assert.equal(a.exitCode, 5);
  assert.equal(a.pid, Number(fs.readFileSync(withFile.pidFile, 'utf8')));

  const noFile = run('(sleep 0.3; exit 6) & sleep 0.05; (exit 9) & exit 0');
  assert.equal(await noFile.code, 0);
  const b = await watchExit(noFile.exit, noFile.sock);
  assert.equal(b.exitCode, 6, 'the init was cloned first: oldest');
});

test('--stdin without --stdin-once: a client\'s half-close keeps stdin open; every client gets the output; close-stdin ends it', { timeout: 30_000 }, async () => {
  // A background job of a non-interactive sh gets /dev/null as stdin unless it is redirected explicitly.
  const r = run('exec 4<&0; cat <&4 4<&- & exit 0', () => ['--stdin']);
  assert.equal(await r.code, 0);
  for (let i = 0; i < 500 && !fs.existsSync(r.sock); i++) await sleep(10);
  const c1 = await connectMonitor(r.sock);
  const got1: MonitorFrame[] = [];
  const done1 = (async () => {
    for await (const f of c1.frames) got1.push({ stream: f.stream, data: Buffer.from(f.data) });
  })();
  c1.socket.end('x\n');
  while (!Buffer.concat(got1.map((f) => f.data)).toString().includes('x\n')) await sleep(10);
  const c2 = await connectMonitor(r.sock);
  const got2: Buffer[] = [];
  const done2 = (async () => {
    for await (const f of c2.frames) got2.push(Buffer.from(f.data));
  })();
  c2.socket.write('y\n');
  while (!Buffer.concat(got1.map((f) => f.data)).toString().includes('y\n')) await sleep(10);
  assert.equal(fs.existsSync(r.exit), false, 'cat still runs: the half-close did not close its stdin');
  closeStdin(r.ctl);
  await Promise.all([done1, done2]);
  assert.equal(Buffer.concat(got1.map((f) => f.data)).toString(), 'x\ny\n', 'a half-closed client still gets output');
  assert.equal(Buffer.concat(got2).toString(), 'y\n', 'a client gets what was produced after it connected');
  assert.equal((await watchExit(r.exit, r.sock)).exitCode, 0);
});

test('failures: a helper that fails leaves no exit file; a setup error reaches the sync fd as an error line', { timeout: 30_000 }, async () => {
  const r = run('echo $PPID > "$DIR/monitor.pid"; exit 1');
  assert.equal(await r.code, 0);
  for (let i = 0; i < 500 && !fs.existsSync(path.join(r.dir, 'monitor.pid')); i++) await sleep(10);
  await gone(Number(fs.readFileSync(path.join(r.dir, 'monitor.pid'), 'utf8')));
  assert.deepEqual(fs.readdirSync(r.dir).sort(), ['json.log', 'monitor.pid'], 'no exit file, socket or FIFO left');

  const bad = run('exit 0', () => ['--log', '/nonexistent-dir/json.log']);
  assert.equal(await bad.code, 1);
  assert.equal(await bad.sync, 'error monitor-log 2 /nonexistent-dir/json.log\n');
  assert.deepEqual(fs.readdirSync(bad.dir), [], 'nothing created');
  const rel = run('exit 0', () => ['--pid-file', 'relative.pid']);
  assert.equal(await rel.code, 1);
  assert.equal(await rel.sync, 'error monitor-args 22 relative.pid\n');
});
