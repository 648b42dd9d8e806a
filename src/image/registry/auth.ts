// Registry authentication: learns each endpoint's challenge from its 401s, then sends Basic credentials or
// a bearer token from the challenge's realm (Docker's token flow, identity tokens via OAuth2 refresh). Tokens
// are cached per endpoint and scope set until they expire, and concurrent requests share one token fetch.
import type { IncomingMessage } from 'node:http';
import { ImageError } from '../errors.js';
import { markTransient } from './error-response.js';
import { drain, readBody, type HttpTransport } from './http-transport.js';
import type { Credentials } from './types.js';
import { findChallenge, parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

export type CredentialSource = (registry: string) => Promise<Credentials | undefined>;

export interface ChallengeOutcome {
  /** Sending the request again (with the new challenge's credentials) may succeed. */
  retry: boolean;
  /** Scopes to ask for: the request's plus any the challenge named. */
  scopes: string[];
  /** The challenge said the token lacked access (`error="insufficient_scope"`). */
  insufficientScope: boolean;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_LIFETIME_S = 60;
const EXPIRY_SLACK_MS = 5_000;
const CREDENTIALS_TTL_MS = 30_000;

/** The `repository:<name>:<actions>` scope a token request asks for. */
export function repositoryScope(repository: string, actions: string[]): string {
  return `repository:${repository}:${[...new Set(actions)].join(',')}`;
}

export class Authenticator {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly creds = new Map<string, { at: number; value: Promise<Credentials | undefined> }>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: CredentialSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Credentials for a registry (asked of the source at most every 30 s). */
  credentialsFor(registry: string): Promise<Credentials | undefined> {
    const hit = this.creds.get(registry);
    if (hit && this.now() - hit.at < CREDENTIALS_TTL_MS) return hit.value;
    const value = this.credentials(registry);
    this.creds.set(registry, { at: this.now(), value });
    value.catch(() => this.creds.delete(registry));
    return value;
  }

  /** The Authorization header for a request to `endpoint` needing `scopes`, once a challenge is known. */
  async header(endpoint: string, registry: string, scopes: string[]): Promise<string | undefined> {
    const ch = this.challenges.get(endpoint);
    if (!ch) return undefined;
    const creds = await this.credentialsFor(registry);
    if (ch.scheme === 'basic') {
      if (!creds?.username) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    }
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    return `Bearer ${await this.token(ch, registry, scopes, creds)}`;
  }

  /** Learns from a 401: stores the challenge, drops a refused token, and says whether to try again. */
  onUnauthorized(endpoint: string, res: IncomingMessage, scopes: string[], sentAuthorization: string | undefined): ChallengeOutcome {
    const all = parseWwwAuthenticate(res.headers['www-authenticate']);
    const ch = findChallenge(all, 'bearer') ?? findChallenge(all, 'basic');
    const insufficientScope = ch?.params['error'] === 'insufficient_scope';
    if (!ch) return { retry: false, scopes, insufficientScope };
    const known = this.challenges.get(endpoint);
    this.challenges.set(endpoint, ch);
    const merged = [...scopes];
    for (const s of (ch.params['scope'] ?? '').split(' ').filter(Boolean)) if (!merged.includes(s)) merged.push(s);
    if (ch.scheme === 'bearer') {
      this.tokens.delete(this.tokenKey(ch, merged));
      return { retry: true, scopes: merged, insufficientScope };
    }
    // Basic: worth a retry only if the first attempt did not already carry Basic credentials.
    const retry = !(known?.scheme === 'basic' && sentAuthorization?.startsWith('Basic '));
    return { retry, scopes: merged, insufficientScope };
  }

  /** True when the registry has credentials configured. */
  async hasCredentials(registry: string): Promise<boolean> {
    const c = await this.credentialsFor(registry);
    return !!(c && (c.username || c.identityToken || c.registryToken));
  }

  private tokenKey(ch: AuthChallenge, scopes: string[]): string {
    return `${ch.params['realm'] ?? ''}|${ch.params['service'] ?? ''}|${[...scopes].sort().join(' ')}`;
  }

  private async token(ch: AuthChallenge, registry: string, scopes: string[], creds: Credentials | undefined): Promise<string> {
    const key = this.tokenKey(ch, scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(ch, registry, scopes, creds).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetchToken(ch: AuthChallenge, registry: string, scopes: string[], creds: Credentials | undefined): Promise<string> {
    const realm = ch.params['realm'];
    if (!realm) throw new ImageError(`${registry}: bearer challenge without a realm — cannot obtain a token`, 'Unauthorized');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ImageError(`${registry}: bearer challenge has an invalid realm "${realm}"`, 'Unauthorized');
    }
    const peer = `token server ${url.origin}${url.pathname}`;
    let res: IncomingMessage;
    if (creds?.identityToken) {
      res = await this.transport.request(url, {
        method: 'POST',
        peer,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(
          new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: creds.identityToken,
            service: ch.params['service'] ?? '',
            client_id: 'berth',
            ...(scopes.length ? { scope: scopes.join(' ') } : {}),
          }).toString(),
        ),
      });
    } else {
      if (ch.params['service'] !== undefined) url.searchParams.set('service', ch.params['service']);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds?.username) {
        url.searchParams.set('account', creds.username);
        headers['Authorization'] = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      }
      res = await this.transport.request(url, { method: 'GET', peer, headers });
    }
    const status = res.statusCode ?? 0;
    if (status === 401 || status === 403) {
      drain(res);
      if (!creds) throw new ImageError(`${registry}: authentication required — run \`berth login ${registry}\``, 'Unauthorized');
      const who = creds.username ? `user "${creds.username}"` : 'the stored identity token';
      throw new ImageError(`${registry}: authentication failed for ${who} — check the credentials (\`berth login ${registry}\`)`, 'Unauthorized');
    }
    if (status !== 200) {
      drain(res);
      const err = new ImageError(`${registry}: ${peer} answered HTTP ${status} to a token request`, status >= 500 ? 'Unavailable' : 'Unauthorized');
      throw status >= 500 ? markTransient(err) : err;
    }
    const body = await readBody(res, 1 << 20, peer);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(body.toString());
    } catch {
      throw new ImageError(`${registry}: ${peer} sent a token response that is not JSON`, 'Unauthorized');
    }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new ImageError(`${registry}: ${peer} sent no token`, 'Unauthorized');
    const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    this.tokens.set(this.tokenKey(ch, scopes), { token, expiresAt: this.now() + lifetime * 1000 - EXPIRY_SLACK_MS });
    return token;
  }
}
