// Attaching a container's network namespace to a network (CNI ADD), detaching it (DEL, also after a daemon
// restart or when the namespace is already gone) and checking it (CHECK).
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { NetworkError } from './errors.js';
import { bridgeConfList } from './cni/conflist.js';
import { addList, checkList, delList } from './cni/invoke.js';
import type { CniConfList, CniExec, CniResult, CniRuntime } from './cni/types.js';
import { parseCidr, contains, formatIPv4 } from './ipv4.js';
import { rfc3339Nano, type NetworkStore } from './store.js';
import type { AttachmentCache, AttachmentRecord } from './cache.js';
import type { NetnsOps } from './netns.js';
import type { PortAllocator } from './ports.js';
import type { AttachResult, NetworkResource, PortMapping, PublishRequest } from './types.js';

export interface AttachDeps {
  store: NetworkStore;
  cache: AttachmentCache;
  ports: PortAllocator;
  exec: CniExec;
  netns: NetnsOps;
  /** host-local's dataDir (<root>/network/ipam). */
  ipamDir: string;
  /** The per-network NAT and forward rules, installed before a network's first attachment. */
  rules: { ensure(net: NetworkResource): Promise<void> };
}

export interface AttachOptions {
  containerId: string;
  /** The pinned namespace (ignored for the host network). */
  netnsPath: string;
  /** Network name, id or unique id prefix. */
  network: string;
  /** Interface inside the container (default eth0). */
  ifName?: string;
  portMappings?: PublishRequest[];
  aliases?: string[];
  /** A static IPv4 address inside the network's subnet (docker run --ip). */
  ipAddress?: string;
  /** Route the container's default traffic through this network (default true; false for its second network). */
  defaultRoute?: boolean;
}

export interface DetachOptions {
  containerId: string;
  network: string;
  /** Overrides the namespace path recorded at ADD. */
  netnsPath?: string;
}

const IFNAME_RE = /^[a-zA-Z0-9_.-]{1,15}$/;

/** Attaches a container to a network and returns its endpoint; published ports are reserved first. */
export async function attachContainer(d: AttachDeps, o: AttachOptions): Promise<AttachResult> {
  const net = d.store.get(o.network);
  const ifName = o.ifName ?? 'eth0';
  const id12 = o.containerId.slice(0, 12);
  if (!IFNAME_RE.test(ifName)) throw new NetworkError(`container ${id12}: invalid interface name "${ifName}"`, 'InvalidArgument');
  const mine = d.cache.list({ containerId: o.containerId });
  if (mine.some((r) => r.networkId === net.Id)) {
    throw new NetworkError(`endpoint with name ${id12} already exists in network ${net.Name}`, 'Conflict');
  }
  const exclusive = mine.find((r) => r.driver !== 'bridge') ?? (net.Driver !== 'bridge' && mine[0]);
  if (exclusive) {
    throw new NetworkError(`container ${id12} cannot be connected to ${net.Name}: it is attached to ${exclusive.networkName}, and host/none networks cannot be combined with others`, 'FailedPrecondition');
  }
  const clash = mine.find((r) => r.ifName === ifName);
  if (clash) throw new NetworkError(`container ${id12} already has interface ${ifName} (network ${clash.networkName}): give another interface name`, 'Conflict');

  const rec: AttachmentRecord = {
    containerId: o.containerId, networkId: net.Id, networkName: net.Name, driver: net.Driver, ifName,
    netnsPath: net.Driver === 'host' ? '' : o.netnsPath, endpointId: randomBytes(32).toString('hex'), state: 'attached',
    capabilityArgs: {}, portMappings: [], aliases: o.aliases ?? [], created: rfc3339Nano(),
  };
  if (net.Driver !== 'bridge') {
    d.cache.put(rec); // host and none need no plugin; the record still counts as an endpoint
    return toAttachResult(rec);
  }

  await d.rules.ensure(net); // once per network and manager: containers add no iptables rules of their own
  const owner = portOwner(o.containerId, net.Id);
  const wanted = net.Internal ? [] : (o.portMappings ?? []);
  const mappings = await d.ports.reserve(owner, wanted);
  try {
    const list = bridgeConfList(net, { ipamDataDir: d.ipamDir, portmap: mappings.length > 0, ...(o.defaultRoute === false ? { defaultRoute: false } : {}) });
    rec.confList = list;
    rec.portMappings = mappings;
    if (mappings.length) rec.capabilityArgs.portMappings = mappings.map((m) => ({ hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol, hostIP: m.hostIP }));
    if (o.ipAddress) rec.capabilityArgs.ips = [staticAddress(net.IPAM.Config[0]?.Subnet ?? '', o.ipAddress, net.Name)];
    rec.state = 'adding'; // persisted before ADD: after a crash mid-ADD, DEL still finds what to clean
    d.cache.put(rec);
    rec.result = await addList(d.exec, list, runtimeOf(rec, rec.netnsPath));
  } catch (e) {
    d.ports.release(owner);
    d.cache.remove(rec.containerId, rec.networkId);
    throw e;
  }
  rec.state = 'attached';
  d.cache.put(rec);
  return toAttachResult(rec);
}

/** Detaches a container from a network (CNI DEL with the cached configuration); false when it was not attached. */
export async function detachContainer(d: AttachDeps, o: DetachOptions): Promise<boolean> {
  const rec = findRecord(d, o.containerId, o.network);
  if (!rec) return false;
  if (rec.confList) {
    const nsPath = o.netnsPath ?? rec.netnsPath;
    if (nsPath && d.netns.isMounted(nsPath)) await delList(d.exec, rec.confList, runtimeOf(rec, nsPath), rec.result);
    else await delWithoutNetns(d, rec, rec.confList);
  }
  d.ports.release(portOwner(rec.containerId, rec.networkId));
  d.cache.remove(rec.containerId, rec.networkId);
  return true;
}

/** Runs CNI CHECK for an attachment; throws NotFound when the container is not attached to the network. */
export async function checkContainer(d: AttachDeps, o: DetachOptions): Promise<void> {
  const rec = findRecord(d, o.containerId, o.network);
  if (!rec) throw new NetworkError(`container ${o.containerId.slice(0, 12)} is not connected to network ${o.network}`, 'NotFound');
  if (!rec.confList) return;
  if (!rec.result || rec.state !== 'attached') {
    throw new NetworkError(`container ${o.containerId.slice(0, 12)} on network ${rec.networkName}: ADD did not complete; detach and attach again`, 'FailedPrecondition');
  }
  const nsPath = o.netnsPath ?? rec.netnsPath;
  if (!d.netns.isMounted(nsPath)) {
    throw new NetworkError(`container ${o.containerId.slice(0, 12)} on network ${rec.networkName}: network namespace ${nsPath} is gone; detach and attach again`, 'FailedPrecondition');
  }
  await checkList(d.exec, rec.confList, runtimeOf(rec, nsPath), rec.result);
}

/** The endpoint view of a cached attachment (Docker's EndpointSettings fields). */
export function toAttachResult(rec: AttachmentRecord): AttachResult {
  const ep = endpointOf(rec.result, rec.ifName);
  return {
    NetworkID: rec.networkId, EndpointID: rec.endpointId, IPAddress: ep.ip, IPPrefixLen: ep.prefix,
    Gateway: ep.gateway, MacAddress: ep.mac, portMappings: rec.portMappings.map((m): PortMapping => ({ ...m })),
  };
}

/** The allocator owner of a container's ports on one network. */
export function portOwner(containerId: string, networkId: string): string {
  return `${containerId}:${networkId}`;
}

// Attachments made with ipMasq (before NAT became per network) have a per-container MASQUERADE chain; the bridge
// plugin learns which to delete from the addresses on the container's interface, and with the namespace gone it
// would skip it. A stand-in namespace holding the cached addresses lets its DEL finish.
async function delWithoutNetns(d: AttachDeps, rec: AttachmentRecord, list: CniConfList): Promise<void> {
  const addrs = addressesOf(rec.result, rec.ifName);
  const masq = list.plugins.some((p) => p.type === 'bridge' && p.ipMasq === true);
  if (!addrs.length || !masq) {
    await delList(d.exec, list, runtimeOf(rec, ''), rec.result);
    return;
  }
  const stand = path.join(d.cache.dir, `.del-${rec.containerId.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
  const peer = rec.ifName === 'berthdel0' ? 'berthdel1' : 'berthdel0';
  await d.netns.create(stand, [`link add ${rec.ifName} type veth peer name ${peer}`, ...addrs.map((a) => `addr add ${a} dev ${rec.ifName}`)]);
  try {
    await delList(d.exec, list, runtimeOf(rec, stand), rec.result);
  } finally {
    await d.netns.remove(stand);
  }
}

function findRecord(d: AttachDeps, containerId: string, network: string): AttachmentRecord | undefined {
  const recs = d.cache.list({ containerId });
  return recs.find((r) => r.networkId === network || r.networkName === network) ?? recs.find((r) => r.networkId.startsWith(network));
}

function runtimeOf(rec: AttachmentRecord, netns: string): CniRuntime {
  return { containerId: rec.containerId, netns, ifName: rec.ifName, capabilityArgs: rec.capabilityArgs };
}

function staticAddress(subnet: string, ip: string, network: string): string {
  const c = parseCidr(subnet);
  const a = parseCidr(`${ip}/32`);
  if (!c || !a || !contains(c, a.ip)) {
    throw new NetworkError(`invalid address ${ip} for network ${network}: it must be an IPv4 address inside ${subnet || 'the network subnet'}`, 'InvalidArgument');
  }
  return `${formatIPv4(a.ip)}/${c.prefix}`;
}

function ifaceIndex(result: CniResult | undefined, ifName: string): number {
  return result?.interfaces?.findIndex((i) => i.name === ifName && !!i.sandbox) ?? -1;
}

function addressesOf(result: CniResult | undefined, ifName: string): string[] {
  const idx = ifaceIndex(result, ifName);
  return (result?.ips ?? []).filter((i) => idx < 0 || i.interface === undefined || i.interface === idx).map((i) => i.address);
}

function endpointOf(result: CniResult | undefined, ifName: string): { ip: string; prefix: number; gateway: string; mac: string } {
  const idx = ifaceIndex(result, ifName);
  const ipc = result?.ips?.find((i) => i.interface === idx && i.address.includes('.')) ?? result?.ips?.find((i) => i.address.includes('.'));
  const [ip = '', prefix = '0'] = ipc?.address.split('/') ?? [];
  return { ip, prefix: Number(prefix), gateway: ipc?.gateway ?? '', mac: idx >= 0 ? (result?.interfaces?.[idx]?.mac ?? '') : '' };
}
