// One registry endpoint's request loop: authorization (with one re-challenge on 401), redirects (dropping
// credentials when they leave the registry's host, as Docker does), retries with backoff for idempotent
// requests, and the mapping of failed responses to ImageErrors.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Authenticator } from './auth.js';
import { errorFromResponse, isTransient } from './error-response.js';
import { drain, headerValue, readBody, responseUrl, type HttpTransport } from './http-transport.js';
import { isRetryableStatus, retryDelay, type RetryPolicy } from './retry.js';

export interface RegistryRequest {
  method: string;
  /** A path (`/v2/…`) on the registry's endpoint, or an absolute URL (from a Location header). */
  target: string | URL;
  headers?: Record<string, string>;
  /** A buffer, or a factory so the body can be sent again. */
  body?: Buffer | (() => Readable);
  /** Token scopes the request needs (`repository:a/b:pull`). */
  scopes: string[];
  /** Names the object in errors: `127.0.0.1:5000/a/b:tag`. */
  subject: string;
  /** Actions named in PermissionDenied messages. */
  actions?: string;
  /** Safe to send again after a network error, 5xx or 429. */
  idempotent: boolean;
  followRedirects?: boolean;
  /** Statuses handed back to the caller; any other becomes an ImageError. */
  accept: number[];
}

export interface SessionDeps {
  transport: HttpTransport;
  auth: Authenticator;
  policy: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const ERROR_BODY_LIMIT = 64 << 10;

export class RegistrySession {
  constructor(
    /** The registry as named in references (`docker.io`, `127.0.0.1:5000`): the credentials key. */
    readonly registry: string,
    /** host[:port] the API is served from (`registry-1.docker.io` for docker.io). */
    readonly endpoint: string,
    private readonly deps: SessionDeps,
  ) {}

  /** Sends a request until it succeeds, fails for good, or runs out of retries. */
  async send(r: RegistryRequest): Promise<IncomingMessage> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
    let scopes = r.scopes;
    let authRetried = false;
    let retry = 0;
    for (;;) {
      let res: IncomingMessage;
      let sentAuth: string | undefined;
      try {
        ({ res, sentAuth } = await this.once(r, scopes));
      } catch (e) {
        if (r.idempotent && isTransient(e) && retry < this.deps.policy.retries) {
          await sleep(retryDelay(retry++, this.deps.policy));
          continue;
        }
        throw e;
      }
      const status = res.statusCode ?? 0;
      let insufficientScope = false;
      if (status === 401) {
        const outcome = this.deps.auth.onUnauthorized(this.endpoint, res, scopes, sentAuth);
        insufficientScope = outcome.insufficientScope;
        if (outcome.retry && !authRetried) {
          drain(res);
          authRetried = true;
          scopes = outcome.scopes;
          continue;
        }
      }
      if (r.accept.includes(status)) return res;
      if (r.idempotent && isRetryableStatus(status) && retry < this.deps.policy.retries) {
        drain(res);
        await sleep(retryDelay(retry++, this.deps.policy, res.headers['retry-after']));
        continue;
      }
      const body = r.method === 'HEAD' ? Buffer.alloc(0) : await readBody(res, ERROR_BODY_LIMIT, r.subject).catch(() => Buffer.alloc(0));
      throw errorFromResponse(status, body, {
        registry: this.registry,
        subject: r.subject,
        method: r.method,
        hadCredentials: await this.deps.auth.hasCredentials(this.registry),
        insufficientScope,
        ...(r.actions ? { actions: r.actions } : {}),
      });
    }
  }

  /** One attempt, following redirects. */
  private async once(r: RegistryRequest, scopes: string[]): Promise<{ res: IncomingMessage; sentAuth: string | undefined }> {
    let url = typeof r.target === 'string' ? undefined : r.target;
    let authorization = await this.deps.auth.header(this.endpoint, this.registry, scopes);
    if (url && url.host.toLowerCase() !== this.endpoint.toLowerCase()) authorization = undefined;
    let method = r.method;
    for (let hop = 0; ; hop++) {
      const headers = { ...r.headers, ...(authorization ? { Authorization: authorization } : {}) };
      const init = { method, headers, ...(r.body && method === r.method ? { body: r.body } : {}) };
      const res = url
        ? await this.deps.transport.request(url, init)
        : await this.deps.transport.requestHost(this.endpoint, r.target as string, init);
      const location = headerValue(res, 'location');
      const status = res.statusCode ?? 0;
      if (!r.followRedirects || !REDIRECTS.has(status) || !location || hop >= MAX_REDIRECTS) return { res, sentAuth: authorization };
      drain(res);
      const from = responseUrl(res);
      url = new URL(location, from);
      // Credentials stay with the registry: a redirect to another host (a CDN, object storage) gets none.
      if (url.host.toLowerCase() !== from.host.toLowerCase()) authorization = undefined;
      if (status === 303 && method !== 'HEAD') method = 'GET';
    }
  }
}
