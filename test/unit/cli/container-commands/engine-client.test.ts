// The engine client against an in-process HTTP server on a temp unix socket: version negotiation and prefix,
// JSON bodies, daemon errors as ApiError, hijacked attach with stdin half-close and demultiplexed output,
// jsonmessage progress, socket discovery and the no-autostart error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import {
  ApiError, DaemonUnreachableError, EngineClient, JsonMessageError, connectEngine, copyOutput, displayJsonMessages, encodeQuery, socketPathFromEnv,
} from '../../../../src/engine/client/index.js';
import { encodeFrame } from '../../../../src/engine/api/streams.js';

let dir: string;
let socket: string;
let server: http.Server;
const seen: { method: string; url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
let apiVersion = '1.47';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-client-'));
  socket = path.join(dir, 'api.sock');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', (): void => {
      seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      res.setHeader('Api-Version', apiVersion);
      if (req.url === '/_ping') return void res.end();
      if (req.url!.endsWith('/containers/create?name=web')) {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ Id: 'abc', Warnings: [] }));
      }
      if (req.url!.endsWith('/containers/missing/json')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return void res.end('{"message":"No such container: missing"}');
      }
      if (req.url!.endsWith('/plain-error')) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        return void res.end('something broke\n');
      }
      res.writeHead(204);
      res.end();
    });
  });
  // attach: 101 at once, echo what stdin sends as stdout frames, then a stderr frame once stdin ends.
  server.on('upgrade', (req: http.IncomingMessage, sock) => {
    seen.push({ method: req.method!, url: req.url!, body: '', headers: req.headers });
    sock.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    sock.on('data', (d: Buffer) => {
      const frame = encodeFrame(1, `got:${d.toString()}`);
      // Split the frame across writes: the client must reassemble it.
      sock.write(frame.subarray(0, 5));
      setTimeout(() => sock.write(frame.subarray(5)), 5);
    });
    sock.on('end', () => setTimeout(() => sock.end(encodeFrame(2, 'stdin closed\n')), 20));
  });
  await new Promise<void>((r) => server.listen(socket, r));
});

after(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('query encoding: booleans as 1/0, arrays repeated, absent values dropped', () => {
  assert.equal(encodeQuery({ all: true, force: false, limit: 3, name: undefined, f: null, type: ['image', 'volume'] }), '?all=1&force=0&limit=3&type=image&type=volume');
  assert.equal(encodeQuery({}), '');
});

test('ping adopts an older daemon\'s API version; requests carry the /vX.Y prefix and JSON bodies', async () => {
  apiVersion = '1.43';
  const client = new EngineClient(socket);
  await client.ping();
  assert.equal(client.apiVersion, '1.43');
  const r = await client.json<{ Id: string }>('POST', '/containers/create', { query: { name: 'web' }, json: { Image: 'busybox' } });
  assert.equal(r.Id, 'abc');
  const req = seen.find((s) => s.url.includes('/containers/create'))!;
  assert.equal(req.url, '/v1.43/containers/create?name=web');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(req.body), { Image: 'busybox' });
  apiVersion = '1.99';
  await client.ping();
  assert.equal(client.apiVersion, '1.47', 'never above what the client speaks');
  apiVersion = '1.47';
});

test('daemon errors become ApiError with the daemon\'s message and status', async () => {
  const client = new EngineClient(socket);
  await assert.rejects(client.json('GET', '/containers/missing/json'), (e: unknown) => e instanceof ApiError && e.status === 404 && e.message === 'No such container: missing');
  await assert.rejects(client.send('GET', '/plain-error'), (e: unknown) => e instanceof ApiError && e.status === 500 && e.message === 'something broke');
  assert.equal(await client.send('POST', '/containers/abc/start'), 204);
});

test('a socket nobody listens on is DaemonUnreachableError (not a request failure)', async () => {
  const client = new EngineClient(path.join(dir, 'nobody.sock'));
  await assert.rejects(client.ping(), (e: unknown) => e instanceof DaemonUnreachableError && e.code === 'ENOENT' && e.message.includes('nobody.sock'));
  await assert.rejects(
    connectEngine({ env: { BERTH_SOCKET: path.join(dir, 'nobody.sock'), BERTH_NO_AUTOSTART: '1' } }),
    { message: `cannot connect to the Berth daemon at ${path.join(dir, 'nobody.sock')}: is \`berth daemon\` running?` },
  );
});

test('hijack: Upgrade: tcp, stdin written then half-closed, output demultiplexed while the daemon keeps sending', async () => {
  const client = new EngineClient(socket);
  const h = await client.hijack('POST', '/containers/abc/attach', { query: { stream: true, stdin: true, stdout: true } });
  assert.equal(h.contentType, 'application/vnd.docker.multiplexed-stream');
  const req = seen.find((s) => s.url.includes('/attach'))!;
  assert.equal(req.headers.upgrade, 'tcp');
  assert.equal(req.headers.connection, 'Upgrade');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const copying = copyOutput(h.stream, { stdout, stderr }, false);
  h.stream.write('hello');
  await new Promise((r) => setTimeout(r, 50));
  h.stream.end();
  await copying;
  assert.equal(out, 'got:hello');
  assert.equal(err, 'stdin closed\n');
});

test('demux: raw with a TTY; a system-error frame (stream 3) fails the copy with its message', async () => {
  const sinks = () => {
    const s = { stdout: new PassThrough(), stderr: new PassThrough(), out: '' };
    s.stdout.on('data', (d: Buffer) => (s.out += d.toString()));
    return s;
  };
  const raw = sinks();
  await copyOutput(Readable.from([Buffer.from('\x01\x00raw bytes')]), raw, true);
  assert.equal(raw.out, '\x01\x00raw bytes');
  const framed = sinks();
  await assert.rejects(copyOutput(Readable.from([Buffer.concat([encodeFrame(1, 'partial '), encodeFrame(3, 'exec failed: no such file\n')])]), framed, false), { message: 'exec failed: no such file' });
  assert.equal(framed.out, 'partial ');
});

test('jsonmessage: statuses and layer progress drawn as plain lines, aux kept, errorDetail rejects', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const lines = [
    { status: 'Pulling from library/busybox', id: 'latest' },
    { status: 'Downloading', id: 'a1b2c3', progressDetail: { current: 10, total: 100 } },
    { status: 'Downloading', id: 'a1b2c3', progressDetail: { current: 50, total: 100 } },
    { status: 'Pull complete', id: 'a1b2c3' },
    { aux: { ID: 'sha256:abc' } },
    { status: 'Status: Downloaded newer image for busybox:latest' },
  ].map((l) => JSON.stringify(l) + '\r\n').join('');
  const aux = await displayJsonMessages(Readable.from([lines.slice(0, 40), lines.slice(40)]), Object.assign(out, { isTTY: false }));
  assert.deepEqual(aux, [{ ID: 'sha256:abc' }]);
  assert.equal(text, 'latest: Pulling from library/busybox\na1b2c3: Downloading\na1b2c3: Pull complete\nStatus: Downloaded newer image for busybox:latest\n');
  const failing = Readable.from([JSON.stringify({ status: 'Pulling' }) + '\n' + JSON.stringify({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }) + '\n']);
  await assert.rejects(displayJsonMessages(failing, Object.assign(new PassThrough(), { isTTY: false })), (e: unknown) => e instanceof JsonMessageError && e.message === 'manifest unknown');
});

test('socket discovery: BERTH_SOCKET (path or unix://), else <BERTH_RUN or /run/berth>/berth.sock', () => {
  assert.equal(socketPathFromEnv({}), '/run/berth/berth.sock');
  assert.equal(socketPathFromEnv({ BERTH_RUN: '/tmp/r' }), '/tmp/r/berth.sock');
  assert.equal(socketPathFromEnv({ BERTH_RUN: '/tmp/r', BERTH_SOCKET: 'unix:///x/y.sock' }), '/x/y.sock');
  assert.equal(socketPathFromEnv({ BERTH_SOCKET: '/a/b.sock' }), '/a/b.sock');
  assert.throws(() => socketPathFromEnv({ BERTH_SOCKET: 'tcp://1.2.3.4:2375' }), /only unix sockets/);
});
