// IPv4 address and CIDR arithmetic on unsigned 32-bit numbers (pure).

export interface Cidr {
  /** Address as written (may have host bits set). */
  ip: number;
  prefix: number;
}

/** Parses dotted-quad IPv4, or null. */
export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return null;
    n = n * 256 + octet;
  }
  return n;
}

/** Formats an unsigned 32-bit number as dotted quad. */
export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "a.b.c.d/len", or null. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIPv4(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (ip === null || !/^\d{1,2}$/.test(lenText)) return null;
  const prefix = Number(lenText);
  if (prefix > 32) return null;
  return { ip, prefix };
}

/** Netmask of a prefix length as an unsigned number. */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** First address (the network address) of a CIDR. */
export function networkOf(c: Cidr): number {
  return (c.ip & maskOf(c.prefix)) >>> 0;
}

/** Last address (the broadcast address) of a CIDR. */
export function lastOf(c: Cidr): number {
  return (networkOf(c) | ~maskOf(c.prefix)) >>> 0;
}

/** "network/prefix" text of a CIDR. */
export function formatCidr(c: Cidr): string {
  return `${formatIPv4(networkOf(c))}/${c.prefix}`;
}

/** True when the address ranges of a and b intersect. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return networkOf(a) <= lastOf(b) && networkOf(b) <= lastOf(a);
}

/** True when ip lies inside c. */
export function contains(c: Cidr, ip: number): boolean {
  return ip >= networkOf(c) && ip <= lastOf(c);
}
