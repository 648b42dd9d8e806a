// Choosing and validating network subnets (pure): Docker's default pools and its subnet/gateway rules.
import { NetworkError } from './errors.js';
import { formatCidr, formatIPv4, lastOf, networkOf, overlaps, parseCidr, parseIPv4, contains, type Cidr } from './ipv4.js';

/** Docker's default local address pools after the default bridge's 172.17/16: 172.18–31/16, then 192.168/16 in /20s. */
export function defaultPools(): Cidr[] {
  const pools: Cidr[] = [];
  for (let b = 18; b <= 31; b++) pools.push({ ip: ((172 << 24) | (b << 16)) >>> 0, prefix: 16 });
  for (let c = 0; c < 256; c += 16) pools.push({ ip: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, prefix: 20 });
  return pools;
}

/** First pool that overlaps none of `used` (store networks and host routes), or null. */
export function pickFreeSubnet(used: Cidr[], pools: Cidr[] = defaultPools()): Cidr | null {
  return pools.find((p) => !used.some((u) => overlaps(p, u))) ?? null;
}

/** The checked subnet and gateway of a bridge network ("a.b.c.d/n" and the gateway, default the first host). */
export function resolveSubnet(network: string, subnet: string, gateway?: string): { subnet: Cidr; gateway: number } {
  const c = parseCidr(subnet);
  if (!c) throw new NetworkError(`network ${network}: invalid subnet "${subnet}": expected IPv4 CIDR notation such as 10.10.0.0/16`, 'InvalidArgument');
  if (c.prefix > 30) {
    throw new NetworkError(`network ${network}: subnet ${subnet} is too small: use a prefix of /30 or shorter so it holds a gateway and a container`, 'InvalidArgument');
  }
  if (networkOf(c) !== c.ip) {
    throw new NetworkError(`network ${network}: invalid subnet ${subnet}: it should be ${formatCidr(c)}`, 'InvalidArgument');
  }
  let gw = networkOf(c) + 1;
  if (gateway) {
    const g = parseIPv4(gateway);
    if (g === null) throw new NetworkError(`network ${network}: invalid gateway "${gateway}": expected an IPv4 address`, 'InvalidArgument');
    if (!contains(c, g) || g === networkOf(c) || g === lastOf(c)) {
      throw new NetworkError(`network ${network}: gateway ${gateway} is not a host address of subnet ${subnet}: pick an address inside it`, 'InvalidArgument');
    }
    gw = g;
  }
  return { subnet: c, gateway: gw };
}

/** Subnet/Gateway strings of Docker's IPAM config. */
export function ipamEntry(subnet: Cidr, gateway: number): { Subnet: string; Gateway: string } {
  return { Subnet: formatCidr(subnet), Gateway: formatIPv4(gateway) };
}
