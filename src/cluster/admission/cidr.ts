// Address arithmetic for the Service IP range. Addresses are BigInts so IPv4 and IPv6 share one code path.
// Like Kubernetes, the network address and (the IPv4 broadcast-like) last address are never handed out,
// and the first usable address belongs to the `kubernetes` Service.
import { isIP } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** The network address. */
  base: bigint;
  prefix: number;
  /** Number of addresses in the block. */
  size: bigint;
  /** As given (normalised to the network address). */
  text: string;
}

/** An IP address as a number. */
export function ipToBigInt(ip: string): bigint {
  const family = isIP(ip);
  if (family === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  if (family === 6) {
    let text = ip;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const n = ipToBigInt(v4[1]!);
      text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  }
  throw new Error(`invalid IP address ${JSON.stringify(ip)}`);
}

/** A number as an IP address of the family (IPv6 in its shortest form). */
export function bigIntToIp(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Collapse the longest run of zero groups (length ≥ 2) into `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses `10.96.0.0/12` (host bits are masked off). */
export function parseCidr(text: string): Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  const family = m ? isIP(m[1]!) : 0;
  if (!m || family === 0) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new Error(`invalid CIDR ${JSON.stringify(text)}: prefix longer than ${bits} bits`);
  const size = 1n << BigInt(bits - prefix);
  const base = (ipToBigInt(m[1]!) / size) * size;
  const f = family as 4 | 6;
  return { family: f, base, prefix, size, text: `${bigIntToIp(base, f)}/${prefix}` };
}

/** Whether ip lies in the block (same family). */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (isIP(ip) !== cidr.family) return false;
  const n = ipToBigInt(ip);
  return n >= cidr.base && n < cidr.base + cidr.size;
}

/** Offset of ip inside the block (caller checks containment). */
export function offsetOf(cidr: Cidr, ip: string): bigint {
  return ipToBigInt(ip) - cidr.base;
}

/** The address at an offset inside the block. */
export function addressAt(cidr: Cidr, offset: bigint): string {
  return bigIntToIp(cidr.base + offset, cidr.family);
}

/** Offsets a Service may be given, [first, last]: not the network address, not the last address. */
export function usableOffsets(cidr: Cidr): { first: bigint; last: bigint } {
  if (cidr.size < 4n) throw new Error(`service IP range ${cidr.text} is too small (it needs at least 4 addresses)`);
  return { first: 1n, last: cidr.size - 2n };
}

/** Whether ip may be assigned to a Service at all (in range, not network/last address). */
export function isAssignable(cidr: Cidr, ip: string): boolean {
  if (!cidrContains(cidr, ip)) return false;
  const off = offsetOf(cidr, ip);
  const { first, last } = usableOffsets(cidr);
  return off >= first && off <= last;
}

/** The `kubernetes` Service's address: the first usable one (10.96.0.1 for 10.96.0.0/12). */
export function kubernetesServiceIP(cidr: Cidr): string {
  return addressAt(cidr, usableOffsets(cidr).first);
}

/** Offsets dynamic allocation draws from: the usable ones except the `kubernetes` Service's. */
export function dynamicOffsets(cidr: Cidr): { first: bigint; last: bigint; count: bigint } {
  const { first, last } = usableOffsets(cidr);
  return { first: first + 1n, last, count: last - first };
}
