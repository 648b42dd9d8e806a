// The engine's networking: Docker's network modes (bridge, user-defined bridges, host, none,
// container:<id>) on the network layer — a pinned namespace per container, CNI attachments, published ports,
// and the generated /etc files, with peers' names kept current in every member's hosts file.
import fs from 'node:fs';
import path from 'node:path';
import {
  NetworkManager, createCniExec, isNetnsMounted, parsePortBindings, hostsFile, resolvConf, hostnameFile, isNetworkError,
  type NetworkStore, type NetworkResource, type PortMapping,
} from '../../network/index.js';
import type { FsOps } from '../../image/index.js';
import type { EngineConfig } from '../config.js';
import { EngineError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ContainerNetworking, EtcFiles, NetworkSetup } from '../containers/networking.js';
import type { ContainerStore } from '../containers/store.js';
import type { ContainerRecord, EndpointSettings, PortBinding } from '../containers/types.js';
import { hostnameOf } from '../containers/oci-spec.js';
import { createRunnerPool } from './plugin-runner.js';
import { attachOrder, createEndpoints, endpointKey, NETWORK_CONFLICT } from './endpoints.js';

/** Network layer errors in the engine's taxonomy (the API maps those to HTTP). */
export function engineErrorOf(e: unknown): unknown {
  if (isNetworkError(e)) return new EngineError(e.message, e.kind === 'FailedPrecondition' ? 'Forbidden' : e.kind);
  return e;
}

async function wrap<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw engineErrorOf(e);
  }
}

export class EngineNetworking implements ContainerNetworking {
  readonly manager: NetworkManager;
  private readonly plugins = createRunnerPool();
  readonly store: NetworkStore;
  private readonly netnsDir: string;

  constructor(
    config: EngineConfig, readonly containers: ContainerStore, private readonly log: Logger,
    private readonly fsops: () => Promise<FsOps>, options: { defaultBridgeName?: string; defaultSubnet?: string } = {},
  ) {
    this.manager = new NetworkManager({ root: config.root, ...options, exec: createCniExec({ run: this.plugins.run }) });
    this.store = this.manager.store;
    this.netnsDir = path.join(config.runRoot, 'netns');
    // NAT/forward rules of networks in use come back at once if the host's firewall was flushed meanwhile.
    void this.manager.restoreRules().catch((e: Error) => log.warn(`restoring network rules: ${e.message}`));
  }

  netnsPath(id: string): string {
    return path.join(this.netnsDir, id);
  }

  validate(rec: ContainerRecord): void {
    const mode = rec.HostConfig.NetworkMode ?? 'bridge';
    // NetworkingConfig.EndpointsConfig, normalized: keyed by network name, NetworkMode's first, config fields only.
    rec.Networks = createEndpoints(mode, rec.Networks, (ref) => this.store.find(ref));
    if (mode.startsWith('container:')) {
      this.containers.get(mode.slice('container:'.length));
      if (Object.keys(rec.HostConfig.PortBindings ?? {}).length) throw new EngineError('conflicting options: port publishing and the container type network mode', 'InvalidArgument');
      return;
    }
    try {
      const net = this.store.get(mode);
      // Docker ignores -p with the host network (the ports are the host's) and refuses it with none.
      if (net.Driver === 'null' && Object.values(rec.HostConfig.PortBindings ?? {}).some((b) => b?.length)) {
        throw new EngineError('conflicting options: port publishing and the none network mode', 'InvalidArgument');
      }
      parsePortBindings(rec.HostConfig.PortBindings ?? {});
    } catch (e) {
      if (isNetworkError(e, 'NotFound')) throw new EngineError(`network ${mode} not found`, 'NotFound');
      throw engineErrorOf(e);
    }
  }

  async setup(rec: ContainerRecord): Promise<NetworkSetup> {
    const mode = rec.HostConfig.NetworkMode ?? 'bridge';
    if (mode.startsWith('container:')) {
      const other = this.containers.get(mode.slice('container:'.length));
      if (!other.State.Running) throw new EngineError(`cannot join network of a non running container: ${other.Name.slice(1)}`, 'Conflict');
      const ns = Object.values(other.Networks).length && fs.existsSync(this.netnsPath(other.Id)) ? this.netnsPath(other.Id) : `/proc/${other.State.Pid}/ns/net`;
      return { namespace: other.HostConfig.NetworkMode === 'host' ? { kind: 'host' } : { kind: 'path', path: ns }, endpoints: {}, ports: {} };
    }
    const net = await wrap(() => this.store.get(mode));
    if (net.Driver === 'host') {
      return { namespace: { kind: 'host' }, endpoints: { [net.Name]: { NetworkID: net.Id, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' } }, ports: {} };
    }
    if (net.Driver === 'null') {
      // Only lo: the runtime's own new namespace (it brings lo up) is enough; nothing to pin or attach.
      return { namespace: { kind: 'new' }, endpoints: { [net.Name]: { NetworkID: net.Id, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' } }, ports: {} };
    }
    // Every network the container is connected to: NetworkMode's as eth0 (with the published ports and the
    // default route), the others (docker run --network a --network b, network connect) as eth1, eth2, …
    const order: { net: NetworkResource; asked: EndpointSettings }[] = [];
    for (const [i, [name, asked]] of attachOrder(rec, net).entries()) {
      const other = i === 0 && (name === 'default' || asked.NetworkID === net.Id) ? net : this.store.find(name) ?? (asked.NetworkID ? this.store.find(asked.NetworkID) : undefined);
      if (!other) throw new EngineError(`network ${name} not found: disconnect the container from it (docker network disconnect -f ${name} ${rec.Name.slice(1)})`, 'NotFound');
      if (other.Driver !== 'bridge') throw new EngineError(`container ${rec.Name.slice(1)}: ${NETWORK_CONFLICT.shared}`, 'InvalidArgument');
      if (!order.some((o) => o.net.Id === other.Id)) order.push({ net: other, asked });
    }
    const nsPath = this.netnsPath(rec.Id);
    await this.teardown(rec); // leftovers of a run that was not cleaned up (crash) go first
    await this.pinNetns(nsPath);
    try {
      const endpoints: Record<string, EndpointSettings> = {};
      let ports: Record<string, PortBinding[] | null> = {};
      for (const [i, { net: n, asked }] of order.entries()) {
        const r = await this.attachEndpoint(rec, n, asked, `eth${i}`, i === 0);
        endpoints[n.Name] = r.endpoint;
        if (i === 0) ports = r.ports;
      }
      return { namespace: { kind: 'path', path: nsPath }, endpoints, ports };
    } catch (e) {
      await this.teardown(rec).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Attaches a container's pinned namespace to one bridge network as `ifName`; the first network also publishes
   * its ports and carries the default route. Returns the endpoint for rec.Networks.
   */
  async attachEndpoint(rec: ContainerRecord, net: NetworkResource, asked: EndpointSettings | undefined, ifName: string, first: boolean): Promise<{ endpoint: EndpointSettings; ports: Record<string, PortBinding[] | null> }> {
    const userDefined = net.Name !== 'bridge';
    const aliases = userDefined ? [...new Set(asked?.Aliases ?? [])] : [];
    // What the container answers to on the network: Docker's DNSNames (name, aliases, short id).
    const names = userDefined ? [...new Set([rec.Name.slice(1), ...aliases, rec.Id.slice(0, 12)])] : null;
    const r = await wrap(() => this.manager.attachContainer({
      containerId: rec.Id, netnsPath: this.netnsPath(rec.Id), network: net.Id, ifName, portMappings: first ? publishRequests(rec) : [], aliases: names ?? [],
      defaultRoute: first, ...(asked?.IPAMConfig?.IPv4Address ? { ipAddress: asked.IPAMConfig.IPv4Address } : {}),
    }));
    const endpoint: EndpointSettings = {
      IPAMConfig: asked?.IPAMConfig ?? null, Links: null, Aliases: aliases.length ? aliases : null, MacAddress: r.MacAddress, NetworkID: net.Id, EndpointID: r.EndpointID,
      Gateway: r.Gateway, IPAddress: r.IPAddress, IPPrefixLen: r.IPPrefixLen, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: names,
    };
    return { endpoint, ports: portsView(r.portMappings) };
  }

  async teardown(rec: ContainerRecord): Promise<void> {
    await wrap(() => this.manager.detachAll(rec.Id));
    await this.unpinNetns(this.netnsPath(rec.Id));
  }

  /**
   * A build RUN step on the default `bridge` network: a namespace pinned under <runRoot>/netns/build-<id>,
   * attached like a container's, the /etc files it should see, and release() to detach and unpin it.
   */
  async attachBuildContainer(id: string): Promise<{ netnsPath: string; etc: { hosts: string; resolvConf: string }; release(): Promise<void> }> {
    const containerId = `build-${id}`;
    const nsPath = this.netnsPath(containerId);
    const release = async (): Promise<void> => {
      try {
        await wrap(() => this.manager.detachAll(containerId));
      } finally {
        await this.unpinNetns(nsPath);
      }
    };
    await this.pinNetns(nsPath);
    try {
      const r = await wrap(() => this.manager.attachContainer({ containerId, netnsPath: nsPath, network: 'bridge', ifName: 'eth0' }));
      const hostname = id.slice(0, 12);
      return {
        netnsPath: nsPath,
        etc: { hosts: hostsFile({ hostname, ...(r.IPAddress ? { ip: r.IPAddress } : {}) }), resolvConf: resolvConf(safeRead('/etc/resolv.conf')) },
        release,
      };
    } catch (e) {
      await release().catch(() => undefined);
      throw e;
    }
  }

  // The namespace is made and pinned by berth-fsops (one fork in a small process that is already running),
  // not by spawning unshare/umount from the daemon: spawning from a large Node process costs milliseconds.
  private async pinNetns(nsPath: string): Promise<void> {
    if (isNetnsMounted(nsPath)) throw new EngineError(`network namespace ${nsPath} is still in use: remove the container's leftovers first`, 'Conflict');
    fs.mkdirSync(path.dirname(nsPath), { recursive: true, mode: 0o711 });
    fs.closeSync(fs.openSync(nsPath, 'a', 0o444));
    try {
      await (await this.fsops()).pinNetns(nsPath);
    } catch (e) {
      fs.rmSync(nsPath, { force: true });
      throw new EngineError(`creating network namespace ${nsPath}: ${(e as Error).message}`, 'Internal');
    }
  }

  private async unpinNetns(nsPath: string): Promise<void> {
    const fsops = await this.fsops();
    for (let i = 0; i < 8 && isNetnsMounted(nsPath); i++) await fsops.umount(nsPath).catch(() => fsops.umount(nsPath, 2));
    fs.rmSync(nsPath, { force: true });
  }

  etcFiles(rec: ContainerRecord, setup: NetworkSetup): EtcFiles {
    const hostText = safeRead('/etc/resolv.conf');
    const host = rec.HostConfig;
    const hostMode = setup.namespace.kind === 'host';
    const primary = Object.values(setup.endpoints)[0];
    return {
      hosts: hostMode ? safeRead('/etc/hosts') : hostsFile({
        hostname: hostnameOf(rec), ...(rec.Config.Domainname ? { domainname: rec.Config.Domainname } : {}),
        ...(primary?.IPAddress ? { ip: primary.IPAddress } : {}), extraHosts: host.ExtraHosts ?? [], peers: this.peersOf(rec, setup.endpoints),
      }),
      resolvConf: resolvConf(hostText, { dns: host.Dns ?? [], dnsSearch: host.DnsSearch ?? [], dnsOptions: host.DnsOptions ?? [] }),
      hostname: hostnameFile(hostMode ? safeRead('/etc/hostname').trim() : hostnameOf(rec)),
    };
  }

  /** Running containers on the same user-defined networks, with their names, aliases and short ids. */
  private peersOf(rec: ContainerRecord, endpoints: Record<string, EndpointSettings>): { ip: string; names: string[] }[] {
    const out: { ip: string; names: string[] }[] = [];
    for (const [name, ep] of Object.entries(endpoints)) {
      if (name === 'bridge' || !ep.IPAddress) continue;
      for (const other of this.containers.all()) {
        if (other.Id === rec.Id || !other.State.Running) continue;
        const oep = other.Networks[name];
        if (!oep?.IPAddress || oep.NetworkID !== ep.NetworkID) continue;
        out.push({ ip: oep.IPAddress, names: [...new Set([other.Name.slice(1), ...(oep.Aliases ?? []), other.Id.slice(0, 12)])] });
      }
    }
    return out;
  }

  refreshPeers(changed: ContainerRecord): void {
    this.refreshNetworks(changed.Id, Object.entries(changed.Networks).filter(([n]) => n !== 'bridge').map(([, e]) => e.NetworkID ?? ''));
  }

  /** Rewrites the hosts files of the running members of `networkIds` other than `except` (membership changed). */
  refreshNetworks(except: string, networkIds: string[]): void {
    const nets = new Set(networkIds.filter(Boolean));
    if (!nets.size) return;
    for (const other of this.containers.all()) {
      if (!other.State.Running || other.Id === except) continue;
      if (Object.values(other.Networks).some((e) => nets.has(e.NetworkID ?? ''))) this.rewriteHosts(other);
    }
  }

  /** Rewrites a running container's /etc/hosts from its current endpoints and peers. */
  rewriteHosts(rec: ContainerRecord): void {
    const file = path.join(this.containers.containerDir(rec.Id), 'hosts');
    if (!fs.existsSync(file)) return;
    // Rewritten in place: the container sees its bind-mounted /etc/hosts change (same inode).
    try {
      fs.writeFileSync(file, this.etcFiles(rec, { namespace: { kind: 'path', path: '' }, endpoints: rec.Networks, ports: rec.Ports }).hosts);
    } catch (e) {
      this.log.warn(`container ${rec.Id}: updating /etc/hosts: ${(e as Error).message}`);
    }
  }

  /** Containers attached to a network (inspect's Containers map). */
  members(net: NetworkResource): Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }> {
    const out: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }> = {};
    for (const c of this.containers.all()) {
      const ep = Object.values(c.Networks).find((e) => e.NetworkID === net.Id);
      if (!ep || !c.State.Running) continue;
      out[c.Id] = { Name: c.Name.slice(1), EndpointID: ep.EndpointID ?? '', MacAddress: ep.MacAddress ?? '', IPv4Address: ep.IPAddress ? `${ep.IPAddress}/${ep.IPPrefixLen}` : '', IPv6Address: '' };
    }
    return out;
  }

  /** Stops the resident plugin runners (daemon shutdown). */
  close(): Promise<void> {
    return this.plugins.close();
  }

  /** Removes a user-defined network (refused while running containers use it) and its bridge device. */
  async removeNetwork(net: NetworkResource): Promise<void> {
    await this.manager.remove(net.Id, () => this.users(net));
  }

  /** Names of running containers on this network: through their NetworkMode or a connected endpoint. */
  users(net: NetworkResource): string[] {
    return this.containers.all().filter((c) => {
      const mode = c.HostConfig.NetworkMode ?? 'bridge';
      return c.State.Running && (mode === net.Name || mode === net.Id || net.Id.startsWith(mode) || endpointKey(c.Networks, net) !== undefined);
    }).map((c) => c.Name.slice(1));
  }
}

/** -p and -P: HostConfig.PortBindings, plus every exposed port on a random host port with PublishAllPorts. */
function publishRequests(rec: ContainerRecord) {
  const bindings: Record<string, PortBinding[] | null> = { ...(rec.HostConfig.PortBindings ?? {}) };
  if (rec.HostConfig.PublishAllPorts) for (const p of Object.keys(rec.Config.ExposedPorts ?? {})) bindings[p] ??= [{ HostIp: '', HostPort: '' }];
  try {
    return parsePortBindings(bindings);
  } catch (e) {
    throw engineErrorOf(e);
  }
}

/** NetworkSettings.Ports: "80/tcp" → the host bindings actually made. */
function portsView(mappings: PortMapping[]): Record<string, PortBinding[] | null> {
  const out: Record<string, PortBinding[] | null> = {};
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.protocol}`;
    (out[key] ??= []).push({ HostIp: m.hostIP || '0.0.0.0', HostPort: String(m.hostPort) });
  }
  return out;
}

function safeRead(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** Opens the engine's networking (the network store under <root>/network). */
export async function openNetworking(config: EngineConfig, containers: ContainerStore, log: Logger, fsops: () => Promise<FsOps>): Promise<EngineNetworking> {
  const bridge = process.env.BERTH_BRIDGE_NAME;
  const subnet = process.env.BERTH_BRIDGE_SUBNET;
  return new EngineNetworking(config, containers, log, fsops, { ...(bridge ? { defaultBridgeName: bridge } : {}), ...(subnet ? { defaultSubnet: subnet } : {}) });
}
