// A container's endpoints on several networks (pure): which networks a container may be on together (Docker's
// rules and error texts), the endpoint config a stopped container keeps, the order networks are attached in at
// start (NetworkMode's first, as eth0) and the interface name a network connected later gets.
import { EngineError } from '../errors.js';
import type { ContainerRecord, EndpointSettings } from '../containers/types.js';

/** What these rules need of a network. */
export interface NetRef {
  Id: string;
  Name: string;
  Driver: string;
}

/** Docker's texts (runconfig) for network combinations a container cannot have. */
export const NETWORK_CONFLICT = {
  shared: 'container sharing network namespace with another container or host cannot be connected to any other network',
  host: 'container cannot be disconnected from host network or connected to host network',
  none: 'container cannot be connected to multiple networks with one of the networks in private (none) mode',
} as const;

/** The endpoint config kept while a container does not run: NetworkID, Aliases, IPAMConfig, Links; runtime fields emptied. */
export function configOnly(ep: EndpointSettings): EndpointSettings {
  return {
    IPAMConfig: ep.IPAMConfig ?? null, Links: ep.Links ?? null, Aliases: ep.Aliases?.length ? [...ep.Aliases] : null, MacAddress: '',
    NetworkID: ep.NetworkID ?? '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}

/** configOnly for every network of a container (what exit and a failed start leave in rec.Networks). */
export function stoppedEndpoints(nets: Record<string, EndpointSettings>): Record<string, EndpointSettings> {
  return Object.fromEntries(Object.entries(nets).map(([name, ep]) => [name, configOnly(ep)]));
}

/** The lowest ethN that none of `used` takes (a network connected to a running container). */
export function nextIfName(used: Iterable<string>): string {
  const taken = new Set(used);
  for (let i = 0; ; i++) if (!taken.has(`eth${i}`)) return `eth${i}`;
}

/**
 * Docker's refusal text when a container in network mode `mode`, already on `existing`, cannot also join `added`;
 * undefined when it can.
 */
export function combinationError(mode: string, existing: NetRef[], added: NetRef): string | undefined {
  if (mode.startsWith('container:')) return NETWORK_CONFLICT.shared;
  if (added.Driver === 'host') return NETWORK_CONFLICT.host;
  for (const e of existing) {
    if (e.Id === added.Id) continue;
    if (e.Driver === 'host') return NETWORK_CONFLICT.shared;
    if (e.Driver === 'null' || added.Driver === 'null') return NETWORK_CONFLICT.none;
  }
  return undefined;
}

/**
 * rec.Networks at create from NetworkingConfig.EndpointsConfig: keyed by network name ("default" and ids
 * resolved), the NetworkMode's network first (added when not asked for, as Docker does), only config fields kept.
 * Unknown networks are NotFound; impossible combinations InvalidArgument.
 */
export function createEndpoints(mode: string, asked: Record<string, EndpointSettings>, find: (ref: string) => NetRef | undefined): Record<string, EndpointSettings> {
  const keys = Object.keys(asked).filter((k) => k !== 'default' && k !== mode);
  if (mode.startsWith('container:')) {
    if (keys.length) throw new EngineError(NETWORK_CONFLICT.shared, 'InvalidArgument');
    return {};
  }
  const primary = find(mode);
  if (!primary) throw new EngineError(`network ${mode} not found`, 'NotFound');
  const own = asked[mode] ?? asked.default ?? asked[primary.Name] ?? asked[primary.Id] ?? {};
  const out: Record<string, EndpointSettings> = { [primary.Name]: configOnly({ ...own, NetworkID: primary.Id }) };
  const joined: NetRef[] = [primary];
  for (const k of keys) {
    const net = find(k);
    if (!net) throw new EngineError(`network ${k} not found`, 'NotFound');
    if (net.Id === primary.Id) continue;
    const refused = combinationError(mode, joined, net);
    if (refused) throw new EngineError(refused, 'InvalidArgument');
    out[net.Name] = configOnly({ ...asked[k], NetworkID: net.Id });
    joined.push(net);
  }
  return out;
}

/**
 * The networks a container is attached to at start, in interface order: its NetworkMode's network first (eth0),
 * then the others as they were connected. A record with no entry at all (made before networks were kept across
 * stops) gets its NetworkMode's.
 */
export function attachOrder(rec: ContainerRecord, primary: NetRef): [string, EndpointSettings][] {
  const entries = Object.entries(rec.Networks);
  if (!entries.length) return [[primary.Name, { NetworkID: primary.Id }]];
  // Records made before create normalized EndpointsConfig may key the NetworkMode's entry by id or "default".
  const isPrimary = ([name, ep]: [string, EndpointSettings]) => name === primary.Name || name === primary.Id || name === 'default' || ep.NetworkID === primary.Id;
  return [...entries.filter(isPrimary), ...entries.filter((e) => !isPrimary(e))];
}

/** The key of a container's entry for a network (by name, else by NetworkID); undefined when not connected. */
export function endpointKey(nets: Record<string, EndpointSettings>, net: NetRef): string | undefined {
  if (nets[net.Name]) return net.Name;
  return Object.keys(nets).find((k) => nets[k]!.NetworkID === net.Id);
}
