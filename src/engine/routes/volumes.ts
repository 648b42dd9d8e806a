// /volumes: create, list, inspect, remove, prune (the local driver).
import type { Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { EventBus } from '../services.js';
import { matchesLabel, type Volume, type VolumeStore } from '../volumes/store.js';

/** Docker's view of a volume (our Anonymous marker is kept out of it, usage data only when asked). */
function view(v: Volume, usage?: { size: number; refs: number }): Record<string, unknown> {
  const { Anonymous: _a, ...rest } = v;
  void _a;
  return { ...rest, ...(usage ? { UsageData: { Size: usage.size, RefCount: usage.refs } } : {}) };
}

export function volumeRoutes(volumes: VolumeStore, events: EventBus, users: (name: string) => string[]): Route[] {
  return [
    {
      method: 'POST', path: '/volumes/create', handler: async (req, res) => {
        const b = await req.json<{ Name?: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> }>();
        const { volume, created } = volumes.create({ ...(b.Name ? { name: b.Name } : {}), ...(b.Driver ? { driver: b.Driver } : {}), ...(b.DriverOpts ? { driverOpts: b.DriverOpts } : {}), ...(b.Labels ? { labels: b.Labels } : {}) });
        if (created) events.publish('volume', 'create', volume.Name, { driver: 'local' });
        res.json(201, view(volume));
      },
    },
    {
      method: 'GET', path: '/volumes', handler: async (req, res) => {
        const f = req.filters();
        const list = volumes.list().filter((v) => {
          for (const [k, vals] of f) {
            if (k === 'name' && !vals.some((n) => v.Name.includes(n))) return false;
            if (k === 'label' && !vals.every((l) => matchesLabel(v.Labels, l))) return false;
            if (k === 'driver' && !vals.includes(v.Driver)) return false;
            if (k === 'dangling') {
              const want = vals.some((x) => x === 'true' || x === '1');
              if ((users(v.Name).length === 0) !== want) return false;
            }
            if (!['name', 'label', 'driver', 'dangling'].includes(k)) throw new EngineError(`invalid filter '${k}'`, 'InvalidArgument');
          }
          return true;
        });
        res.json(200, { Volumes: list.map((v) => view(v)), Warnings: [] });
      },
    },
    { method: 'GET', path: '/volumes/:name', handler: async (req, res) => res.json(200, view(volumes.get(req.params.name!))) },
    {
      method: 'DELETE', path: '/volumes/:name', handler: async (req, res) => {
        volumes.remove(req.params.name!, req.bool('force'));
        events.publish('volume', 'destroy', req.params.name!, { driver: 'local' });
        res.noContent();
      },
    },
    {
      method: 'POST', path: '/volumes/prune', handler: async (req, res) => {
        const f = req.filters();
        const all = (f.get('all') ?? []).some((x) => x === 'true' || x === '1');
        const result = volumes.prune({ all, labels: f.get('label') ?? [] });
        for (const name of result.VolumesDeleted) events.publish('volume', 'destroy', name, { driver: 'local' });
        res.json(200, result);
      },
    },
  ];
}

export { view as volumeView };
