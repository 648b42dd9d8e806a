// The Node side of berth-monitor without the binary: argument building, exit files, frame splitting,
// watchExit against an in-process unix server, and the control FIFO.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  monitorArgs, defaultMonitorPath, readExitFile, watchExit, FrameSplitter, resizeTty, closeStdin, connectMonitor,
} from '../../../../src/engine/monitor/index.js';
import { packageRoot } from '../../../../src/common/package-root.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-mon-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('monitorArgs: every option in the contract\'s spelling, absolute paths, ending with --', () => {
  const args = monitorArgs({
    monitorPath: '/opt/berth-monitor', logPath: '/c/json.log', logMaxSize: 1024, logMaxFiles: 3, exitFile: '/c/exit',
    socketPath: '/c/a.sock', ctlPath: '/c/ctl', tty: true, consoleSocket: '/c/console.sock', stdin: true,
    stdinOnce: true, pidFile: '/c/pid',
  });
  assert.deepEqual(args, [
    '/opt/berth-monitor', '--log', '/c/json.log', '--log-max-size', '1024', '--log-max-files', '3',
    '--exit-file', '/c/exit', '--socket', '/c/a.sock', '--ctl', '/c/ctl', '--pid-file', '/c/pid',
    '--tty', '--console-socket', '/c/console.sock', '--stdin', '--stdin-once', '--',
  ]);
  const minimal = monitorArgs({ monitorPath: '/m', exitFile: 'rel/exit', socketPath: 'rel/sock', logMaxSize: 0 });
  assert.deepEqual(minimal, ['/m', '--exit-file', path.resolve('rel/exit'), '--socket', path.resolve('rel/sock'), '--']);
});

test('monitorArgs refuses inconsistent options with the fix in the message', () => {
  const base = { monitorPath: '/m', exitFile: '/e', socketPath: '/s' };
  assert.throws(() => monitorArgs({ ...base, tty: true }), /tty needs consoleSocket/);
  assert.throws(() => monitorArgs({ ...base, consoleSocket: '/c' }), /only used with tty/);
  assert.throws(() => monitorArgs({ ...base, stdinOnce: true }), /stdinOnce needs stdin/);
  assert.throws(() => monitorArgs({ ...base, logPath: '/l', logMaxFiles: 0 }), /logMaxFiles must be an integer ≥ 1/);
  assert.throws(() => monitorArgs({ ...base, logPath: '/l', logMaxSize: -1 }), /logMaxSize/);
  assert.throws(() => monitorArgs({ ...base, socketPath: `/${'x'.repeat(120)}` }), /longer than 107 bytes: use a shorter run directory/);
});

test('the monitor binary: $BERTH_MONITOR, else native/build/berth-monitor of the package', () => {
  const saved = process.env.BERTH_MONITOR;
  try {
    delete process.env.BERTH_MONITOR;
    assert.equal(defaultMonitorPath(), path.join(packageRoot(), 'native/build/berth-monitor'));
    assert.equal(monitorArgs({ exitFile: '/e', socketPath: '/s' })[0], defaultMonitorPath());
    process.env.BERTH_MONITOR = '/usr/local/bin/my-monitor';
    assert.equal(monitorArgs({ exitFile: '/e', socketPath: '/s' })[0], '/usr/local/bin/my-monitor');
  } finally {
    if (saved === undefined) delete process.env.BERTH_MONITOR;
    else process.env.BERTH_MONITOR = saved;
  }
});

test('readExitFile: undefined while absent, the record once written, an error naming a bad file', () => {
  const file = path.join(tmp, 'exit.json');
  assert.equal(readExitFile(file), undefined);
  fs.writeFileSync(file, '{"pid":12,"exitCode":137,"signal":"SIGKILL","finishedAt":"2026-11-22T03:04:05.000000001Z"}\n');
  assert.deepEqual(readExitFile(file), { pid: 12, exitCode: 137, signal: 'SIGKILL', finishedAt: '2026-11-22T03:04:05.000000001Z' });
  fs.writeFileSync(file, '{"pid":12');
  assert.throws(() => readExitFile(file), new RegExp(`exit file ${file} is not JSON`));
  fs.writeFileSync(file, '{"pid":12}');
  assert.throws(() => readExitFile(file), /lacks pid, exitCode or finishedAt/);
});

test('FrameSplitter: frames split anywhere across chunks come out whole', () => {
  const frame = (stream: number, s: string) => {
    const h = Buffer.alloc(8);
    h[0] = stream;
    h.writeUInt32BE(Buffer.byteLength(s), 4);
    return Buffer.concat([h, Buffer.from(s)]);
  };
  const bytes = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, ''), frame(1, 'x'.repeat(70000))]);
  const sp = new FrameSplitter();
  const got = [];
  for (let i = 0; i < bytes.length; i += 7) got.push(...sp.push(bytes.subarray(i, i + 7)));
  assert.deepEqual(got.map((f) => [f.stream, f.data.length]), [[1, 4], [2, 4], [1, 0], [1, 70000]]);
  assert.equal(got[1]!.data.toString(), 'err\n');
  assert.throws(() => new FrameSplitter().push(frame(5, 'x')), /bad frame header \(stream 5\)/);
});

/** A stand-in monitor socket: sends one frame to each client, and on `finish` writes the exit file, then closes. */
function fakeMonitor(sock: string, exitFile: string) {
  const clients: net.Socket[] = [];
  const server = net.createServer((c) => {
    clients.push(c);
    c.on('error', () => {});
    c.write(Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a]));
  });
  const listening = new Promise<void>((r) => server.listen(sock, r));
  return {
    listening,
    clients,
    finish() {
      fs.writeFileSync(exitFile, JSON.stringify({ pid: 7, exitCode: 3, signal: null, finishedAt: '2026-11-22T03:04:05.000000000Z' }));
      for (const c of clients) c.end();
      return new Promise((r) => server.close(r));
    },
  };
}

test('watchExit resolves when the monitor closes its clients, with the record it wrote first', async () => {
  const sock = path.join(tmp, 'w1.sock');
  const exitFile = path.join(tmp, 'w1.exit');
  const m = fakeMonitor(sock, exitFile);
  await m.listening;
  let settled = false;
  const w = watchExit(exitFile, sock).finally(() => (settled = true));
  while (m.clients.length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.equal(settled, false, 'still running: no exit yet');
  await m.finish();
  assert.deepEqual(await w, { pid: 7, exitCode: 3, signal: null, finishedAt: '2026-11-22T03:04:05.000000000Z' });
});

test('watchExit after the monitor is gone (daemon restart): the exit file, or an error saying none exists', async () => {
  const exitFile = path.join(tmp, 'w2.exit');
  const sock = path.join(tmp, 'w2.sock');
  await assert.rejects(watchExit(exitFile, sock), /is gone without writing .*w2\.exit.*unknown status/);
  fs.writeFileSync(exitFile, JSON.stringify({ pid: 9, exitCode: 0, signal: null, finishedAt: '2026-11-22T03:04:05.000000000Z' }));
  assert.equal((await watchExit(exitFile, sock)).pid, 9);
  // A socket file left by a killed monitor refuses connections (bound, never listened: ECONNREFUSED).
  const stale = path.join(tmp, 'w3.sock');
  await promisify(execFile)('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', stale]);
  assert.ok(fs.existsSync(stale));
  await assert.rejects(watchExit(path.join(tmp, 'w3.exit'), stale), /is gone without writing/);
  fs.copyFileSync(exitFile, path.join(tmp, 'w3.exit'));
  assert.equal((await watchExit(path.join(tmp, 'w3.exit'), stale)).pid, 9);
});

test('connectMonitor demultiplexes frames until the monitor closes; a missing monitor says the container exited', async () => {
  const sock = path.join(tmp, 'c1.sock');
  const m = fakeMonitor(sock, path.join(tmp, 'c1.exit'));
  await m.listening;
  const conn = await connectMonitor(sock);
  const frames: string[] = [];
  const done = (async () => {
    for await (const f of conn.frames) frames.push(`${f.stream}:${f.data.toString()}`);
  })();
  while (m.clients.length === 0) await new Promise((r) => setTimeout(r, 5));
  await m.finish();
  await done;
  assert.deepEqual(frames, ['1:hi\n']);
  await assert.rejects(connectMonitor(path.join(tmp, 'none.sock')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && /the container has exited/.test(e.message));
});

test('resizeTty and closeStdin write one line each to the control FIFO; no reader means the container exited', async () => {
  const ctl = path.join(tmp, 'ctl');
  await promisify(execFile)('mkfifo', [ctl]);
  assert.throws(() => resizeTty(ctl, 24, 80), /ctl: the container has exited/);
  const reader = fs.openSync(ctl, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    resizeTty(ctl, 24, 80);
    closeStdin(ctl);
    const buf = Buffer.alloc(100);
    assert.equal(buf.toString('utf8', 0, fs.readSync(reader, buf)), 'resize 24 80\nclose-stdin\n');
  } finally {
    fs.closeSync(reader);
  }
  assert.throws(() => resizeTty(ctl, -1, 80), /integers 0-65535/);
  assert.throws(() => closeStdin(path.join(tmp, 'no-ctl')), /the container has exited/);
});
