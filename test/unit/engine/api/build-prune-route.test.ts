// POST /build/prune over a temp image store: Docker's report shape, the delete events of the step images it
// removes, `until` as a Go duration, and the refusals (space limits, other filters, bad durations) as 400s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BuildCache } from '../../../../src/build/builder/cache.js';
import { createEventBus } from '../../../../src/engine/events/bus.js';
import { buildPruneRoutes } from '../../../../src/engine/routes/build-prune.js';
import type { EngineServices } from '../../../../src/engine/services.js';
import { makeImage, recordIds, tempImages } from '../../image/ops/build-chain-fixture.js';
import { startTestServer } from './helpers.js';

test('POST /build/prune answers CachesDeleted and SpaceReclaimed, and refuses what Berth does not do', async (t) => {
  const { ctx, root } = await tempImages(t);
  const base = await makeImage(ctx, undefined, 'base', { name: 'docker.io/library/base:latest' });
  const step = await makeImage(ctx, base, 'RUN one'); // a dangling step image with its entry
  await new BuildCache(path.join(root, 'build', 'cache')).store('k1', { id: step.id, target: step.target });
  const events = createEventBus();
  const srv = await startTestServer(buildPruneRoutes({ images: ctx, events } as unknown as EngineServices));
  t.after(() => srv.close());

  for (const [query, message] of [
    ['keep-storage=1000', /keep-storage is not supported/],
    [`filters=${encodeURIComponent('{"type":{"regular":true}}')}`, /the "type" filter is not supported by Berth; use until=DURATION/],
    [`filters=${encodeURIComponent('{"until":{"yesterday":true}}')}`, /"until" filter expects a duration \(e\.g\., '24h'\)/],
  ] as const) {
    const r = await srv.request('POST', `/v1.47/build/prune?${query}`);
    assert.equal(r.status, 400, r.text);
    assert.match(JSON.parse(r.text).message, message);
  }
  const spared = await srv.request('POST', `/v1.47/build/prune?filters=${encodeURIComponent('{"until":{"1h":true}}')}`);
  assert.deepEqual(JSON.parse(spared.text), { CachesDeleted: null, SpaceReclaimed: 0 });

  const r = await srv.request('POST', '/v1.47/build/prune?all=1');
  assert.equal(r.status, 200);
  const report = JSON.parse(r.text) as { CachesDeleted: string[]; SpaceReclaimed: number };
  assert.deepEqual(report.CachesDeleted, ['k1', step.id]);
  assert.ok(report.SpaceReclaimed > 0);
  assert.deepEqual(await recordIds(ctx), [base.id]);
  assert.deepEqual(events.history(0n).map((e) => [e.Type, e.Action, e.Actor.ID]), [['image', 'delete', step.id]]);
});
