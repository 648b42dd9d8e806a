// Networks persisted as Docker NetworkResource JSON under <root>/network/networks/<id>.json, with the
// predefined bridge/host/none networks created on first open (random ids, stable once written).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { NetworkError } from './errors.js';
import { readHostRoutes, type HostRoute } from './host-routes.js';
import { overlaps, parseCidr, type Cidr } from './ipv4.js';
import { ipamEntry, pickFreeSubnet, resolveSubnet } from './subnets.js';
import type { NetworkDriver, NetworkResource } from './types.js';

export const PREDEFINED = ['bridge', 'host', 'none'] as const;
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/; // CNI's rule for network names (they name the CNI network)
const IFNAME_RE = /^[a-zA-Z0-9_.-]{1,15}$/;
const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
const DOCKER_DEFAULT_SUBNET = '172.17.0.0/16';

export interface NetworkStoreOptions {
  /** Berth's state root; networks live in <root>/network/networks. */
  root: string;
  /** Linux bridge of the predefined `bridge` network (default berth0). */
  defaultBridgeName?: string;
  /** Subnet of the predefined `bridge` network; default 172.17.0.0/16, or the first free pool if a host route overlaps it. */
  defaultSubnet?: string;
  defaultGateway?: string;
  /** The host's routes (injected for tests; default /proc/net/route). */
  hostRoutes?: () => HostRoute[];
}

export interface CreateNetworkOptions {
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** Who is attached to a network: a count, container names/ids, or a callback returning either. */
export type AttachedProbe = number | string[] | (() => number | string[]);

export class NetworkStore {
  readonly dir: string;
  private readonly hostRoutes: () => HostRoute[];

  /** Opens (creating if needed) the store and ensures the predefined networks exist. */
  constructor(private readonly opts: NetworkStoreOptions) {
    this.dir = path.join(opts.root, 'network', 'networks');
    this.hostRoutes = opts.hostRoutes ?? readHostRoutes;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.ensurePredefined();
  }

  /** All networks, predefined first, then by creation time. */
  list(): NetworkResource[] {
    const all: NetworkResource[] = [];
    for (const f of fs.readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const n = this.read(path.join(this.dir, f));
      if (n) all.push(n);
    }
    const rank = (n: NetworkResource) => (isPredefined(n) ? PREDEFINED.indexOf(n.Name as (typeof PREDEFINED)[number]) : 9);
    return all.sort((a, b) => rank(a) - rank(b) || a.Created.localeCompare(b.Created));
  }

  /** Looks a network up as Docker does: full id, then exact name, then unique id prefix. */
  find(term: string): NetworkResource | undefined {
    const all = this.list();
    const exact = all.find((n) => n.Id === term) ?? all.find((n) => n.Name === term);
    if (exact || !term || !/^[0-9a-f]+$/.test(term)) return exact;
    const byPrefix = all.filter((n) => n.Id.startsWith(term));
    if (byPrefix.length > 1) {
      throw new NetworkError(`network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix): use more characters of the id or the name`, 'InvalidArgument');
    }
    return byPrefix[0];
  }

  /** Like find, but a missing network is a NotFound error. */
  get(term: string): NetworkResource {
    const n = this.find(term);
    if (!n) throw new NetworkError(`network ${term} not found`, 'NotFound');
    return n;
  }

  /** Creates a user-defined bridge network; subnet defaults to the first free pool from 172.18.0.0/16 upward. */
  create(name: string, o: CreateNetworkOptions = {}): NetworkResource {
    if (!NAME_RE.test(name)) {
      throw new NetworkError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'InvalidArgument');
    }
    const driver = o.driver || 'bridge';
    if (driver === 'host' || driver === 'null') {
      throw new NetworkError(`only one instance of "${driver}" network is allowed: use the predefined "${driver === 'null' ? 'none' : 'host'}" network`, 'FailedPrecondition');
    }
    if (driver !== 'bridge') throw new NetworkError(`plugin "${driver}" not found: Berth networks use the bridge driver`, 'NotFound');
    if (this.list().some((n) => n.Name === name)) throw new NetworkError(`network with name ${name} already exists`, 'Conflict');
    const options = { ...(o.options ?? {}) };
    const id = newId();
    const bridgeName = options[BRIDGE_NAME_OPT] || `br-${id.slice(0, 12)}`;
    if (!IFNAME_RE.test(bridgeName)) {
      throw new NetworkError(`network ${name}: bridge name "${bridgeName}" is not a valid interface name (1-15 of [a-zA-Z0-9_.-])`, 'InvalidArgument');
    }
    if (this.list().some((n) => n.bridgeName === bridgeName)) {
      throw new NetworkError(`network ${name}: bridge name ${bridgeName} is already used by another network: choose another ${BRIDGE_NAME_OPT}`, 'Conflict');
    }
    const ipam = this.chooseIpam(name, o.subnet, o.gateway);
    const net: NetworkResource = {
      Name: name, Id: id, Created: rfc3339Nano(), Driver: 'bridge', Scope: 'local', EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [ipam] }, Internal: !!o.internal, Attachable: false,
      Options: options, Labels: { ...(o.labels ?? {}) }, bridgeName,
    };
    this.write(net);
    return net;
  }

  /** Removes a user-defined network; refused for predefined networks and while containers are attached. */
  remove(term: string, attached: AttachedProbe = 0): NetworkResource {
    const n = this.get(term);
    if (isPredefined(n)) throw new NetworkError(`${n.Name} is a pre-defined network and cannot be removed`, 'FailedPrecondition');
    const a = typeof attached === 'function' ? attached() : attached;
    const count = typeof a === 'number' ? a : a.length;
    if (count > 0) {
      const who = Array.isArray(a) ? ` (${a.join(', ')})` : '';
      throw new NetworkError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints${who}: disconnect or stop those containers first`, 'FailedPrecondition');
    }
    fs.rmSync(path.join(this.dir, `${n.Id}.json`), { force: true });
    return n;
  }

  private chooseIpam(name: string, subnet?: string, gateway?: string): { Subnet: string; Gateway: string } {
    const used = this.usedSubnets();
    if (subnet) {
      const r = resolveSubnet(name, subnet, gateway);
      const clash = this.list().find((n) => n.IPAM.Config.some((c) => { const u = parseCidr(c.Subnet); return !!u && overlaps(u, r.subnet); }));
      if (clash) throw new NetworkError(`network ${name}: pool ${subnet} overlaps with network ${clash.Name} (${clash.IPAM.Config[0]?.Subnet}): choose another --subnet`, 'Conflict');
      return ipamEntry(r.subnet, r.gateway);
    }
    if (gateway) throw new NetworkError(`network ${name}: a gateway needs a subnet: give --subnet too`, 'InvalidArgument');
    const free = pickFreeSubnet([...used, ...this.hostRoutes().map((r) => r.dst)]);
    if (!free) {
      throw new NetworkError(`network ${name}: could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network: give --subnet`, 'FailedPrecondition');
    }
    return ipamEntry(free, free.ip + 1);
  }

  private usedSubnets(): Cidr[] {
    return this.list().flatMap((n) => n.IPAM.Config.map((c) => parseCidr(c.Subnet)).filter((c): c is Cidr => !!c));
  }

  private ensurePredefined(): void {
    const existing = this.list();
    const byName = (name: string) => existing.find((n) => n.Name === name && isPredefined(n));
    const bridgeName = this.opts.defaultBridgeName ?? 'berth0';
    const old = byName('bridge');
    const wanted = this.defaultBridgeIpam(bridgeName, old);
    if (!old || old.bridgeName !== bridgeName || old.IPAM.Config[0]?.Subnet !== wanted.Subnet || old.IPAM.Config[0]?.Gateway !== wanted.Gateway) {
      this.write({
        ...predefined('bridge', 'bridge', old), bridgeName,
        IPAM: { Driver: 'default', Options: {}, Config: [wanted] },
        Options: {
          'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          [BRIDGE_NAME_OPT]: bridgeName, 'com.docker.network.driver.mtu': '1500',
        },
      });
    }
    if (!byName('host')) this.write(predefined('host', 'host'));
    if (!byName('none')) this.write(predefined('none', 'null'));
  }

  // An explicit option wins; else keep what was persisted; else 172.17/16 unless a foreign host route (docker0) has it.
  private defaultBridgeIpam(bridgeName: string, old?: NetworkResource): { Subnet: string; Gateway: string } {
    if (this.opts.defaultSubnet) {
      const r = resolveSubnet('bridge', this.opts.defaultSubnet, this.opts.defaultGateway);
      return ipamEntry(r.subnet, r.gateway);
    }
    if (old?.IPAM.Config[0] && !this.opts.defaultGateway) return old.IPAM.Config[0];
    const d = resolveSubnet('bridge', DOCKER_DEFAULT_SUBNET, this.opts.defaultGateway);
    const foreign = this.hostRoutes().filter((r) => r.dev !== bridgeName).map((r) => r.dst);
    if (!foreign.some((f) => overlaps(f, d.subnet))) return ipamEntry(d.subnet, d.gateway);
    const free = pickFreeSubnet([...foreign, ...this.usedSubnets()]);
    if (!free) throw new NetworkError('default bridge: no free address pool; set the default bridge subnet explicitly', 'FailedPrecondition');
    return ipamEntry(free, free.ip + 1);
  }

  private read(file: string): NetworkResource | undefined {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as NetworkResource;
    } catch {
      return undefined;
    }
  }

  private write(n: NetworkResource): void {
    const file = path.join(this.dir, `${n.Id}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(n, null, 1));
    fs.renameSync(tmp, file);
  }
}

/** True for the bridge/host/none networks every daemon has. */
export function isPredefined(n: NetworkResource): boolean {
  // Users cannot create these names (names are unique and the predefined ones always exist).
  return (PREDEFINED as readonly string[]).includes(n.Name);
}

function predefined(name: string, driver: NetworkDriver, old?: NetworkResource): NetworkResource {
  return {
    Name: name, Id: old?.Id ?? newId(), Created: old?.Created ?? rfc3339Nano(), Driver: driver, Scope: 'local', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Options: {}, Labels: {},
  };
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

/** Now as RFC 3339 with nanoseconds, Docker's Created format (sub-millisecond digits from the monotonic clock). */
export function rfc3339Nano(now = new Date(), subMsNanos = Number(process.hrtime.bigint() % 1000000n)): string {
  const iso = now.toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}${String(subMsNanos).padStart(6, '0')}Z`;
}
