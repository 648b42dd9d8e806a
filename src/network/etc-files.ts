// A container's /etc/hosts, /etc/resolv.conf and /etc/hostname, laid out as Docker writes them (pure), and the
// peer entries that let containers on one user-defined network reach each other by name.
import { NetworkError } from './errors.js';
import { PREDEFINED } from './store.js';

export interface HostsPeer {
  ip: string;
  names: string[];
}

export interface HostsOptions {
  hostname: string;
  domainname?: string;
  /** The container's own address (absent on host/none networks). */
  ip?: string;
  /** docker run --add-host values: "name:ip" or "name=ip"; ip "host-gateway" becomes hostGateway. */
  extraHosts?: string[];
  hostGateway?: string;
  peers?: HostsPeer[];
}

const DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** /etc/hosts: Docker's defaults, then --add-host entries, then the container's own name, then its peers. */
export function hostsFile(o: HostsOptions): string {
  const lines = [...DEFAULT_HOSTS];
  for (const entry of o.extraHosts ?? []) {
    const sep = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
    const name = entry.slice(0, sep).trim();
    let ip = entry.slice(sep + 1).trim().replace(/^\[(.*)\]$/, '$1');
    if (sep <= 0 || !name || !ip) throw new NetworkError(`invalid extra host "${entry}": expected name:ip`, 'InvalidArgument');
    if (ip === 'host-gateway') {
      if (!o.hostGateway) throw new NetworkError(`extra host "${entry}": no host-gateway address is known: give an address instead`, 'InvalidArgument');
      ip = o.hostGateway;
    }
    lines.push(`${ip}\t${name}`);
  }
  if (o.ip) lines.push(`${o.ip}\t${o.domainname ? `${o.hostname}.${o.domainname} ${o.hostname}` : o.hostname}`);
  for (const p of o.peers ?? []) if (p.ip && p.names.length) lines.push(`${p.ip}\t${p.names.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** /etc/hostname. */
export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

export interface ResolvOptions {
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** Keep the host's IPv6 nameservers (Docker drops them unless the network has IPv6). */
  ipv6?: boolean;
}

const DEFAULT_DNS = ['8.8.8.8', '8.8.4.4'];
const LOCALHOST_NS = /^\s*nameserver\s+(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)\s*$/;
const IPV6_NS = /^\s*nameserver\s+\S*:\S*\s*$/;

/**
 * /etc/resolv.conf from the host's: its loopback nameservers cannot work inside the container's namespace and
 * are dropped; with none left, Google's public DNS is used (Docker's rule). --dns/--dns-search/--dns-option
 * replace the matching host settings.
 */
export function resolvConf(hostText: string, o: ResolvOptions = {}): string {
  const hostLines = hostText.split('\n');
  const keep = (l: string) => !LOCALHOST_NS.test(l) && (o.ipv6 || !IPV6_NS.test(l));
  if (o.dns?.length || o.dnsSearch?.length || o.dnsOptions?.length) {
    const ns = o.dns?.length ? o.dns : hostLines.filter((l) => /^\s*nameserver\s/.test(l) && keep(l)).map((l) => l.trim().split(/\s+/)[1]!);
    const search = o.dnsSearch?.length ? o.dnsSearch : lastFields(hostLines, 'search');
    const options = o.dnsOptions?.length ? o.dnsOptions : lastFields(hostLines, 'options');
    let out = '';
    if (search.length && search.join(' ').trim() !== '.') out += `search ${search.join(' ')}\n`;
    for (const n of ns.length ? ns : DEFAULT_DNS) out += `nameserver ${n}\n`;
    if (options.length && options.join(' ').trim()) out += `options ${options.join(' ')}\n`;
    return out;
  }
  const kept = hostLines.filter(keep);
  let out = kept.join('\n').replace(/\n*$/, '\n');
  if (out === '\n') out = '';
  if (!kept.some((l) => /^\s*nameserver\s/.test(l))) out += DEFAULT_DNS.map((n) => `nameserver ${n}\n`).join('');
  return out;
}

function lastFields(lines: string[], key: string): string[] {
  const hit = lines.filter((l) => new RegExp(`^\\s*${key}\\s`).test(l)).pop();
  return hit ? hit.trim().split(/\s+/).slice(1) : [];
}

/** A container and its addresses on the networks it is attached to (what peersFor needs). */
export interface NetworkMember {
  containerId: string;
  /** Container name (a leading "/" is ignored). */
  name: string;
  networks: { networkId: string; networkName: string; ip: string; aliases?: string[] }[];
}

/**
 * The /etc/hosts peer entries for one container: every other member sharing a user-defined network with it, by
 * name, network aliases and short id, one line per shared network. The predefined networks give no names (as in
 * Docker, where only user-defined networks resolve container names).
 */
export function peersFor(containerId: string, members: NetworkMember[]): HostsPeer[] {
  const self = members.find((m) => m.containerId === containerId);
  if (!self) return [];
  const mine = new Set(self.networks.filter((n) => !(PREDEFINED as readonly string[]).includes(n.networkName)).map((n) => n.networkId));
  const out: HostsPeer[] = [];
  for (const m of members) {
    if (m.containerId === containerId) continue;
    for (const n of m.networks) {
      if (!mine.has(n.networkId) || !n.ip) continue;
      const names = [m.name.replace(/^\//, ''), ...(n.aliases ?? []), m.containerId.slice(0, 12)].filter(Boolean);
      out.push({ ip: n.ip, names: [...new Set(names)] });
    }
  }
  return out;
}
