// The registry client factory: one transport (keep-alive agents, TLS settings, scheme memory) and one
// authenticator (challenges, token cache) shared by every repository client it makes.
import { DOMAIN_RE, REMOTE_NAME_RE } from '../reference/grammar.js';
import { registryEndpointHost } from '../reference/parse.js';
import { ImageError } from '../errors.js';
import { Authenticator, type CredentialSource } from './auth.js';
import { defaultCertsDirs, defaultInsecureRegistries, loadHostConfig } from './host-config.js';
import { drain, HttpTransport } from './http-transport.js';
import { RegistryRepositoryClient } from './repository-client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { RegistrySession } from './session.js';
import type { Credentials, RegistryClientFactory, RepositoryClient } from './types.js';

export interface RegistryClientOptions {
  /** Credentials per registry (as named in references: `docker.io`, `host:5000`); default none. */
  credentials?: (registry: string) => Promise<Credentials | undefined>;
  /** certs.d-style directories; default $BERTH_CERTS_DIR, else /etc/berth/certs.d and /etc/docker/certs.d. */
  certsDirs?: string[];
  /** Hosts that may use plain HTTP and unverified TLS (plus $BERTH_INSECURE_REGISTRIES). */
  insecureRegistries?: string[];
  /** Retries after a failed attempt (network errors, 5xx, 429); default 3. */
  retries?: number;
  userAgent?: string;
  /** Idle timeout of a request, ms; default 60 s. */
  timeoutMs?: number;
  /** First backoff delay, ms (doubles per retry); default 250. */
  retryBaseDelayMs?: number;
}

export interface RegistryClient extends RegistryClientFactory {
  /** Closes idle connections (pending requests finish). */
  close(): void;
}

/** A registry client factory (OCI distribution / Docker Registry v2). */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const certsDirs = options.certsDirs ?? defaultCertsDirs();
  const insecureRegistries = [...(options.insecureRegistries ?? []), ...defaultInsecureRegistries()];
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.retryBaseDelayMs !== undefined ? { baseDelayMs: options.retryBaseDelayMs } : {}),
  };
  const transport = new HttpTransport({
    hostConfig: (host) => loadHostConfig(host, { certsDirs, insecureRegistries }),
    userAgent: options.userAgent ?? `berth/0.1 (node ${process.version})`,
    timeoutMs: options.timeoutMs ?? 60_000,
    certsDir: certsDirs[0] ?? '/etc/berth/certs.d',
  });
  const credentials: CredentialSource = options.credentials ?? (async () => undefined);
  const auth = new Authenticator(transport, credentials);
  const sessions = new Map<string, RegistrySession>();
  const sessionFor = (registry: string, a: Authenticator = auth) => {
    checkRegistry(registry);
    if (a !== auth) return new RegistrySession(registry, registryEndpointHost(registry), { transport, auth: a, policy });
    let s = sessions.get(registry);
    if (!s) sessions.set(registry, (s = new RegistrySession(registry, registryEndpointHost(registry), { transport, auth, policy })));
    return s;
  };

  return {
    repository(registry: string, repository: string, actions: ('pull' | 'push' | 'delete')[]): RepositoryClient {
      if (!REMOTE_NAME_RE.test(repository)) {
        throw new ImageError(`"${repository}": invalid repository name (lowercase letters, digits and separators, "/" between components)`, 'InvalidArgument');
      }
      return new RegistryRepositoryClient(sessionFor(registry), repository, actions, policy);
    },

    async ping(registry: string, given?: Credentials): Promise<void> {
      // Given credentials (login) are tried on their own, without touching the shared token cache.
      const a = given ? new Authenticator(transport, async () => given) : auth;
      const res = await sessionFor(registry, a).send({
        method: 'GET',
        target: '/v2/',
        scopes: [],
        subject: registry,
        idempotent: true,
        accept: [200, 404],
      });
      drain(res);
      if (res.statusCode === 404) throw new ImageError(`${registry}: not a registry (GET /v2/ answered 404)`, 'NotFound');
    },

    close(): void {
      transport.close();
    },
  };
}

function checkRegistry(registry: string): void {
  if (!DOMAIN_RE.test(registry)) throw new ImageError(`"${registry}": invalid registry host (expected host[:port])`, 'InvalidArgument');
}
