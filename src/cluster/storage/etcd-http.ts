// HTTP transport to etcd's JSON gateway (`/v3/kv/range`, `/v3/kv/txn`, `/v3/watch`, …). We talk JSON over
// keep-alive HTTP/1.1 instead of gRPC: measured against the `etcd3` npm client it had equal or better write
// latency and used ~50 MB less RSS, with no dependencies (and it bundles). The port is narrow so the client's
// failover and decoding logic are unit-tested against a fake.
import http from 'node:http';
import https from 'node:https';

/** Client-side TLS material (PEM contents) for an etcd that serves https. */
export interface EtcdClientTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** A network-level failure; `retriable` means the request certainly did not reach etcd. */
export class TransportError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(message: string, code: string, retriable: boolean) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.retriable = retriable;
  }
}

/** Handlers of a streaming response (newline-delimited JSON messages). */
export interface StreamHandlers {
  onMessage(msg: unknown): void;
  /** Called once when an established stream ends for any reason other than close() (a failed connect
   *  is reported by `connected` rejecting instead). */
  onClose(err?: Error): void;
}

/** The narrow port the etcd client uses. */
export interface EtcdTransport {
  /** POSTs body as JSON to endpoint+path; resolves with the HTTP status and the parsed JSON reply. */
  post(endpoint: string, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: unknown }>;
  /** Opens a streaming POST; `connected` resolves when the response starts (rejects if it cannot). */
  stream(endpoint: string, path: string, body: unknown, handlers: StreamHandlers): { connected: Promise<void>; close(): void };
  /** Releases pooled connections. */
  close(): void;
}

// Errors where the request was never delivered: safe to send again, even a write.
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/** Classifies a socket error; a reset on a reused keep-alive socket also means "not delivered". */
function toTransportError(err: NodeJS.ErrnoException, endpoint: string, reusedSocket: boolean): TransportError {
  const code = err.code ?? 'EUNKNOWN';
  const retriable = NOT_DELIVERED.has(code) || (reusedSocket && code === 'ECONNRESET');
  return new TransportError(`etcd ${endpoint}: ${err.message}`, code, retriable);
}

/** The real transport: node:http(s) with a keep-alive agent per scheme. */
export function createHttpTransport(opts: { tls?: EtcdClientTls } = {}): EtcdTransport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, ...(opts.tls ?? {}) });
  // Watch streams hold their socket for as long as they live: they get their own unbounded agents, so
  // any number of open watches can never starve the request pool.
  const streamHttpAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const streamHttpsAgent = new https.Agent({ keepAlive: false, maxSockets: Infinity, ...(opts.tls ?? {}) });

  function open(endpoint: string, path: string, data: string, timeoutMs?: number, streaming = false): http.ClientRequest {
    const url = new URL(path, endpoint);
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: streaming ? (secure ? streamHttpsAgent : streamHttpAgent) : secure ? httpsAgent : httpAgent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    });
    req.end(data);
    return req;
  }

  return {
    post(endpoint, path, body, timeoutMs) {
      return new Promise((resolve, reject) => {
        const req = open(endpoint, path, JSON.stringify(body), timeoutMs);
        req.on('timeout', () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
        req.on('error', (err: NodeJS.ErrnoException) => reject(toTransportError(err, endpoint, req.reusedSocket)));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err: NodeJS.ErrnoException) => reject(toTransportError(err, endpoint, false)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
            } catch {
              reject(new TransportError(`etcd ${endpoint}: unparsable reply (${res.statusCode}): ${text.slice(0, 200)}`, 'EBADREPLY', false));
            }
          });
        });
      });
    },

    stream(endpoint, path, body, handlers) {
      let closedByUs = false;
      let ended = false;
      let established = false;
      const finish = (err?: Error) => {
        if (!established || ended || closedByUs) return;
        ended = true;
        handlers.onClose(err);
      };
      const req = open(endpoint, path, JSON.stringify(body), undefined, true);
      const connected = new Promise<void>((resolve, reject) => {
        req.on('error', (err: NodeJS.ErrnoException) => {
          const te = toTransportError(err, endpoint, req.reusedSocket);
          reject(te);
          finish(te);
        });
        req.on('response', (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const e = new TransportError(`etcd ${endpoint}${path}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`, 'EHTTP', false);
              reject(e);
              finish(e);
            });
            return;
          }
          // Long-lived watch: let TCP keepalive notice a peer that vanished without closing the socket.
          req.socket?.setKeepAlive(true, 10_000);
          established = true;
          resolve();
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            let nl: number;
            while ((nl = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, nl).trim();
              pending = pending.slice(nl + 1);
              if (!line || closedByUs) continue;
              let msg: unknown;
              try {
                msg = JSON.parse(line);
              } catch {
                finish(new TransportError(`etcd ${endpoint}: unparsable stream message: ${line.slice(0, 200)}`, 'EBADREPLY', false));
                req.destroy();
                return;
              }
              handlers.onMessage(msg);
            }
          });
          res.on('error', (err: NodeJS.ErrnoException) => finish(toTransportError(err, endpoint, false)));
          res.on('end', () => finish(new TransportError(`etcd ${endpoint}: stream ended`, 'EEOF', false)));
          res.on('close', () => finish(new TransportError(`etcd ${endpoint}: stream closed`, 'EEOF', false)));
        });
      });
      connected.catch(() => undefined); // callers may ignore it; onClose reports the failure too
      return {
        connected,
        close() {
          closedByUs = true;
          req.destroy();
        },
      };
    },

    close() {
      for (const agent of [httpAgent, httpsAgent, streamHttpAgent, streamHttpsAgent]) agent.destroy();
    },
  };
}
