// docker network connect / disconnect: a running container gets (or loses) an interface in its pinned namespace
// at once, with its own and its peers' hosts files rewritten; a container that does not run only has its
// endpoint config recorded (attached at its next start) or dropped.
import { isNetnsMounted, type NetworkResource } from '../../network/index.js';
import { EngineError } from '../errors.js';
import type { EventBus } from '../services.js';
import type { ContainerRecord, EndpointSettings } from '../containers/types.js';
import { combinationError, configOnly, endpointKey, nextIfName, NETWORK_CONFLICT } from './endpoints.js';
import { engineErrorOf, type EngineNetworking } from './networking.js';

/** Serializes work on one container with its start, stop and exit (the engine's per-container lock). */
export interface ContainerLocks {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface ConnectDeps {
  net: EngineNetworking;
  locks: ContainerLocks;
  events: EventBus;
}

/** The endpoint config a client may give (POST /networks/{id}/connect EndpointConfig). */
export type EndpointConfig = Pick<EndpointSettings, 'Aliases' | 'IPAMConfig' | 'Links'>;

function removing(rec: ContainerRecord): EngineError {
  return new EngineError(`Container ${rec.Id} is marked for removal and cannot be connected or disconnected to the network`, 'Conflict');
}

/** POST /networks/{id}/connect: attaches now when the container runs, else records the config for its next start. */
export async function connectContainer(d: ConnectDeps, network: NetworkResource, ref: string, config: EndpointConfig): Promise<void> {
  const rec = d.net.containers.get(ref);
  await d.locks.run(rec.Id, async () => {
    if (rec.State.Status === 'removing' || rec.State.Dead) throw removing(rec);
    const mode = rec.HostConfig.NetworkMode ?? 'bridge';
    const existing = Object.values(rec.Networks).map((e) => (e.NetworkID ? d.net.store.find(e.NetworkID) : undefined)).filter((n): n is NetworkResource => !!n);
    const modeNet = mode.startsWith('container:') ? undefined : d.net.store.find(mode);
    if (modeNet && !existing.some((n) => n.Id === modeNet.Id) && modeNet.Driver !== 'bridge') existing.push(modeNet);
    const key = endpointKey(rec.Networks, network);
    if (key !== undefined && rec.State.Running) {
      throw new EngineError(`endpoint with name ${rec.Name.slice(1)} already exists in network ${network.Name}`, 'Forbidden');
    }
    const refused = combinationError(mode, existing, network);
    if (refused) throw new EngineError(refused, 'InvalidArgument');
    const asked: EndpointSettings = configOnly({ ...config, NetworkID: network.Id });
    if (!rec.State.Running) {
      // Docker replaces the config of a network the stopped container is already on.
      if (key !== undefined && key !== network.Name) delete rec.Networks[key];
      rec.Networks[network.Name] = asked;
      d.net.containers.save(rec);
      return;
    }
    const nsPath = d.net.netnsPath(rec.Id);
    if (!isNetnsMounted(nsPath)) {
      throw new EngineError(`container ${rec.Name.slice(1)} has no network namespace of its own to connect (${nsPath}): restart it, then connect it again`, 'Conflict');
    }
    const mine = d.net.manager.attachments({ containerId: rec.Id });
    let r: Awaited<ReturnType<EngineNetworking['attachEndpoint']>>;
    try {
      // The first network of a container left with none (all disconnected) carries its default route again.
      r = await d.net.attachEndpoint(rec, network, asked, nextIfName(mine.map((a) => a.ifName)), mine.length === 0);
    } catch (e) {
      throw engineErrorOf(e);
    }
    rec.Networks[network.Name] = r.endpoint;
    d.net.containers.save(rec);
    d.net.rewriteHosts(rec);
    d.net.refreshNetworks(rec.Id, [network.Id]);
    d.events.publish('network', 'connect', network.Id, { container: rec.Id, name: network.Name, type: network.Driver });
  });
}

/**
 * POST /networks/{id}/disconnect: detaches a running container from that network only, or drops the recorded
 * config of one that does not run. `network` is undefined when no such network exists (then only force works).
 */
export async function disconnectContainer(d: ConnectDeps, network: NetworkResource | undefined, netRef: string, ref: string, force: boolean): Promise<void> {
  const rec = d.net.containers.get(ref);
  await d.locks.run(rec.Id, async () => {
    if (rec.State.Status === 'removing' || rec.State.Dead) throw removing(rec);
    const key = network ? endpointKey(rec.Networks, network) : (netRef in rec.Networks ? netRef : undefined);
    if (!rec.State.Running || (!network && force)) {
      if (key === undefined) {
        if (!network) throw new EngineError(`network ${netRef} not found`, 'NotFound');
        throw new EngineError(`container ${rec.Id} is not connected to the network ${network.Name}`, 'Forbidden');
      }
      delete rec.Networks[key];
      d.net.containers.save(rec);
      return;
    }
    if (!network) throw new EngineError(`network ${netRef} not found`, 'NotFound');
    if (rec.HostConfig.NetworkMode === 'host' && network.Driver === 'host') throw new EngineError(NETWORK_CONFLICT.host, 'InvalidArgument');
    if (key === undefined) throw new EngineError(`container ${rec.Id} is not connected to network ${network.Name}`, 'Forbidden');
    try {
      await d.net.manager.detachContainer({ containerId: rec.Id, network: network.Id });
    } catch (e) {
      throw engineErrorOf(e);
    }
    delete rec.Networks[key];
    d.net.containers.save(rec);
    d.net.rewriteHosts(rec);
    d.net.refreshNetworks(rec.Id, [network.Id]);
    d.events.publish('network', 'disconnect', network.Id, { container: rec.Id, name: network.Name, type: network.Driver });
  });
}
