// The listener and the wire: socket file handling, streams whose headers go out at once, hijacked
// connections (101 UPGRADED with the raw socket, or a 200 stream without the upgrade), request bodies read
// off an upgraded socket, and close() tearing everything down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startApiServer } from '../../../../src/engine/api/server.js';
import type { Route } from '../../../../src/engine/api/router.js';
import { EngineError } from '../../../../src/engine/errors.js';
import { memoryLogger, readToEnd, readUntil, startTestServer, type TestServer } from './helpers.js';

let release: () => void = () => {};
const routes: Route[] = [
  { method: 'GET', path: '/ping', handler: async (_req, res) => res.text(200, 'OK') },
  {
    method: 'GET',
    path: '/slow-stream',
    handler: async (_req, res) => {
      const out = res.stream('application/json');
      await new Promise<void>((r) => (release = r)); // the client must see the headers before this
      out.end('{"done":true}\n');
    },
  },
  {
    method: 'POST',
    path: '/containers/:id/attach',
    handler: async (req, res) => {
      if (req.params.id === 'missing') throw new EngineError('No such container: missing', 'NotFound');
      const io = res.hijack('application/vnd.docker.raw-stream');
      io.on('data', (d: Buffer) => io.write(d.toString().toUpperCase()));
      await new Promise<void>((r) => io.once('end', r)); // stdin closed: finish output, then close
      io.end('BYE');
    },
  },
  {
    method: 'POST',
    path: '/exec/:id/start',
    handler: async (req, res) => {
      const body = await req.json<{ Tty?: boolean }>();
      const io = res.hijack('application/vnd.docker.raw-stream');
      io.write(`tty=${body.Tty};`);
      io.on('data', (d: Buffer) => io.write(`[${d.toString()}]`));
      await new Promise<void>((r) => io.once('end', r));
      io.end();
    },
  },
];

let srv: TestServer;
before(async () => (srv = await startTestServer(routes)));
after(async () => srv.close());

const upgradeRequest = (p: string, extra = '') => `POST ${p} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${extra}\r\n`;
const headEnd = (b: Buffer) => b.indexOf('\r\n\r\n') >= 0;

test('the unix socket is created with mode 0660', () => {
  assert.equal(fs.statSync(srv.socketPath).mode & 0o777, 0o660);
});

test('streams flush their headers before the body: the client sees the response while the handler waits', async () => {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ socketPath: srv.socketPath, path: '/slow-stream' }, resolve).on('error', reject);
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.headers['api-version'], '1.47');
  let body = '';
  res.on('data', (c: Buffer) => (body += c));
  const ended = new Promise((r) => res.on('end', r));
  release();
  await ended;
  assert.equal(body, '{"done":true}\n');
});

test('hijack with Connection: Upgrade answers 101 UPGRADED at once and hands over the raw socket', async () => {
  const s = await srv.raw(upgradeRequest('/v1.47/containers/abc/attach?stream=1&stdin=1'));
  const head = (await readUntil(s, headEnd)).toString('latin1');
  assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
  assert.match(head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  assert.match(head, /\r\nConnection: Upgrade\r\n/);
  assert.match(head, /\r\nUpgrade: tcp\r\n/);
  assert.match(head, /\r\nApi-Version: 1\.47\r\n/);
  s.write('hello');
  assert.equal((await readUntil(s, (b) => b.toString().includes('HELLO'))).toString(), 'HELLO');
  // Half-close: the server still sends its last output, then closes.
  s.end();
  assert.equal((await readToEnd(s)).toString(), 'BYE');
});

test('hijack without an upgrade (dockerode without hijack) is a 200 stream fed by the request body', async () => {
  const reply = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: srv.socketPath, method: 'POST', path: '/containers/abc/attach?stdin=1', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.write('abc');
    setImmediate(() => req.end('def'));
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.type, 'application/vnd.docker.raw-stream');
  assert.match(reply.body, /^ABC(DEF)?.*BYE$/s);
  assert.equal(reply.body.replace(/BYE$/, ''), 'ABCDEF');
});

test('an upgrade request\'s Content-Length body is read as JSON and what follows is stdin', async () => {
  const body = '{"Detach":false,"Tty":true}';
  const s = await srv.raw(upgradeRequest('/exec/e1/start', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`) + body + 'typed');
  const all = await readUntil(s, (b) => b.toString().includes('[typed]'));
  const text = all.toString();
  assert.match(text, /^HTTP\/1\.1 101 UPGRADED/);
  assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4), 'tty=true;[typed]');
  s.end();
  await readToEnd(s);
});

test('an upgrade request\'s chunked body is read up to the 0-chunk; the bytes after it are stdin', async () => {
  const json = '{"Tty":false}';
  const chunked = `5\r\n${json.slice(0, 5)}\r\n${(json.length - 5).toString(16)}\r\n${json.slice(5)}\r\n0\r\n\r\n`;
  const s = await srv.raw(upgradeRequest('/exec/e2/start', 'Transfer-Encoding: chunked\r\n') + chunked + 'in');
  const all = (await readUntil(s, (b) => b.toString().includes('[in]'))).toString();
  assert.equal(all.slice(all.indexOf('\r\n\r\n') + 4), 'tty=false;[in]');
  s.end();
  await readToEnd(s);
});

test('dockerode\'s empty chunked body on a hijacked attach does not reach stdin', async () => {
  const s = await srv.raw(upgradeRequest('/containers/abc/attach', 'Transfer-Encoding: chunked\r\n') + '0\r\n\r\n');
  await readUntil(s, headEnd);
  s.write('x');
  const got = (await readUntil(s, (b) => b.toString().includes('X'))).toString();
  assert.equal(got, 'X', 'only the typed byte was echoed, not the 0-chunk');
  s.end();
  await readToEnd(s);
});

test('an error before the hijack is a complete HTTP answer on the raw socket', async () => {
  const s = await srv.raw(upgradeRequest('/containers/missing/attach'));
  const text = (await readToEnd(s)).toString();
  assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(text, /\r\nContent-Type: application\/json\r\n/);
  assert.match(text, /\r\nContent-Length: \d+\r\n/);
  assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4), '{"message":"No such container: missing"}\n');
  s.destroy();
});

test('a stale socket file (its daemon was killed) is replaced', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-stale-'));
  const sock = path.join(dir, 's.sock');
  try {
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((r) => child.on('exit', r));
    assert.ok(fs.lstatSync(sock).isSocket(), 'the dead daemon left its socket file');
    const server = await startApiServer({ socketPath: sock, routes, log: memoryLogger([]) });
    try {
      const r = await new Promise<number>((resolve, reject) => http.get({ socketPath: sock, path: '/ping' }, (res) => resolve(res.statusCode!)).on('error', reject));
      assert.equal(r, 200);
    } finally {
      await server.close();
    }
    assert.equal(fs.existsSync(sock), false, 'close() removes the socket file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a live daemon on the socket is not disturbed: start fails naming the path', async () => {
  await assert.rejects(
    startApiServer({ socketPath: srv.socketPath, routes, log: memoryLogger([]) }),
    new RegExp(`another daemon is listening on ${srv.socketPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  const r = await srv.request('GET', '/ping');
  assert.equal(r.text, 'OK', 'the running server still answers');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-file-'));
  try {
    fs.writeFileSync(path.join(dir, 'not-a-socket'), 'x');
    await assert.rejects(startApiServer({ socketPath: path.join(dir, 'not-a-socket'), routes, log: memoryLogger([]) }), /exists and is not a socket/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('close() ends open streams and hijacked connections', async () => {
  const extra = await startTestServer(routes);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ socketPath: extra.socketPath, path: '/slow-stream' }, resolve).on('error', reject);
  });
  const streamClosed = new Promise((r) => res.on('close', r));
  const s = await extra.raw(upgradeRequest('/containers/abc/attach'));
  await readUntil(s, headEnd);
  const hijackClosed = new Promise((r) => s.on('close', r));
  await extra.close();
  await streamClosed;
  await hijackClosed;
  assert.equal(fs.existsSync(extra.socketPath), false);
  release();
});

test('HEAD answers carry headers and no body', async () => {
  const r = await srv.request('HEAD', '/ping');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers.ostype, 'linux');
});
