// The ApiResponse a handler writes to: over Node's ServerResponse for ordinary requests, or over the bare
// socket for upgrade requests (attach/exec), where Node has stopped parsing HTTP and every answer — an
// error before the hijack, or the 101 itself — is written by hand.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Duplex, Writable } from 'node:stream';
import type { ApiResponse } from './router.js';
import { dropEmptyChunkedBody } from './upgrade-body.js';
import { standardHeaders } from './version.js';

/** Records what was answered, for the request log. */
export interface ResponseRecord {
  status?: number;
}

/** An ApiResponse over a ServerResponse (ordinary requests). */
export function nodeResponse(req: IncomingMessage, res: ServerResponse, record: ResponseRecord = {}): ApiResponse {
  const head = (status: number, headers: Record<string, string | number>) => {
    record.status = status;
    res.writeHead(status, { ...standardHeaders(), ...headers });
  };
  return {
    get started() {
      return res.headersSent;
    },
    json(status, body) {
      const bytes = Buffer.from(JSON.stringify(body) + '\n');
      head(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
      res.end(bytes);
    },
    noContent() {
      head(204, {});
      res.end();
    },
    status(code) {
      head(code, code === 204 || code === 304 ? {} : { 'Content-Length': 0 });
      res.end();
    },
    text(status, body, contentType = 'text/plain; charset=utf-8', headers = {}) {
      const bytes = Buffer.from(body);
      head(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, ...headers });
      res.end(bytes);
    },
    stream(contentType, headers = {}) {
      head(200, { 'Content-Type': contentType, ...headers });
      res.flushHeaders();
      return res;
    },
    hijack(contentType) {
      // dockerode without hijack: a plain 200 stream; the request body is the client's stdin.
      head(200, { 'Content-Type': contentType });
      res.flushHeaders();
      return Duplex.from({ readable: req, writable: res });
    },
  };
}

/** An ApiResponse written straight to the socket of an upgrade request. */
export function socketResponse(req: IncomingMessage, socket: Duplex, record: ResponseRecord = {}): ApiResponse {
  let started = false;
  const writeHead = (status: number, reason: string, headers: Record<string, string | number>) => {
    if (started) throw new Error(`response already started (status ${record.status}); cannot answer ${status}`);
    started = true;
    record.status = status;
    const lines = [`HTTP/1.1 ${status} ${reason}`];
    for (const [k, v] of Object.entries({ ...standardHeaders(), ...headers })) lines.push(`${k}: ${v}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
  };
  const whole = (status: number, headers: Record<string, string>, body: Buffer) => {
    writeHead(status, STATUS_CODES[status] ?? 'Unknown', { ...headers, 'Content-Length': body.length, Connection: 'close' });
    socket.end(body);
  };
  return {
    get started() {
      return started;
    },
    json(status, body) {
      whole(status, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(body) + '\n'));
    },
    noContent() {
      whole(204, {}, Buffer.alloc(0));
    },
    status(code) {
      whole(code, {}, Buffer.alloc(0));
    },
    text(status, body, contentType = 'text/plain; charset=utf-8', headers = {}) {
      whole(status, { 'Content-Type': contentType, ...headers }, Buffer.from(body));
    },
    stream(contentType, headers = {}) {
      // Without a length the body ends when the connection closes (valid for HTTP/1.1 with Connection: close).
      writeHead(200, 'OK', { 'Content-Type': contentType, Connection: 'close', ...headers });
      return new Writable({
        write(chunk, _enc, cb) {
          socket.write(chunk, cb);
        },
        final(cb) {
          socket.end(cb);
        },
      });
    },
    hijack(contentType) {
      writeHead(101, 'UPGRADED', { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' });
      dropEmptyChunkedBody(req, socket);
      return socket;
    },
  };
}
