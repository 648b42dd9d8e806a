// The host's IPv4 routes, read from /proc/net/route (the main table `ip -j route` shows, without a process).
import fs from 'node:fs';
import type { Cidr } from './ipv4.js';

export interface HostRoute {
  dev: string;
  dst: Cidr;
}

/** Parses /proc/net/route text; the default route (mask 0) is left out since it overlaps everything. */
export function parseProcNetRoute(text: string): HostRoute[] {
  const out: HostRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dst = leHex(f[1]!);
    const mask = leHex(f[7]!);
    if (mask === 0) continue;
    out.push({ dev: f[0]!, dst: { ip: dst, prefix: popcount(mask) } });
  }
  return out;
}

/** The host's current routes (empty when /proc/net/route cannot be read). */
export function readHostRoutes(): HostRoute[] {
  try {
    return parseProcNetRoute(fs.readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return [];
  }
}

// The kernel prints addresses in host (little-endian) byte order.
function leHex(h: string): number {
  const n = parseInt(h, 16) >>> 0;
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v >>>= 1) c += v & 1;
  return c;
}
