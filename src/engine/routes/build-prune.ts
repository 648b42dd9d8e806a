// POST /build/prune (`docker builder prune [-a] [--filter until=…]`): the legacy builder's cache is its step
// images and the cache entries pointing at them (src/build/builder/cache-gc.ts). Answers Docker's
// `{"CachesDeleted": [ids], "SpaceReclaimed": bytes}`; each step image deleted is an image `delete` event.
import { parseGoDuration, pruneBuildCache } from '../../build/index.js';
import type { ApiRequest, ApiResponse, Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { EngineServices } from '../services.js';

/** The /build/prune route. */
export function buildPruneRoutes(services: EngineServices): Route[] {
  return [{ method: 'POST', path: '/build/prune', handler: (req, res) => prune(services, req, res) }];
}

// Sizes the CLI sends only when given (--keep-storage and newer clients' space limits): Berth keeps no budget.
const SPACE_PARAMS = ['keep-storage', 'reserved-space', 'max-used-space', 'min-free-space'];

/** The `until` filter (dockerd also takes its old name `unused-for`): a Go duration back from now. */
function untilOf(filters: Map<string, string[]>, now: number): number | undefined {
  let until: number | undefined;
  for (const [key, values] of filters) {
    if (key !== 'until' && key !== 'unused-for') {
      throw new EngineError(`builder prune: the "${key}" filter is not supported by Berth; use until=DURATION (e.g. until=24h) or no filter`, 'InvalidArgument');
    }
    if (values.length > 1) throw new EngineError(`builder prune: give the "${key}" filter once`, 'InvalidArgument');
    if (!values.length) continue;
    try {
      until = now - parseGoDuration(values[0]!) / 1e6;
    } catch (e) {
      throw new EngineError(`builder prune: "${key}" filter expects a duration (e.g., '24h'): ${(e as Error).message}`, 'InvalidArgument');
    }
  }
  return until;
}

async function prune(services: EngineServices, req: ApiRequest, res: ApiResponse): Promise<void> {
  for (const p of SPACE_PARAMS) {
    const v = req.query.get(p);
    if (v && v !== '0') throw new EngineError(`builder prune: ${p} is not supported by Berth (it keeps no cache budget); prune without it`, 'InvalidArgument');
  }
  const until = untilOf(req.filters(), Date.now());
  const result = await pruneBuildCache(services.images, { all: req.bool('all'), ...(until !== undefined ? { until } : {}) });
  for (const id of result.imagesDeleted) services.events.publish('image', 'delete', id, { name: id });
  res.json(200, { CachesDeleted: result.cachesDeleted.length ? result.cachesDeleted : null, SpaceReclaimed: result.reclaimed });
}
