// HTTP(S) to registries and token servers: one keep-alive agent per origin (so parallel blob downloads
// share connections), system CAs plus the per-registry CA directory, HTTPS first with a remembered fallback
// to plain HTTP for hosts allowed to be insecure, and network failures turned into clear ImageErrors.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { PassThrough, type Readable } from 'node:stream';
import { ImageError } from '../errors.js';
import { markTransient } from './error-response.js';
import { splitHostPort } from './host-config.js';
import type { RegistryHostConfig } from './types.js';

export interface HttpRequestInit {
  method: string;
  headers?: Record<string, string>;
  /** A buffer, or a factory so the body can be sent again (retry, auth challenge, scheme fallback). */
  body?: Buffer | (() => Readable);
  /** Names the peer in network errors; default `registry <host>`. */
  peer?: string;
}

export interface TransportOptions {
  hostConfig: (host: string) => RegistryHostConfig;
  userAgent: string;
  /** Idle time (connect, headers, or a flowing body) after which a request fails. */
  timeoutMs: number;
  /** Where users should put a registry's CA (named in TLS errors). */
  certsDir: string;
}

/** A network-level failure; `notTls` says the peer did not speak TLS (so plain HTTP may be tried). */
export class TransportError extends ImageError {
  constructor(message: string, readonly notTls: boolean) {
    super(message, 'Unavailable');
  }
}

const CERT_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'INVALID_CA',
  'CERT_CHAIN_TOO_LONG', 'INVALID_PURPOSE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found (DNS lookup failed)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
};
const NOT_A_TLS_SIGN = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

const handshaken = new WeakSet<object>();
const responseUrls = new WeakMap<http.IncomingMessage, URL>();
const responseFailures = new WeakMap<http.IncomingMessage, ImageError>();
let systemCaCache: string[] | undefined;

/** Node's bundled roots plus the system bundle (Debian's ca-certificates, or $SSL_CERT_FILE). */
function systemCAs(): string[] {
  if (!systemCaCache) {
    const extra: string[] = [];
    for (const file of [process.env['SSL_CERT_FILE'], '/etc/ssl/certs/ca-certificates.crt']) {
      if (!file) continue;
      try {
        extra.push(fs.readFileSync(file, 'utf8'));
        break;
      } catch {
        /* try the next */
      }
    }
    systemCaCache = [...tls.rootCertificates, ...extra];
  }
  return systemCaCache;
}

export class HttpTransport {
  private readonly agents = new Map<string, http.Agent>();
  private readonly schemes = new Map<string, 'https' | 'http'>();
  private readonly configs = new Map<string, RegistryHostConfig>();

  constructor(private readonly options: TransportOptions) {}

  /** The host's settings (CA directory read once per host). */
  hostConfig(host: string): RegistryHostConfig {
    let c = this.configs.get(host);
    if (!c) this.configs.set(host, (c = this.options.hostConfig(host)));
    return c;
  }

  /** A request to `https://host/path`, or `http://` when the host is insecure and does not speak TLS. */
  async requestHost(host: string, pathAndQuery: string, init: HttpRequestInit): Promise<http.IncomingMessage> {
    const known = this.schemes.get(host);
    if (known) return this.request(new URL(`${known}://${host}${pathAndQuery}`), init);
    // An insecure-allowed host first gets a bare handshake (no request, nothing verified): a plain-HTTP
    // registry is then spoken to directly, without building the verifying TLS context (system CAs: tens of
    // milliseconds) just to see the handshake fail. Anything else takes the usual way below.
    if (this.hostConfig(host).insecure && (await this.probeTls(host)) === 'plain') {
      const res = await this.request(new URL(`http://${host}${pathAndQuery}`), init);
      this.schemes.set(host, 'http');
      return res;
    }
    try {
      const res = await this.request(new URL(`https://${host}${pathAndQuery}`), init);
      this.schemes.set(host, 'https');
      return res;
    } catch (e) {
      if (!this.hostConfig(host).insecure || !(e instanceof TransportError && e.notTls)) throw e;
    }
    const res = await this.request(new URL(`http://${host}${pathAndQuery}`), init);
    this.schemes.set(host, 'http');
    return res;
  }

  /** 'plain' when the peer answers a TLS ClientHello with something else than TLS. */
  private probeTls(host: string): Promise<'tls' | 'plain' | 'unknown'> {
    const { hostname, port } = splitHostPort(host);
    return new Promise((resolve) => {
      let connected = false;
      let settled = false;
      const socket = tls.connect({ host: hostname, port: Number(port ?? 443), rejectUnauthorized: false, ...(net.isIP(hostname) ? {} : { servername: hostname }) });
      const done = (r: 'tls' | 'plain' | 'unknown') => {
        if (settled) return;
        settled = true;
        socket.destroy();
        resolve(r);
      };
      socket.setTimeout(this.options.timeoutMs, () => done('unknown'));
      socket.once('connect', () => (connected = true));
      socket.once('secureConnect', () => done('tls'));
      socket.on('error', (err) => done(connected && !isCertError(err) && !NOT_A_TLS_SIGN.has(codeOf(err)) ? 'plain' : 'unknown'));
      socket.once('close', () => done(connected ? 'plain' : 'unknown'));
    });
  }

  /** One request to an absolute URL; resolves with the response head (the body is the caller's). */
  request(url: URL, init: HttpRequestInit): Promise<http.IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const peer = init.peer ?? `registry ${url.host}`;
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, ...init.headers };
    if (Buffer.isBuffer(init.body) && !hasHeader(headers, 'content-length')) headers['Content-Length'] = String(init.body.length);
    if (!init.body && ['POST', 'PUT', 'PATCH'].includes(init.method) && !hasHeader(headers, 'content-length')) headers['Content-Length'] = '0';
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, { method: init.method, headers, agent: this.agentFor(url) });
      let response: http.IncomingMessage | undefined;
      let socket: import('node:net').Socket | undefined;
      let source: Readable | undefined;
      const timeoutMs = this.options.timeoutMs;
      const onTimeout = () => {
        // Unread data waiting in the response means a slow consumer (backpressure), not a stalled server.
        if (response && !response.readableEnded && response.readableLength > 0) {
          socket?.setTimeout(timeoutMs);
          return;
        }
        const idle = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
        const err = markTransient(new ImageError(`cannot reach ${peer}: timed out (no data for ${idle})`, 'Unavailable'));
        if (response) responseFailures.set(response, err);
        req.destroy(err);
      };
      req.on('socket', (s) => {
        socket = s;
        if (isHttps && !handshaken.has(s)) s.once('secureConnect', () => handshaken.add(s));
        s.setTimeout(timeoutMs);
        s.on('timeout', onTimeout);
      });
      req.on('close', () => {
        // The socket may go back to the pool: leave it as we found it.
        socket?.off('timeout', onTimeout);
        socket?.setTimeout(0);
      });
      let bodyError: Error | undefined;
      req.on('error', (err) => {
        source?.destroy();
        if (response) return; // the body stream reports it
        // Our own errors, and failures reading the local body (not the network's fault), pass through.
        if (err instanceof ImageError || (bodyError && err === bodyError)) return reject(err);
        const notTls = isHttps && !!socket && !handshaken.has(socket) && !isCertError(err) && !NOT_A_TLS_SIGN.has(codeOf(err));
        reject(this.networkError(err, url, peer, notTls));
      });
      req.on('response', (res) => {
        response = res;
        responseUrls.set(res, url);
        resolve(res);
      });
      if (Buffer.isBuffer(init.body)) req.end(init.body);
      else if (init.body) {
        source = init.body();
        source.on('error', (e) => {
          bodyError = e;
          req.destroy(e);
        });
        source.pipe(req);
      } else req.end();
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private agentFor(url: URL): http.Agent {
    const key = `${url.protocol}//${url.host}`;
    let agent = this.agents.get(key);
    if (agent) return agent;
    if (url.protocol === 'https:') {
      const cfg = this.hostConfig(url.host);
      agent = new https.Agent({
        keepAlive: true,
        maxSockets: 32,
        ca: [...systemCAs(), ...cfg.ca],
        ...(cfg.cert && cfg.key ? { cert: cfg.cert, key: cfg.key } : {}),
        rejectUnauthorized: !cfg.skipVerify,
      });
    } else {
      agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    }
    this.agents.set(key, agent);
    return agent;
  }

  private networkError(err: Error, url: URL, peer: string, notTls: boolean): ImageError {
    const code = codeOf(err);
    if (isCertError(err)) {
      return new TransportError(
        `${peer}: TLS certificate verification failed (${err.message}) — put the registry's CA certificate in ` +
          `${this.options.certsDir}/${url.host}/ca.crt, or mark the registry insecure (--insecure-registry ${url.host})`,
        false,
      );
    }
    const reason = NETWORK_REASONS[code] ?? (notTls ? `TLS handshake failed (${err.message})` : err.message);
    const e = new TransportError(`cannot reach ${peer}: ${reason}`, notTls);
    e.cause = err;
    return markTransient(e);
  }
}

/** Reads a whole body, refusing more than `limit` bytes (the message names `what`). */
export function readBody(res: http.IncomingMessage, limit: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy();
        reject(new ImageError(`${what}: response larger than ${limit} bytes — refusing it`, 'InvalidArgument'));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(markTransient(new ImageError(`${what}: connection lost while reading the response (${e.message})`, 'Unavailable'))));
  });
}

/** The URL a response answered (for resolving relative Location and Link headers). */
export function responseUrl(res: http.IncomingMessage): URL {
  const u = responseUrls.get(res);
  if (!u) throw new ImageError('internal: response without a recorded URL', 'Internal');
  return u;
}

/**
 * The body as a stream whose failures are ImageErrors (Unavailable, retryable) naming `what`, instead of
 * Node's bare "aborted"; destroying it releases the connection.
 */
export function guardedBody(res: http.IncomingMessage, what: string): Readable {
  const out = new PassThrough();
  const fail = (e?: Error) => {
    if (out.destroyed) return;
    out.destroy(responseFailures.get(res) ?? markTransient(new ImageError(`${what}: connection lost during the download (${e?.message ?? 'aborted'})`, 'Unavailable')));
  };
  res.on('error', fail);
  res.on('aborted', () => fail());
  out.on('close', () => {
    if (!res.readableEnded) res.destroy();
  });
  res.pipe(out);
  return out;
}

/** Discards a body so the connection can be reused. */
export function drain(res: http.IncomingMessage): void {
  res.on('error', () => {});
  res.resume();
}

/** A header value as one string (first of repeated values). */
export function headerValue(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function codeOf(err: unknown): string {
  return String((err as { code?: unknown })?.code ?? '');
}

function isCertError(err: unknown): boolean {
  return CERT_ERRORS.has(codeOf(err));
}
