// /networks: list, inspect, create, remove, prune, connect and disconnect containers (bridge networks through
// CNI; host and none predefined).
import type { Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { EventBus } from '../services.js';
import { engineErrorOf, type EngineNetworking } from '../networks/networking.js';
import { connectContainer, disconnectContainer, type ContainerLocks, type EndpointConfig } from '../networks/connect.js';
import type { NetworkResource } from '../../network/index.js';

const BUILTIN = new Set(['bridge', 'host', 'none']);

function view(n: NetworkResource, containers: Record<string, unknown>): Record<string, unknown> {
  const { bridgeName, ...rest } = n;
  return {
    ...rest, ConfigFrom: { Network: '' }, ConfigOnly: false, Ingress: false, Containers: containers,
    Options: { ...n.Options, ...(bridgeName ? { 'com.docker.network.bridge.name': bridgeName } : {}) },
  };
}

function matches(n: NetworkResource, filters: Map<string, string[]>): boolean {
  for (const [k, vals] of filters) {
    if (!vals.length) continue;
    switch (k) {
      case 'name':
        if (!vals.some((v) => n.Name.includes(v))) return false;
        break;
      case 'id':
        if (!vals.some((v) => n.Id.startsWith(v))) return false;
        break;
      case 'driver':
        if (!vals.includes(n.Driver)) return false;
        break;
      case 'type':
        if (!vals.includes(BUILTIN.has(n.Name) ? 'builtin' : 'custom')) return false;
        break;
      case 'label':
        if (!vals.every((l) => (l.includes('=') ? n.Labels[l.slice(0, l.indexOf('='))] === l.slice(l.indexOf('=') + 1) : l in n.Labels))) return false;
        break;
      case 'scope':
        if (!vals.includes('local')) return false;
        break;
      case 'dangling':
        break;
      default:
        throw new EngineError(`invalid filter '${k}'`, 'InvalidArgument');
    }
  }
  return true;
}

/** The /networks routes; `locks` serializes connect/disconnect with a container's start, stop and exit. */
export function networkRoutes(net: EngineNetworking, events: EventBus, locks: ContainerLocks = { run: (_k, fn) => fn() }): Route[] {
  const get = (ref: string) => {
    const n = net.store.find(ref);
    if (!n) throw new EngineError(`network ${ref} not found`, 'NotFound');
    return n;
  };
  return [
    {
      method: 'GET', path: '/networks', handler: async (req, res) => {
        const f = req.filters();
        res.json(200, net.store.list().filter((n) => matches(n, f)).map((n) => view(n, {})));
      },
    },
    { method: 'GET', path: '/networks/:id', handler: async (req, res) => { const n = get(req.params.id!); res.json(200, view(n, net.members(n))); } },
    {
      method: 'POST', path: '/networks/create', handler: async (req, res) => {
        const b = await req.json<{ Name?: string; Driver?: string; Internal?: boolean; IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] }; Labels?: Record<string, string>; Options?: Record<string, string> }>();
        if (!b.Name) throw new EngineError('network name is required (Name)', 'InvalidArgument');
        const ipam = b.IPAM?.Config?.[0];
        let n: NetworkResource;
        try {
          n = net.store.create(b.Name, {
            ...(b.Driver ? { driver: b.Driver } : {}), ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}), ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
            internal: b.Internal === true, labels: b.Labels ?? {}, options: b.Options ?? {},
          });
        } catch (e) {
          throw engineErrorOf(e);
        }
        events.publish('network', 'create', n.Id, { name: n.Name, type: n.Driver });
        res.json(201, { Id: n.Id, Warning: '' });
      },
    },
    {
      method: 'DELETE', path: '/networks/:id', handler: async (req, res) => {
        const n = get(req.params.id!);
        try {
          await net.removeNetwork(n);
        } catch (e) {
          throw engineErrorOf(e);
        }
        events.publish('network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/networks/:id/connect', handler: async (req, res) => {
        const n = get(req.params.id!);
        const b = await req.json<{ Container?: string; EndpointConfig?: EndpointConfig | null }>();
        if (!b.Container) throw new EngineError('no container given (Container): name the container to connect', 'InvalidArgument');
        await connectContainer({ net, locks, events }, n, b.Container, b.EndpointConfig ?? {});
        res.status(200);
      },
    },
    {
      method: 'POST', path: '/networks/:id/disconnect', handler: async (req, res) => {
        const b = await req.json<{ Container?: string; Force?: boolean }>();
        if (!b.Container) throw new EngineError('no container given (Container): name the container to disconnect', 'InvalidArgument');
        const n = net.store.find(req.params.id!);
        if (!n && !b.Force) throw new EngineError(`network ${req.params.id!} not found`, 'NotFound');
        await disconnectContainer({ net, locks, events }, n, req.params.id!, b.Container, b.Force === true);
        res.status(200);
      },
    },
    {
      method: 'POST', path: '/networks/prune', handler: async (req, res) => {
        const f = req.filters();
        const deleted: string[] = [];
        for (const n of net.store.list()) {
          if (BUILTIN.has(n.Name) || !matches(n, new Map([...f].filter(([k]) => k === 'label')))) continue;
          if (net.users(n).length) continue;
          try {
            await net.removeNetwork(n);
            deleted.push(n.Name);
            events.publish('network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
          } catch {
            /* in use: kept */
          }
        }
        res.json(200, { NetworksDeleted: deleted });
      },
    },
  ];
}
