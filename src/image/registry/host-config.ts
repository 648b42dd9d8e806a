// Per-registry transport settings: Docker's certs.d convention (`<dir>/<host[:port]>/*.crt` are extra CAs,
// `*.cert` + `*.key` a client certificate) and which hosts may be spoken to over plain HTTP.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ImageError } from '../errors.js';
import type { RegistryHostConfig } from './types.js';

/** Where per-registry CA directories are looked up: $BERTH_CERTS_DIR, else Berth's then Docker's. */
export function defaultCertsDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env['BERTH_CERTS_DIR']) return [env['BERTH_CERTS_DIR']];
  return ['/etc/berth/certs.d', '/etc/docker/certs.d'];
}

/** Hosts from $BERTH_INSECURE_REGISTRIES (comma-separated: host, host:port or an IPv4 CIDR). */
export function defaultInsecureRegistries(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['BERTH_INSECURE_REGISTRIES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** `host[:port]` → hostname (brackets removed for IPv6) and port. */
export function splitHostPort(host: string): { hostname: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (v6) return v6[2] ? { hostname: v6[1]!, port: v6[2] } : { hostname: v6[1]! };
  const i = host.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(host.slice(i + 1)) && host.indexOf(':') === i) return { hostname: host.slice(0, i), port: host.slice(i + 1) };
  return { hostname: host };
}

/** True for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopbackHost(host: string): boolean {
  const h = splitHostPort(host).hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return net.isIPv6(h) && (h === '::1' || h === '0:0:0:0:0:0:0:1');
}

/** True when `host` is in the insecure list (exact host:port, bare hostname, or an IPv4 CIDR). */
export function isListedInsecure(host: string, list: string[]): boolean {
  const { hostname } = splitHostPort(host);
  for (const raw of list) {
    const entry = raw.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
    if (entry === host.toLowerCase() || entry === hostname.toLowerCase()) return true;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
    if (cidr && net.isIPv4(hostname) && inCidr(hostname, cidr[1]!, Number(cidr[2]))) return true;
  }
  return false;
}

/** The transport settings for one registry host. */
export function loadHostConfig(host: string, options: { certsDirs: string[]; insecureRegistries: string[] }): RegistryHostConfig {
  const listed = isListedInsecure(host, options.insecureRegistries);
  const config: RegistryHostConfig = { insecure: listed || isLoopbackHost(host), ca: [] };
  if (listed) config.skipVerify = true;
  for (const root of options.certsDirs) {
    const dir = path.join(root, host.replace(/[/\\]/g, '_'));
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (name.endsWith('.crt')) config.ca.push(fs.readFileSync(file, 'utf8'));
      else if (name.endsWith('.cert') && !config.cert) {
        const keyFile = path.join(dir, name.slice(0, -'.cert'.length) + '.key');
        if (!fs.existsSync(keyFile)) throw new ImageError(`${file}: client certificate without its key (expected ${keyFile})`, 'FailedPrecondition');
        config.cert = fs.readFileSync(file, 'utf8');
        config.key = fs.readFileSync(keyFile, 'utf8');
      }
    }
  }
  return config;
}

function inCidr(ip: string, base: string, bits: number): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  if (bits <= 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
