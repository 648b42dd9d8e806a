// berth-monitor with real containers: the runtime library spawns the helper through the monitor
// (CreateOptions.helperWrapper), as the engine does. Logs, exit files, attach, stdin, tty, rotation, kills,
// daemon independence and idle memory. Root (namespaces, cgroups).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Harness } from '../runtime/harness.js';
import { newContext, createContainer, startContainer, deleteContainer } from '../../../src/runtime/index.js';
import { readProcStat } from '../../../src/common/process-probe.js';
import { monitorArgs, connectMonitor, watchExit, readExitFile, resizeTty, type MonitorFrame } from '../../../src/engine/monitor/index.js';
import { readLogs, type LogEntry } from '../../../src/engine/logs/index.js';

const h = new Harness();
const ctx = newContext({ root: h.root, cgroupParent: h.cgroupParent });
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Launched {
  id: string;
  dir: string;
  pid: number;
  logPath: string;
  exitFile: string;
  socketPath: string;
  ctlPath: string;
  consoleSocket?: string;
}

interface LaunchOptions {
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  logMaxSize?: number;
  logMaxFiles?: number;
}

const launched: Launched[] = [];

after(async () => {
  for (const c of launched) await deleteContainer(ctx, c.id, true).catch(() => {});
  h.cleanup();
});

/** Creates container `id` running args under a monitor (not started). */
async function launch(id: string, args: string[], o: LaunchOptions = {}): Promise<Launched> {
  const dir = path.join(h.tmp, `m-${id}`);
  fs.mkdirSync(dir);
  const paths = {
    logPath: path.join(dir, 'json.log'),
    exitFile: path.join(dir, 'exit.json'),
    socketPath: path.join(dir, 'attach.sock'),
    ctlPath: path.join(dir, 'ctl'),
    ...(o.tty ? { consoleSocket: path.join(dir, 'console.sock') } : {}),
  };
  const pidFile = path.join(dir, 'init.pid');
  const wrapper = monitorArgs({ ...paths, ...o, pidFile });
  const bundle = h.bundle(args, (s) => {
    s.process!.terminal = o.tty === true;
  });
  const created = await createContainer(ctx, id, {
    bundle, pidFile, helperWrapper: wrapper, stdio: ['ignore', 'ignore', 'ignore'],
    ...(paths.consoleSocket ? { consoleSocket: paths.consoleSocket } : {}),
  });
  const c = { id, dir, pid: created.pid, ...paths };
  launched.push(c);
  return c;
}

/** The container's monitor: its init's parent once the helper has exited (bounded wait for that). */
async function monitorOf(c: Launched): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const ppid = readProcStat(c.pid)?.ppid ?? 0;
    if (ppid && fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes('berth-monitor')) return ppid;
    await sleep(10);
  }
  assert.fail(`container ${c.id}: init ${c.pid} never became a child of berth-monitor`);
}

/** Waits for the exit, deletes the container and checks the monitor left nothing behind. */
async function finish(c: Launched, monitorPid: number) {
  const rec = await watchExit(c.exitFile, c.socketPath);
  await deleteContainer(ctx, c.id);
  for (let i = 0; i < 500 && readProcStat(monitorPid) && readProcStat(monitorPid)!.state !== 'Z'; i++) await sleep(10);
  const st = readProcStat(monitorPid);
  assert.ok(!st || !fs.readFileSync(`/proc/${monitorPid}/cmdline`, 'utf8').includes('berth-monitor'), `monitor ${monitorPid} still running`);
  for (const p of [c.socketPath, c.ctlPath, c.consoleSocket]) {
    if (p) assert.equal(fs.existsSync(p), false, `${p} left behind`);
  }
  launched.splice(launched.indexOf(c), 1);
  return rec;
}

/** Collects every frame until the monitor closes the connection (the container exited). */
async function collect(frames: AsyncIterable<MonitorFrame>): Promise<MonitorFrame[]> {
  const out: MonitorFrame[] = [];
  for await (const f of frames) out.push({ stream: f.stream, data: Buffer.from(f.data) });
  return out;
}

function joined(frames: MonitorFrame[], stream: 1 | 2): string {
  return Buffer.concat(frames.filter((f) => f.stream === stream).map((f) => f.data)).toString();
}

async function allLogs(file: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(file, { stdout: true, stderr: true })) out.push(e);
  return out;
}

test('stdout and stderr reach the json log and an attached client with their streams; the exit file has the code', { timeout: 60_000 }, async () => {
  const c = await launch('streams', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
  const monitor = await monitorOf(c);
  const conn = await connectMonitor(c.socketPath);
  const frames = collect(conn.frames);
  await startContainer(ctx, c.id);
  const got = await frames;
  // EOF on the socket means the exit is already recorded.
  assert.equal(readExitFile(c.exitFile)?.exitCode, 3);
  assert.equal(joined(got, 1), 'out\n');
  assert.equal(joined(got, 2), 'err\n');

  const rec = await finish(c, monitor);
  assert.deepEqual({ pid: rec.pid, exitCode: rec.exitCode, signal: rec.signal }, { pid: c.pid, exitCode: 3, signal: null });
  assert.match(rec.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  const lines = fs.readFileSync(c.logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.deepEqual(lines.map((l) => [l.log, l.stream]).sort(), [['err\n', 'stderr'], ['out\n', 'stdout']]);
  for (const l of lines) assert.match(l.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});

test('the container is not a descendant of the process that created it', { timeout: 60_000 }, async () => {
  const c = await launch('orphan', ['sleep', '60']);
  const monitor = await monitorOf(c);
  await startContainer(ctx, c.id);
  const chain: number[] = [];
  for (let p = c.pid; p > 1; p = readProcStat(p)!.ppid) chain.push(p);
  assert.equal(chain[1], monitor, 'the init\'s parent is the monitor');
  assert.ok(!chain.includes(process.pid), `ancestry ${chain.join(' <- ')} contains the test process ${process.pid}`);
  // The monitor's first process exited at once, so its child went to init or to a subreaper above us.
  const monitorParent = readProcStat(monitor)!.ppid;
  const ours: number[] = [];
  for (let p = readProcStat(process.pid)!.ppid; p > 1; p = readProcStat(p)!.ppid) ours.push(p);
  assert.notEqual(monitorParent, process.pid);
  assert.ok(monitorParent === 1 || ours.includes(monitorParent), `monitor's parent ${monitorParent} is neither init nor a subreaper above us`);
  assert.equal(fs.readFileSync(`/proc/${monitor}/stat`, 'utf8').split(') ')[1]!.split(' ')[3], String(monitor), 'monitor leads its own session (setsid)');
  process.kill(c.pid, 'SIGKILL');
  await finish(c, monitor);
});

test('attach with --stdin --stdin-once: the client\'s input reaches cat, its half-close ends it', { timeout: 60_000 }, async () => {
  const c = await launch('stdin', ['cat'], { stdin: true, stdinOnce: true });
  const monitor = await monitorOf(c);
  const conn = await connectMonitor(c.socketPath);
  const frames = collect(conn.frames);
  conn.socket.write('hello\n');
  conn.socket.end(); // half-close: StdinOnce closes the container's stdin
  await startContainer(ctx, c.id);
  const got = await frames;
  assert.equal(joined(got, 1), 'hello\n');
  assert.equal(joined(got, 2), '');
  const rec = await finish(c, monitor);
  assert.equal(rec.exitCode, 0);
  assert.deepEqual((await allLogs(c.logPath)).map((e) => [e.stream, e.line.toString()]), [['stdout', 'hello\n']]);
});

test('--tty: output comes through the pty; resize via the control FIFO changes stty size inside', { timeout: 60_000 }, async () => {
  const c = await launch('tty', ['sh', '-c', 'stty size; read x; stty size'], { tty: true, stdin: true });
  const monitor = await monitorOf(c);
  resizeTty(c.ctlPath, 20, 60); // before start: applied to the master as soon as the monitor has it
  const conn = await connectMonitor(c.socketPath);
  const frames = collect(conn.frames);
  await startContainer(ctx, c.id);
  // Wait for the first size, then resize and release `read` (the FIFO line is handled before the input).
  for (let i = 0; i < 1000 && !fs.readFileSync(c.logPath, 'utf8').includes('20 60'); i++) await sleep(10);
  resizeTty(c.ctlPath, 33, 77);
  conn.socket.write('go\n');
  const got = await frames;
  assert.ok(got.every((f) => f.stream === 1), 'with a tty every frame is stream 1');
  const out = joined(got, 1);
  assert.match(out, /^20 60\r\n/, `initial size from the pre-start resize; got ${JSON.stringify(out)}`);
  assert.match(out, /33 77\r\n$/, `size after the resize; got ${JSON.stringify(out)}`);
  const rec = await finish(c, monitor);
  assert.equal(rec.exitCode, 0);
  const logged = (await allLogs(c.logPath)).map((e) => e.line.toString()).join('');
  assert.equal(logged, out, 'the log has exactly what the client saw');
  assert.equal(fs.existsSync(c.consoleSocket!), false);
});

test('log rotation: max size and 3 files, oldest dropped; a follower sees every line once across rotations', { timeout: 60_000 }, async () => {
  const script = 'i=1; while [ $i -le 60 ]; do echo "line $i padded to make the entry longer"; i=$((i+1)); done';
  const c = await launch('rotate', ['sh', '-c', script], { logMaxSize: 400, logMaxFiles: 3 });
  const monitor = await monitorOf(c);
  await startContainer(ctx, c.id);
  await finish(c, monitor);
  assert.deepEqual(fs.readdirSync(c.dir).filter((f) => f.startsWith('json.log')).sort(), ['json.log', 'json.log.1', 'json.log.2']);
  for (const f of ['json.log.1', 'json.log.2']) {
    const size = fs.statSync(path.join(c.dir, f)).size;
    // Docker rotates once the file has reached max size, before the next entry: at most one entry over.
    assert.ok(size >= 400 && size < 400 + 200, `${f} is ${size} bytes`);
  }
  const lines = (await allLogs(c.logPath)).map((e) => e.line.toString());
  const numbers = lines.map((l) => Number(/^line (\d+) /.exec(l)![1]));
  assert.equal(numbers.at(-1), 60);
  assert.deepEqual(numbers, numbers.map((_, i) => 60 - numbers.length + 1 + i), 'the newest lines, contiguous, oldest first');
  assert.ok(numbers.length < 60, 'old files were dropped');

  // Following from before start: with enough files nothing is rotated off, so every line arrives exactly once.
  const f = await launch('follow', ['sh', '-c', script], { logMaxSize: 300, logMaxFiles: 100 });
  const fm = await monitorOf(f);
  const stop = new AbortController();
  const seen: string[] = [];
  const reader = (async () => {
    for await (const e of readLogs(f.logPath, { stdout: true, stderr: true, follow: true, signal: stop.signal })) seen.push(e.line.toString());
  })();
  await startContainer(ctx, f.id);
  await watchExit(f.exitFile, f.socketPath);
  stop.abort(); // the producer is gone: the reader emits what is written, then ends
  await reader;
  await finish(f, fm);
  assert.ok(fs.existsSync(`${f.logPath}.5`), 'the follower crossed several rotations');
  assert.deepEqual(seen.map((l) => Number(/^line (\d+) /.exec(l)![1])), Array.from({ length: 60 }, (_, i) => i + 1));
});

test('SIGKILL of the container: exitCode 137, signal SIGKILL', { timeout: 60_000 }, async () => {
  const c = await launch('kill', ['sleep', '60']);
  const monitor = await monitorOf(c);
  await startContainer(ctx, c.id);
  const exit = watchExit(c.exitFile, c.socketPath);
  process.kill(c.pid, 'SIGKILL');
  const rec = await exit;
  assert.deepEqual({ exitCode: rec.exitCode, signal: rec.signal, pid: rec.pid }, { exitCode: 137, signal: 'SIGKILL', pid: c.pid });
  await finish(c, monitor);
});

test('kill -9 of the creating process: the container keeps running and logging, its exit is recorded', { timeout: 60_000 }, async () => {
  const dir = path.join(h.tmp, 'daemon');
  fs.mkdirSync(dir);
  const p = {
    logPath: path.join(dir, 'json.log'), exitFile: path.join(dir, 'exit.json'),
    socketPath: path.join(dir, 'attach.sock'), ctlPath: path.join(dir, 'ctl'),
  };
  const pidFile = path.join(dir, 'init.pid');
  const bundle = h.bundle(['sh', '-c', 'i=0; while [ ! -e /tmp/stop ]; do echo tick $i; i=$((i+1)); sleep 0.05; done; exit 4'], (s) => {
    s.root!.readonly = false;
  });
  // A stand-in for the daemon: creates and starts the container, reports, then waits to be killed.
  const script = path.join(dir, 'daemon.mjs');
  fs.writeFileSync(script, `
    import { newContext, createContainer, startContainer } from ${JSON.stringify(path.join(DIST, 'src/runtime/index.js'))};
    import { monitorArgs } from ${JSON.stringify(path.join(DIST, 'src/engine/monitor/index.js'))};
    const ctx = newContext({ root: ${JSON.stringify(h.root)}, cgroupParent: ${JSON.stringify(h.cgroupParent)} });
    const c = await createContainer(ctx, 'survivor', { bundle: ${JSON.stringify(bundle)}, pidFile: ${JSON.stringify(pidFile)},
      helperWrapper: monitorArgs(${JSON.stringify({ ...p, pidFile })}), stdio: ['ignore', 'ignore', 'ignore'] });
    await startContainer(ctx, 'survivor');
    process.stdout.write('started ' + c.pid + '\\n');
    setInterval(() => {}, 1000);
  `);
  const daemon = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    daemon.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /started (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    daemon.on('exit', (code) => reject(new Error(`daemon stand-in exited ${code}: ${out}`)));
  });
  const c: Launched = { id: 'survivor', dir, pid, ...p };
  launched.push(c);
  const gone = new Promise((r) => daemon.on('exit', r));
  daemon.kill('SIGKILL');
  await gone;
  assert.ok(readProcStat(pid) && readProcStat(pid)!.state !== 'Z', 'the container outlived its creator');
  const monitor = await monitorOf(c);
  const before = fs.statSync(p.logPath).size;
  for (let i = 0; i < 1000 && fs.statSync(p.logPath).size === before; i++) await sleep(10);
  assert.ok(fs.statSync(p.logPath).size > before, 'the log keeps growing with the creator dead');
  // A later "daemon" (this process) re-adopts by path: ask the container to stop, learn its exit code.
  fs.writeFileSync(path.join(bundle, 'rootfs/tmp/stop'), '');
  const rec = await finish(c, monitor);
  assert.equal(rec.exitCode, 4);
  const ticks = (await allLogs(p.logPath)).map((e) => e.line.toString());
  assert.ok(ticks.length >= 2);
  assert.deepEqual(ticks, ticks.map((_, i) => `tick ${i}\n`), 'every line, before and after the creator died');
});

/** Live berth-monitor processes whose command line mentions dir. */
function monitorsIn(dir: string): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.includes('berth-monitor') && cmd.includes(dir) && readProcStat(pid)?.state !== 'Z';
    } catch {
      return false;
    }
  });
}

test('a failing create: the monitor\'s or the helper\'s error reaches createContainer; no monitor, socket or exit file stays', { timeout: 60_000 }, async () => {
  const dir = path.join(h.tmp, 'fail');
  fs.mkdirSync(dir);
  const p = { exitFile: path.join(dir, 'exit.json'), socketPath: path.join(dir, 'a.sock'), ctlPath: path.join(dir, 'ctl') };
  // Setup error inside the monitor, reported on the sync channel like a helper error.
  const badLog = monitorArgs({ ...p, logPath: path.join(dir, 'missing-dir', 'json.log') });
  await assert.rejects(
    createContainer(ctx, 'badlog', { bundle: h.bundle(['true']), helperWrapper: badLog, stdio: ['ignore', 'ignore', 'ignore'] }),
    /create container "badlog": monitor-log ".*missing-dir\/json\.log": ENOENT/,
  );
  // The helper fails (no such program): the monitor cleans up and records no exit.
  await assert.rejects(
    createContainer(ctx, 'badexec', {
      bundle: h.bundle(['no-such-program']), helperWrapper: monitorArgs({ ...p, logPath: path.join(dir, 'json.log') }),
      pidFile: path.join(dir, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'],
    }),
    /no-such-program.*not found/,
  );
  for (let i = 0; i < 500 && (fs.existsSync(p.socketPath) || monitorsIn(dir).length); i++) await sleep(10);
  assert.deepEqual(monitorsIn(dir), [], 'no monitor left');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['json.log'], 'no exit file, socket, FIFO or pid file');
  assert.deepEqual(fs.readdirSync(h.root), [], 'no runtime state left');
});

test('idle monitors stay small (RSS of 5 idle containers\' monitors)', { timeout: 90_000 }, async () => {
  const cs: Launched[] = [];
  for (let i = 0; i < 5; i++) cs.push(await launch(`idle${i}`, ['sh', '-c', 'echo ready; exec sleep 60']));
  const monitors: number[] = [];
  for (const c of cs) {
    monitors.push(await monitorOf(c));
    await startContainer(ctx, c.id);
  }
  for (const c of cs) for (let i = 0; i < 500 && !fs.readFileSync(c.logPath, 'utf8').includes('ready'); i++) await sleep(10);
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,rss=', '-p', monitors.join(',')]);
  const rss = stdout.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[1]));
  assert.equal(rss.length, 5);
  console.log(`# idle berth-monitor RSS (KiB): ${rss.join(', ')}; max ${Math.max(...rss)}`);
  for (const r of rss) assert.ok(r > 0 && r <= 2048, `monitor RSS ${r} KiB exceeds 2048 KiB`);
  for (let i = 0; i < cs.length; i++) {
    process.kill(cs[i]!.pid, 'SIGKILL');
    assert.equal((await finish(cs[i]!, monitors[i]!)).exitCode, 137);
  }
});
