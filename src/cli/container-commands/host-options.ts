// HostConfig flags with docker's own syntax and errors: --restart, --ulimit, --add-host, --security-opt
// (a seccomp profile path is read here and sent as JSON, as the docker CLI does).
import { UsageError } from '../../common/args.js';
import type { FileReader } from './env-options.js';

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

/** --restart: "no", "always", "unless-stopped", "on-failure[:N]" (the daemon checks the name). */
export function parseRestartPolicy(raw: string): RestartPolicy {
  if (raw === '') return { Name: '', MaximumRetryCount: 0 };
  const i = raw.indexOf(':');
  const name = i < 0 ? raw : raw.slice(0, i);
  const count = i < 0 ? '' : raw.slice(i + 1);
  if (i >= 0 && name === '') throw new UsageError('invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) throw new UsageError('invalid restart policy format: maximum retry count must be an integer');
    max = Number(count);
  }
  return { Name: name, MaximumRetryCount: max };
}

const ULIMIT_NAMES = new Set(['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** --ulimit name=soft[:hard] (go-units ParseUlimit). */
export function parseUlimit(raw: string): Ulimit {
  const eq = raw.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid argument "${raw}" for "--ulimit" flag: invalid ulimit argument: ${raw}`);
  const name = raw.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new UsageError(`invalid argument "${raw}" for "--ulimit" flag: invalid ulimit type: ${name}`);
  const parts = raw.slice(eq + 1).split(':');
  if (parts.length > 2) throw new UsageError(`invalid argument "${raw}" for "--ulimit" flag: too many limit value arguments - ${raw.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const num = (s: string) => {
    if (!/^-?\d+$/.test(s)) throw new UsageError(`invalid argument "${raw}" for "--ulimit" flag: invalid ulimit value: ${s}`);
    return Number(s);
  };
  const soft = num(parts[0]!);
  const hard = parts.length === 2 ? num(parts[1]!) : soft;
  if (soft > hard) throw new UsageError(`invalid argument "${raw}" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

/** --add-host host:ip or host=ip → "host:ip" ("host-gateway" passes through; [v6] brackets dropped). */
export function parseExtraHost(raw: string): string {
  let i = raw.indexOf('=');
  if (i < 0) i = raw.indexOf(':');
  const host = i < 0 ? '' : raw.slice(0, i);
  let ip = i < 0 ? '' : raw.slice(i + 1);
  if (!host || !ip) throw new UsageError(`invalid argument "${raw}" for "--add-host" flag: bad format for add-host: "${raw}"`);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255);
  const v6 = /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':');
  if (ip !== 'host-gateway' && !v4 && !v6) throw new UsageError(`invalid argument "${raw}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`);
  return `${host}:${ip}`;
}

/** --security-opt values; `seccomp=<file>` is replaced by the file's JSON (unconfined/builtin pass through). */
export function securityOpts(values: string[], read: FileReader): string[] {
  return values.map((v) => {
    const normalized = v.includes('=') ? v : v.replace(/^([a-z-]+):/, '$1=');
    const m = /^seccomp=(.*)$/s.exec(normalized);
    if (!m || m[1] === 'unconfined' || m[1] === 'builtin' || m[1]!.trimStart().startsWith('{')) return normalized;
    let text: string;
    try {
      text = read(m[1]!);
    } catch (e) {
      throw new UsageError(`opening seccomp profile (${m[1]}) failed: ${(e as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (e) {
      throw new UsageError(`reading seccomp profile (${m[1]}) failed: ${(e as Error).message}`);
    }
  });
}
