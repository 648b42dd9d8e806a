// The cluster's state directory — `$BERTH_ROOT/cluster`, by default /var/lib/berth/cluster — and what lives
// in it. config.json holds the settings `berth cluster up` was given (so a later `up` or a restart of the
// daemon comes back the same way, on the same etcd ports); server.json describes the running server for
// `status` and `down`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAtomic } from '../auth/pki.js';

export const DEFAULT_PORT = 6443;
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

export interface ClusterConfig {
  port?: number;
  bindAddress?: string;
  etcdEndpoints?: string[];
  serviceClusterIpRange?: string;
  serviceNodePortRange?: string;
  /** Chosen on the embedded etcd's first start and kept, so its member keeps its address. */
  etcdClientPort?: number;
  etcdPeerPort?: number;
}

/** What a running server records about itself. */
export interface ServerInfo {
  pid: number;
  url: string;
  port: number;
  bindAddress: string;
  etcd: { embedded: boolean; endpoints: string[]; pid?: number };
  startedAt: string;
}

export interface StatePaths {
  root: string;
  pki: string;
  etcdData: string;
  etcdLog: string;
  apiserverLog: string;
  pidFile: string;
  configFile: string;
  serverInfoFile: string;
  tokensFile: string;
  encryptionKey: string;
  upLock: string;
}

/** The default state dir: `$BERTH_ROOT/cluster`, else /var/lib/berth/cluster. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.BERTH_ROOT || '/var/lib/berth', 'cluster');
}

/** Every path under a state dir. */
export function statePaths(root: string): StatePaths {
  const r = path.resolve(root);
  return {
    root: r,
    pki: path.join(r, 'pki'),
    etcdData: path.join(r, 'etcd'),
    etcdLog: path.join(r, 'etcd.log'),
    apiserverLog: path.join(r, 'apiserver.log'),
    pidFile: path.join(r, 'apiserver.pid'),
    configFile: path.join(r, 'config.json'),
    serverInfoFile: path.join(r, 'server.json'),
    tokensFile: path.join(r, 'tokens.csv'),
    encryptionKey: path.join(r, 'encryption.key'),
    upLock: path.join(r, 'up.lock'),
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The saved configuration ({} when none). */
export function readConfig(p: StatePaths): ClusterConfig {
  return readJson<ClusterConfig>(p.configFile) ?? {};
}

/** Saves the configuration (0600). */
export function writeConfig(p: StatePaths, config: ClusterConfig): void {
  fs.mkdirSync(p.root, { recursive: true, mode: 0o700 });
  writeAtomic(p.configFile, JSON.stringify(config, null, 2) + '\n', 0o600);
}

/** Saved settings overridden by the given ones (undefined values do not override). */
export function mergeConfig(saved: ClusterConfig, given: ClusterConfig): ClusterConfig {
  const out: ClusterConfig = { ...saved };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  // Switching to external etcd makes the embedded ports meaningless (and back: they are chosen again).
  if (given.etcdEndpoints !== undefined && given.etcdEndpoints.length === 0) delete out.etcdEndpoints;
  return out;
}

/** The running server's description, if one was recorded. */
export function readServerInfo(p: StatePaths): ServerInfo | undefined {
  return readJson<ServerInfo>(p.serverInfoFile);
}

/** Records the running server's description. */
export function writeServerInfo(p: StatePaths, info: ServerInfo): void {
  writeAtomic(p.serverInfoFile, JSON.stringify(info, null, 2) + '\n', 0o644);
}

/** The pid in the pid file, if any. */
export function readPid(p: StatePaths): number | undefined {
  try {
    const pid = Number(fs.readFileSync(p.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when pid runs `… cluster serve … --state-dir <root>` (not merely some process that reused the pid). */
export function isServerProcess(pid: number, root: string, procRoot = '/proc'): boolean {
  try {
    const argv = fs.readFileSync(path.join(procRoot, String(pid), 'cmdline'), 'utf8').split('\0');
    const stat = fs.readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return false;
    const i = argv.indexOf('--state-dir');
    const dir = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--state-dir='))?.slice('--state-dir='.length);
    return argv.includes('serve') && dir !== undefined && path.resolve(dir) === path.resolve(root);
  } catch {
    return false;
  }
}

/** The running server's pid, or undefined (a stale pid file is ignored). */
export function runningServerPid(p: StatePaths): number | undefined {
  const pid = readPid(p);
  return pid !== undefined && isServerProcess(pid, p.root) ? pid : undefined;
}

/** Extra names the serving certificate needs for a bind address: it, or every local address for a wildcard. */
export function servingHostsFor(bindAddress: string): string[] {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && bindAddress !== '') return [bindAddress];
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.address.startsWith('fe80:'))
    .map((a) => a.address);
}
