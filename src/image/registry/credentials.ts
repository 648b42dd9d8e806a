// Registry credentials in Docker's config file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
// `auths` entries keyed by host, URL or Docker Hub's `https://index.docker.io/v1/`, and credential helpers
// (`credsStore`, `credHelpers`). `berth login` checks credentials against the registry before saving them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImageError } from '../errors.js';
import { helperErase, helperGet, helperStore, runCredentialHelper, type HelperRunner } from './cred-helper.js';
import type { Credentials, RegistryClientFactory } from './types.js';

export interface CredentialFileOptions {
  /** The directory holding config.json; default $DOCKER_CONFIG, else ~/.docker. */
  configDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs credential helpers (injected by tests). */
  runHelper?: HelperRunner;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  [other: string]: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [other: string]: unknown;
}

const HUB_KEY = 'https://index.docker.io/v1/';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The directory of Docker's config.json. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_CONFIG'] || path.join(env['HOME'] || os.homedir(), '.docker');
}

/** The `auths` key Docker writes for a registry (Docker Hub's is `https://index.docker.io/v1/`). */
export function authKeyFor(registry: string): string {
  return HUB_ALIASES.has(registry.toLowerCase()) ? HUB_KEY : registry;
}

/** A config key or registry reduced to the registry it means (`https://host/v2/` → `host`; hub → docker.io). */
export function normalizeAuthKey(key: string): string {
  const host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!.toLowerCase();
  return HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** Credentials for a registry from helpers or the `auths` section; undefined when none are stored. */
export async function readCredentials(registry: string, options: CredentialFileOptions = {}): Promise<Credentials | undefined> {
  const file = configFile(options);
  const config = await readConfig(file);
  if (!config) return undefined;
  const want = normalizeAuthKey(registry);
  const helper = helperFor(config, want);
  if (helper) {
    const fromHelper = await helperGet(options.runHelper ?? runCredentialHelper, helper.name, authKeyFor(registry), file, helper.setting);
    if (fromHelper) return fromHelper;
  }
  const auths = config.auths ?? {};
  const key = auths[authKeyFor(registry)] ? authKeyFor(registry) : Object.keys(auths).find((k) => normalizeAuthKey(k) === want);
  return key === undefined ? undefined : decodeEntry(auths[key]!, file, key);
}

/** A credentials callback for createRegistryClient that reads the config file each time. */
export function credentialSource(options: CredentialFileOptions = {}): (registry: string) => Promise<Credentials | undefined> {
  return (registry) => readCredentials(registry, options);
}

/** The default credentials callback: reads $DOCKER_CONFIG/config.json (or ~/.docker) on every call. */
export const credentialsFor = (registry: string): Promise<Credentials | undefined> => readCredentials(registry);

/** Stores credentials (through the configured helper, else base64 in `auths`), keeping the rest of the file. */
export async function saveCredentials(registry: string, username: string, password: string, options: CredentialFileOptions = {}): Promise<void> {
  const file = configFile(options);
  const config = (await readConfig(file)) ?? {};
  const key = authKeyFor(registry);
  const auths = (config.auths ??= {});
  const helper = helperFor(config, normalizeAuthKey(registry));
  const kept = { ...(auths[key] ?? {}) };
  for (const f of ['auth', 'username', 'password', 'identitytoken', 'registrytoken']) delete kept[f];
  if (helper) {
    await helperStore(options.runHelper ?? runCredentialHelper, helper.name, key, username, password);
    auths[key] = kept; // Docker leaves an empty entry so the registry is listed as logged in
  } else {
    auths[key] = { ...kept, auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  await writeConfig(file, config);
}

/** Removes a registry's credentials (every key naming it, and the helper's copy); false when there were none. */
export async function removeCredentials(registry: string, options: CredentialFileOptions = {}): Promise<boolean> {
  const file = configFile(options);
  const config = await readConfig(file);
  if (!config) return false;
  const want = normalizeAuthKey(registry);
  const helper = helperFor(config, want);
  if (helper) await helperErase(options.runHelper ?? runCredentialHelper, helper.name, authKeyFor(registry));
  const keys = Object.keys(config.auths ?? {}).filter((k) => normalizeAuthKey(k) === want);
  for (const k of keys) delete config.auths![k];
  if (keys.length) await writeConfig(file, config);
  return keys.length > 0 || !!helper;
}

/** `berth login`: the registry must accept the credentials (else Unauthorized, nothing written), then saves. */
export async function login(factory: RegistryClientFactory, registry: string, username: string, password: string, options: CredentialFileOptions = {}): Promise<void> {
  // `berth login https://host:5000/v2/` means the registry host:5000, as with docker login.
  const server = /^[a-z][a-z0-9+.-]*:\/\//i.test(registry) || registry.includes('/') ? normalizeAuthKey(registry) : registry;
  if (!username) throw new ImageError(`${server}: a username is required to log in`, 'InvalidArgument');
  await factory.ping(server, { username, password });
  await saveCredentials(server, username, password, options);
}

function configFile(options: CredentialFileOptions): string {
  return path.join(options.configDir ?? dockerConfigDir(options.env), 'config.json');
}

async function readConfig(file: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImageError(`${file}: cannot read the credentials file: ${(e as Error).message}`, 'FailedPrecondition');
  }
  if (!text.trim()) return {};
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as DockerConfig;
  } catch (e) {
    throw new ImageError(`${file}: invalid JSON (${(e as Error).message}) — fix or remove the file`, 'FailedPrecondition');
  }
}

/** Writes atomically (temp file, fsync, rename) with mode 0600. */
async function writeConfig(file: string, config: DockerConfig): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(config, null, '\t') + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.chmod(tmp, 0o600);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function helperFor(config: DockerConfig, registry: string): { name: string; setting: string } | undefined {
  for (const [k, name] of Object.entries(config.credHelpers ?? {})) {
    if (normalizeAuthKey(k) === registry && name) return { name, setting: `credHelpers["${k}"]` };
  }
  return config.credsStore ? { name: config.credsStore, setting: 'credsStore' } : undefined;
}

function decodeEntry(entry: AuthEntry, file: string, key: string): Credentials | undefined {
  const out: Credentials = {};
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new ImageError(`${file}: auths["${key}"].auth is not base64 of "user:password" — log in again`, 'FailedPrecondition');
    out.username = decoded.slice(0, i);
    out.password = decoded.slice(i + 1);
  } else {
    if (typeof entry.username === 'string') out.username = entry.username;
    if (typeof entry.password === 'string') out.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) out.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken) out.registryToken = entry.registrytoken;
  return Object.keys(out).length ? out : undefined;
}
