// A small Docker Engine API client over the daemon's unix socket: JSON requests with the version prefix,
// streamed responses (logs, events, wait), and hijacked connections (attach, exec). One connection per
// request — a unix socket connects in microseconds and nothing stays open to hold the CLI's process alive.
import http from 'node:http';
import { Duplex, Writable, type Readable } from 'node:stream';
import { ApiError, DaemonUnreachableError, isUnreachable, messageFromBody } from './api-error.js';

/** The API version this client is written against; lowered to the daemon's when that one is older. */
export const CLIENT_API_VERSION = '1.47';
/** What docker's client assumes when a daemon does not say (its oldest supported version). */
const FALLBACK_API_VERSION = '1.24';

export type QueryValue = string | number | boolean | undefined | null | string[];

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON body (sent with Content-Type: application/json). */
  json?: unknown;
  /** A raw body: bytes or a stream (tar uploads). */
  body?: Buffer | Readable;
  headers?: Record<string, string>;
}

/** A hijacked connection: the daemon's output is read from `stream`, stdin is written to it. */
export interface Hijacked {
  stream: Duplex;
  /** `application/vnd.docker.raw-stream` (TTY) or `…multiplexed-stream`; absent from old daemons. */
  contentType: string | undefined;
}

/** Encodes a path segment (names with slashes, ids). */
export const seg = (s: string): string => encodeURIComponent(s);

/** Docker's query encoding: booleans as 1/0, arrays as repeated keys, absent values left out. */
export function encodeQuery(query: Record<string, QueryValue> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Compares "X.Y" versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export class EngineClient {
  /** The negotiated API version (the /vX.Y prefix of every request). */
  apiVersion = CLIENT_API_VERSION;

  constructor(readonly socketPath: string) {}

  /** HEAD /_ping; adopts the daemon's Api-Version when it is older than ours (docker's negotiation). */
  async ping(): Promise<void> {
    const res = await this.raw('HEAD', '/_ping', {}, false);
    res.resume();
    const server = res.headers['api-version'];
    const v = typeof server === 'string' && /^\d+\.\d+$/.test(server) ? server : FALLBACK_API_VERSION;
    this.apiVersion = compareVersions(v, CLIENT_API_VERSION) < 0 ? v : CLIENT_API_VERSION;
  }

  /** A request whose 2xx/304 response is returned unread (streams); other statuses become ApiError. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    return this.raw(method, path, opts, true);
  }

  /** A request answered with JSON; resolves with the parsed body (undefined for an empty one). */
  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = (await readAll(res)).toString('utf8');
    if (!text.trim()) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`${method} ${path}: the daemon answered ${res.statusCode} with invalid JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
    }
  }

  /** A request whose body is ignored (start, stop, kill, …); resolves with the status (304 = nothing to do). */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const res = await this.request(method, path, opts);
    await readAll(res);
    return res.statusCode ?? 0;
  }

  /** attach/exec: asks for `Upgrade: tcp` and returns the raw connection once the daemon answers 101. */
  hijack(method: string, path: string, opts: RequestOptions = {}): Promise<Hijacked> {
    return new Promise((resolve, reject) => {
      const onResponse = (res: http.IncomingMessage) => {
        // A daemon that does not upgrade streams the output as an ordinary body (no stdin then).
        const sink = new Writable({ write: (_c, _e, cb) => cb() });
        const ct = res.headers['content-type'];
        resolve({ stream: Duplex.from({ readable: res, writable: sink }), contentType: typeof ct === 'string' ? ct : undefined });
      };
      const req = this.start(method, path, { ...opts, headers: { ...opts.headers, Connection: 'Upgrade', Upgrade: 'tcp' } }, true, onResponse, reject);
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        socket.setTimeout(0);
        const ct = res.headers['content-type'];
        resolve({ stream: socket, contentType: typeof ct === 'string' ? ct : undefined });
      });
    });
  }

  private raw(method: string, path: string, opts: RequestOptions, versioned: boolean): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      this.start(method, path, opts, versioned, resolve, reject);
    });
  }

  /** Sends a request; status errors and connection errors go to `reject`, other responses to `onResponse`. */
  private start(method: string, path: string, opts: RequestOptions, versioned: boolean, onResponse: (res: http.IncomingMessage) => void, reject: (e: Error) => void): http.ClientRequest {
    const headers: Record<string, string | number> = { 'User-Agent': 'berth-cli', ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.json !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.json));
      headers['Content-Type'] = 'application/json';
    } else if (Buffer.isBuffer(opts.body)) payload = opts.body;
    if (payload) headers['Content-Length'] = payload.length;
    const url = `${versioned ? `/v${this.apiVersion}` : ''}${path}${encodeQuery(opts.query)}`;
    const req = http.request({ socketPath: this.socketPath, method, path: url, headers, agent: false });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The daemon may refuse an upload mid-body and close: its answer (read below) says why, so let it win.
      if ((err.code === 'EPIPE' || err.code === 'ECONNRESET') && opts.body && !Buffer.isBuffer(opts.body)) {
        setTimeout(() => reject(new Error(`${method} ${path} on ${this.socketPath}: ${err.message}`)), 200);
        return;
      }
      if (isUnreachable(err)) {
        reject(new DaemonUnreachableError(`cannot connect to the Berth daemon at ${this.socketPath}: ${err.message}`, this.socketPath, (err as NodeJS.ErrnoException).code));
      } else reject(new Error(`${method} ${path} on ${this.socketPath}: ${err.message}`));
    });
    // Status errors are answered as ordinary responses even to upgrade requests: read them here.
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status < 400) return onResponse(res);
      readAll(res).then(
        (body) => reject(new ApiError(messageFromBody(body.toString('utf8'), status), status, method, path)),
        (e: Error) => reject(new ApiError(`${method} ${path}: status ${status} (${e.message})`, status, method, path)),
      );
    });
    if (payload) req.end(payload);
    else if (opts.body) (opts.body as Readable).pipe(req);
    else req.end();
    return req;
  }
}

/** Reads a stream to its end. */
export function readAll(src: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    src.on('data', (c: Buffer) => chunks.push(c));
    src.on('end', () => resolve(Buffer.concat(chunks)));
    src.on('error', reject);
  });
}
