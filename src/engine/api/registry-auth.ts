// Registry credentials a client sends with a request: `X-Registry-Auth` (pull, push) and the /auth body.
// dockerd keeps no credentials of its own; it uses what the client sends, for that request only.
import {
  createRegistryClient,
  normalizeAuthKey,
  type Credentials,
  type ImageContext,
  type RegistryClient,
} from '../../image/index.js';
import { EngineError } from '../errors.js';

/** Docker's AuthConfig (the JSON in X-Registry-Auth and the POST /auth body). */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), as config.json stores it. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Decodes an X-Registry-Auth header (base64url JSON; plain base64 is accepted too). */
export function decodeRegistryAuthHeader(header: string | undefined): AuthConfig | undefined {
  if (!header || header.trim() === '') return undefined;
  let doc: unknown;
  try {
    // Node's base64 decoder reads both the standard and the URL-safe alphabet.
    doc = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
  } catch {
    throw new EngineError('invalid X-Registry-Auth header: expected base64url-encoded JSON {"username","password","serveraddress"}', 'InvalidArgument');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new EngineError('invalid X-Registry-Auth header: expected a JSON object', 'InvalidArgument');
  }
  return doc as AuthConfig;
}

/** The registry client's Credentials for an AuthConfig; undefined when it holds none. */
export function credentialsOf(config: AuthConfig | undefined): Credentials | undefined {
  if (!config) return undefined;
  let { username, password } = config;
  if (!username && config.auth) {
    const text = Buffer.from(config.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      username = text.slice(0, colon);
      password = text.slice(colon + 1);
    }
  }
  const c: Credentials = {};
  if (username) c.username = username;
  if (password !== undefined && password !== '') c.password = password;
  if (config.identitytoken) c.identityToken = config.identitytoken;
  if (config.registrytoken) c.registryToken = config.registrytoken;
  return Object.keys(c).length > 0 ? c : undefined;
}

/** The registry an AuthConfig's serveraddress names (`https://index.docker.io/v1/` → docker.io). */
export function registryOfServerAddress(address: string | undefined): string {
  return address && address.trim() !== '' ? normalizeAuthKey(address) : 'docker.io';
}

/**
 * Runs `fn` with an image context whose registry client uses `credentials` for `registry` (and nothing for
 * other registries). Without credentials the shared context is used as is.
 */
export async function withCredentials<T>(
  ctx: ImageContext,
  registry: string,
  credentials: Credentials | undefined,
  fn: (ctx: ImageContext) => Promise<T>,
): Promise<T> {
  if (!credentials) return fn(ctx);
  const want = normalizeAuthKey(registry);
  const client: RegistryClient = createRegistryClient({
    credentials: async (r) => (normalizeAuthKey(r) === want ? credentials : undefined),
  });
  try {
    return await fn({ ...ctx, registry: client });
  } finally {
    client.close();
  }
}
