// A real API server on a temp unix socket with the routes a test gives, and raw clients for it: HTTP
// requests (Node's client) and a bare socket (for upgrade requests, written byte by byte).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../../../../src/engine/api/server.js';
import type { ApiLogger } from '../../../../src/engine/api/dispatch.js';
import type { Route } from '../../../../src/engine/api/router.js';
import type { TcpListen } from '../../../../src/engine/config.js';

export interface TestServer {
  dir: string;
  socketPath: string;
  server: ApiServer;
  log: string[];
  request(method: string, urlPath: string, o?: { headers?: Record<string, string>; body?: Buffer | string }): Promise<Reply>;
  /** Opens a raw connection, writes `data`, returns the socket. */
  raw(data: string | Buffer): Promise<net.Socket>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** A logger that keeps lines. */
export function memoryLogger(lines: string[]): ApiLogger {
  return {
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

/** Starts a server with `routes` in a new temp dir. */
export async function startTestServer(routes: Route[], options: { tcp?: TcpListen; dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-'));
  const socketPath = path.join(dir, 'api.sock');
  const log: string[] = [];
  const server = await startApiServer({ socketPath, routes, log: memoryLogger(log), ...(options.tcp ? { tcp: options.tcp } : {}) });
  return {
    dir,
    socketPath,
    server,
    log,
    request: (method, urlPath, o = {}) => request(socketPath, method, urlPath, o),
    raw: (data) =>
      new Promise((resolve, reject) => {
        const s = net.connect(socketPath, () => {
          s.write(data);
          resolve(s);
        });
        s.on('error', reject);
      }),
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTP request over a unix socket, body collected. */
export function request(socketPath: string, method: string, urlPath: string, o: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Reads from a socket until `pred` holds for everything read so far (or the socket ends). */
export function readUntil(s: net.Socket, pred: (all: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let all = Buffer.alloc(0);
    const check = () => {
      if (pred(all)) {
        s.off('data', onData);
        s.off('end', onEnd);
        resolve(all);
      }
    };
    const onData = (c: Buffer) => {
      all = Buffer.concat([all, c]);
      check();
    };
    const onEnd = () => {
      s.off('data', onData);
      if (pred(all)) resolve(all);
      else reject(new Error(`connection ended before the expected data; got: ${JSON.stringify(all.toString('latin1'))}`));
    };
    s.on('data', onData);
    s.on('end', onEnd);
    check();
  });
}

/** Everything a socket sends until it ends. */
export function readToEnd(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}
