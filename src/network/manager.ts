// The network layer's facade for the engine: the network store plus attach/detach/check, port reservations
// and the cleanup that removing a network needs (its NAT/forward rules, bridge device and IPAM leases directory).
import fs from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors.js';
import { NetworkStore, type AttachedProbe, type CreateNetworkOptions, type NetworkStoreOptions } from './store.js';
import { AttachmentCache, type AttachmentRecord } from './cache.js';
import { PortAllocator, DYNAMIC_PORTS, type PortProbe } from './ports.js';
import { probeHostPort } from './port-probe.js';
import { hostNetns, type NetnsOps } from './netns.js';
import { hostLinks, type LinkOps } from './links.js';
import { createCniExec, DEFAULT_CNI_PATH } from './cni/exec.js';
import { hostIptables, type IptablesOps } from './iptables/iptables.js';
import { NetworkRules } from './iptables/network-rules.js';
import type { CniExec } from './cni/types.js';
import { attachContainer, checkContainer, detachContainer, portOwner, toAttachResult, type AttachDeps, type AttachOptions, type DetachOptions } from './attach.js';
import type { AttachResult, NetworkResource } from './types.js';

export interface NetworkManagerOptions extends NetworkStoreOptions {
  /** Directories searched for CNI plugins (default /usr/lib/cni, /opt/cni/bin). */
  cniPath?: string[];
  /** Range for random host ports (default 32768–60999). */
  portRange?: { start: number; end: number };
  // Ports for effects, replaced by recording doubles in unit tests.
  exec?: CniExec;
  portProbe?: PortProbe;
  netns?: NetnsOps;
  links?: LinkOps;
  iptables?: IptablesOps;
}

export class NetworkManager {
  readonly store: NetworkStore;
  readonly cache: AttachmentCache;
  readonly ports: PortAllocator;
  private readonly deps: AttachDeps;
  private readonly links: LinkOps;
  private readonly rules: NetworkRules;

  /** Opens the layer's state under <root>/network and re-reserves the ports of existing attachments. */
  constructor(opts: NetworkManagerOptions) {
    const base = path.join(opts.root, 'network');
    const cniPath = opts.cniPath ?? DEFAULT_CNI_PATH;
    this.store = new NetworkStore(opts);
    this.cache = new AttachmentCache(path.join(base, 'cache'));
    this.ports = new PortAllocator(opts.portProbe ?? probeHostPort, opts.portRange ?? DYNAMIC_PORTS);
    this.links = opts.links ?? hostLinks;
    this.rules = new NetworkRules(opts.iptables ?? hostIptables);
    const ipamDir = path.join(base, 'ipam');
    fs.mkdirSync(ipamDir, { recursive: true, mode: 0o700 });
    this.deps = {
      store: this.store, cache: this.cache, ports: this.ports, ipamDir,
      exec: opts.exec ?? createCniExec({ cniPath }), netns: opts.netns ?? hostNetns,
      rules: this.rules,
    };
    for (const r of this.cache.list()) this.ports.claim(portOwner(r.containerId, r.networkId), r.portMappings);
  }

  list(): NetworkResource[] {
    return this.store.list();
  }

  get(term: string): NetworkResource {
    return this.store.get(term);
  }

  create(name: string, o: CreateNetworkOptions = {}): NetworkResource {
    return this.store.create(name, o);
  }

  /**
   * Removes a network, its NAT/forward rules, its bridge device and its lease directory. Refused while it has
   * endpoints: the ones this layer knows of, plus whatever `attached` reports (e.g. stopped containers the engine
   * keeps connected).
   */
  async remove(term: string, attached: AttachedProbe = 0): Promise<NetworkResource> {
    const net = this.store.get(term);
    const endpoints = this.cache.list({ networkId: net.Id }).map((r) => r.containerId.slice(0, 12));
    const probe = (): string[] | number => {
      const extra = typeof attached === 'function' ? attached() : attached;
      if (Array.isArray(extra)) return [...new Set([...endpoints, ...extra])];
      return endpoints.length ? endpoints : extra;
    };
    const removed = this.store.remove(net.Id, probe);
    // The record is gone now: clean up everything else even if one step fails, then report that step.
    let failed: unknown;
    if (removed.Driver === 'bridge') await this.rules.remove(removed).catch((e: unknown) => { failed = e; });
    if (removed.bridgeName) await this.links.remove(removed.bridgeName).catch((e: unknown) => { failed ??= e; });
    fs.rmSync(path.join(this.deps.ipamDir, removed.Name), { recursive: true, force: true });
    if (failed) throw failed;
    return removed;
  }

  /**
   * Re-installs the NAT/forward rules of every bridge network that has attachments (e.g. at daemon start, after the
   * host's rules were flushed); attaching does the same lazily, per network.
   */
  async restoreRules(): Promise<void> {
    const ids = new Set(this.cache.list().filter((r) => r.driver === 'bridge').map((r) => r.networkId));
    for (const id of ids) {
      const net = this.store.find(id);
      if (net) await this.rules.ensure(net);
    }
  }

  /** Attaches a container's namespace to a network (CNI ADD); see AttachOptions. */
  attachContainer(o: AttachOptions): Promise<AttachResult> {
    return attachContainer(this.deps, o);
  }

  /** Detaches a container from one network (CNI DEL); idempotent, works after a restart or without the namespace. */
  detachContainer(o: DetachOptions): Promise<boolean> {
    return detachContainer(this.deps, o);
  }

  /** Detaches a container from every network, newest attachment first; all are tried, the first error is thrown. */
  async detachAll(containerId: string): Promise<void> {
    let first: unknown;
    for (const r of this.cache.list({ containerId }).reverse()) {
      await detachContainer(this.deps, { containerId, network: r.networkId }).catch((e: unknown) => { first ??= e; });
    }
    if (first) throw first;
  }

  /** Verifies an attachment is still as ADD left it (CNI CHECK). */
  checkContainer(o: DetachOptions): Promise<void> {
    return checkContainer(this.deps, o);
  }

  /** Current attachments (endpoints), optionally of one container or one network. */
  attachments(filter: { containerId?: string; networkId?: string } = {}): AttachmentRecord[] {
    return this.cache.list(filter);
  }

  /** The endpoint of a container on a network, as attachContainer returned it. */
  endpoint(containerId: string, network: string): AttachResult {
    const net = this.store.find(network);
    const rec = this.cache.list({ containerId }).find((r) => r.networkId === net?.Id || r.networkName === network || r.networkId === network);
    if (!rec) throw new NetworkError(`container ${containerId.slice(0, 12)} is not connected to network ${network}`, 'NotFound');
    return toAttachResult(rec);
  }
}
