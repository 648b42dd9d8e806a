// Host port reservations for published ports: one owner (container + network) per host address/port/protocol,
// checked against the host's own listeners before a port is handed out.
import { NetworkError } from './errors.js';
import { parseIPv4 } from './ipv4.js';
import type { PortMapping, PortProtocol, PublishRequest } from './types.js';

/** Resolves true when hostIP:port/protocol can be bound on the host right now. */
export type PortProbe = (hostIP: string, port: number, protocol: PortProtocol) => Promise<boolean>;

/** Docker's dynamic range (the kernel's default ip_local_port_range). */
export const DYNAMIC_PORTS = { start: 32768, end: 60999 };

interface Held {
  owner: string;
  mapping: PortMapping;
}

export class PortAllocator {
  private readonly held = new Map<string, Held>(); // key: proto/port/hostIP
  private cursor: number;

  constructor(private readonly probe: PortProbe, private readonly range = DYNAMIC_PORTS) {
    this.cursor = range.start;
  }

  /** Records mappings already programmed (loaded from the attachment cache at start-up); no probing. */
  claim(owner: string, mappings: PortMapping[]): void {
    for (const m of mappings) this.held.set(key(m.protocol, m.hostPort, m.hostIP), { owner, mapping: m });
  }

  /** Frees every port of owner. */
  release(owner: string): void {
    for (const [k, h] of this.held) if (h.owner === owner) this.held.delete(k);
  }

  /** Mappings currently held by owner. */
  heldBy(owner: string): PortMapping[] {
    return [...this.held.values()].filter((h) => h.owner === owner).map((h) => h.mapping);
  }

  /** Reserves host ports for all requests, all or nothing; a busy port fails with Docker's "port is already allocated". */
  async reserve(owner: string, requests: PublishRequest[]): Promise<PortMapping[]> {
    const taken: PortMapping[] = [];
    try {
      for (const r of requests) taken.push(await this.reserveOne(owner, normalize(r)));
      return taken;
    } catch (e) {
      for (const m of taken) this.held.delete(key(m.protocol, m.hostPort, m.hostIP));
      throw e;
    }
  }

  private async reserveOne(owner: string, r: Required<PublishRequest>): Promise<PortMapping> {
    const { hostIP, protocol, containerPort } = r;
    if (r.hostPort === 0) {
      const span = this.range.end - this.range.start + 1;
      for (let i = 0; i < span; i++) {
        const port = this.nextDynamic();
        const m = await this.tryTake(owner, { hostIP, hostPort: port, containerPort, protocol });
        if (m) return m;
      }
      throw new NetworkError(`no free host port for ${describe(hostIP, containerPort, protocol)} in ${this.range.start}-${this.range.end}: stop containers or host processes using them`, 'Conflict');
    }
    const last = Math.max(r.hostPort, r.hostPortEnd);
    let why = '';
    for (let port = r.hostPort; port <= last; port++) {
      const other = this.conflict(protocol, port, hostIP);
      if (other) {
        why = other.owner === owner ? 'requested twice by this container' : `published by container ${other.owner.slice(0, 12)}`;
        continue;
      }
      const m = await this.tryTake(owner, { hostIP, hostPort: port, containerPort, protocol });
      if (m) return m;
      why = 'a host process is using it';
    }
    const ports = last > r.hostPort ? `${r.hostPort}-${last}` : String(r.hostPort);
    throw new NetworkError(`Bind for ${hostIP || '0.0.0.0'}:${ports} failed: port is already allocated (${why}${protocol === 'udp' ? ', udp' : ''}): choose another host port or free it`, 'Conflict');
  }

  // Takes the port in memory first (so concurrent reservations cannot pick it too), then asks the host.
  private async tryTake(owner: string, m: PortMapping): Promise<PortMapping | null> {
    if (this.conflict(m.protocol, m.hostPort, m.hostIP)) return null;
    const k = key(m.protocol, m.hostPort, m.hostIP);
    this.held.set(k, { owner, mapping: m });
    let free = false;
    try {
      free = await this.probe(m.hostIP, m.hostPort, m.protocol);
    } finally {
      if (!free) this.held.delete(k);
    }
    return free ? m : null;
  }

  // 0.0.0.0 (hostIP '') overlaps every address; specific addresses only themselves.
  private conflict(protocol: PortProtocol, port: number, hostIP: string): Held | undefined {
    for (const h of this.held.values()) {
      const m = h.mapping;
      if (m.protocol === protocol && m.hostPort === port && (m.hostIP === '' || hostIP === '' || m.hostIP === hostIP)) return h;
    }
    return undefined;
  }

  private nextDynamic(): number {
    const p = this.cursor;
    this.cursor = p >= this.range.end ? this.range.start : p + 1;
    return p;
  }
}

function normalize(r: PublishRequest): Required<PublishRequest> {
  const hostIP = r.hostIP === '0.0.0.0' ? '' : (r.hostIP ?? '');
  const protocol = r.protocol ?? 'tcp';
  if (hostIP && parseIPv4(hostIP) === null) {
    throw new NetworkError(`invalid host address "${hostIP}" for port ${r.containerPort}: Berth publishes on IPv4 addresses only`, 'InvalidArgument');
  }
  if (protocol !== 'tcp' && protocol !== 'udp') throw new NetworkError(`protocol "${String(protocol)}" is not supported: use tcp or udp`, 'InvalidArgument');
  for (const p of [r.containerPort, r.hostPort || 1, r.hostPortEnd ?? 1]) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new NetworkError(`port ${p} is out of range 1-65535`, 'InvalidArgument');
  }
  return { hostIP, hostPort: r.hostPort, hostPortEnd: r.hostPortEnd ?? r.hostPort, containerPort: r.containerPort, protocol };
}

function key(protocol: PortProtocol, port: number, hostIP: string): string {
  return `${protocol}/${port}/${hostIP}`;
}

function describe(hostIP: string, containerPort: number, protocol: PortProtocol): string {
  return `${hostIP || '0.0.0.0'}::${containerPort}/${protocol}`;
}
