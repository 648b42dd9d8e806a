// The build cache's garbage collection: entries whose image is gone are swept (damaged ones and dead temp files
// too), and builder prune removes the dangling cache (entries of step images nothing needs, with the images)
// or, with all, every entry while the images a tagged build rests on stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BuildCache } from '../../../../src/build/builder/cache.js';
import { pruneBuildCache, sweepBuildCache } from '../../../../src/build/builder/cache-gc.js';
import { CopyFromMemo, copyFromMemoDir } from '../../../../src/build/builder/copy-from-memo.js';
import { acquireCacheMount } from '../../../../src/build/run/cache-mounts.js';
import { removeImage, tagImage, type ImageContext } from '../../../../src/image/index.js';
import { makeImage, recordIds, tempImages, type Img } from '../../image/ops/build-chain-fixture.js';

async function chainWithCache(ctx: ImageContext, root: string): Promise<{ cache: BuildCache; dir: string; base: Img; steps: Img[] }> {
  const base = await makeImage(ctx, undefined, 'base', { name: 'docker.io/library/base:latest' });
  const s1 = await makeImage(ctx, base, 'RUN one');
  const s2 = await makeImage(ctx, s1, 'RUN two');
  await tagImage(ctx, s2.id, 'app:1');
  // The builder's state dir is <root>/build beside <root>/image.
  const dir = path.join(root, 'build', 'cache');
  const cache = new BuildCache(dir);
  await cache.store('k1', { id: s1.id, target: s1.target });
  await cache.store('k2', { id: s2.id, target: s2.target });
  return { cache, dir, base, steps: [s1, s2] };
}

const keys = async (cache: BuildCache) => (await cache.list()).map((e) => e.key).sort();

test('the sweep keeps entries of existing images and removes those of deleted ones, damaged ones and dead temp files', async (t) => {
  const { ctx, root } = await tempImages(t);
  const { cache, dir } = await chainWithCache(ctx, root);
  fs.writeFileSync(path.join(dir, 'broken.json'), '{not json');
  const deadTemp = path.join(dir, 'k9.json.abcd.tmp');
  fs.writeFileSync(deadTemp, '{}');
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(deadTemp, hourAgo, hourAgo);
  const liveTemp = path.join(dir, 'k8.json.ef01.tmp');
  fs.writeFileSync(liveTemp, '{}');

  assert.deepEqual(await sweepBuildCache(ctx), ['broken']);
  assert.deepEqual(await keys(cache), ['k1', 'k2']);
  assert.ok(!fs.existsSync(deadTemp) && fs.existsSync(liveTemp), 'only the old temp file goes');

  await removeImage(ctx, 'app:1');
  assert.deepEqual((await sweepBuildCache(ctx)).sort(), ['k1', 'k2']);
  assert.deepEqual(await keys(cache), []);
  assert.deepEqual(await sweepBuildCache(ctx), [], 'nothing left to sweep');
});

test('a sweep of a root without a build cache does nothing', async (t) => {
  const { ctx } = await tempImages(t);
  assert.deepEqual(await sweepBuildCache(ctx), []);
});

test('builder prune: dangling cache goes with its step images; -a removes every entry but keeps what a tag needs', async (t) => {
  const { ctx, root } = await tempImages(t);
  const { cache, base, steps: [s1, s2] } = await chainWithCache(ctx, root);
  // A dangling step image (a failed build's last step) with its entry.
  const failed = await makeImage(ctx, s1!, 'RUN failed-next');
  await cache.store('k3', { id: failed.id, target: failed.target });

  const r = await pruneBuildCache(ctx);
  assert.deepEqual(r.cachesDeleted, ['k3', failed.id]);
  assert.deepEqual(r.imagesDeleted, [failed.id]);
  assert.ok(r.reclaimed > 0);
  assert.deepEqual(await keys(cache), ['k1', 'k2']);

  const all = await pruneBuildCache(ctx, { all: true });
  assert.deepEqual(all.cachesDeleted, ['k1', 'k2']);
  assert.deepEqual(all.imagesDeleted, []);
  assert.deepEqual(await keys(cache), []);
  assert.deepEqual(await recordIds(ctx), [base.id, s1!.id, s2!.id].sort(), 'the tagged image and its parents stay');
});

test('builder prune with until spares entries and step images newer than the limit', async (t) => {
  const { ctx, root } = await tempImages(t);
  const { cache, steps: [s1] } = await chainWithCache(ctx, root);
  const failed = await makeImage(ctx, s1!, 'RUN failed-next');
  await cache.store('k3', { id: failed.id, target: failed.target });
  const r = await pruneBuildCache(ctx, { all: true, until: Date.now() - 3_600_000 });
  assert.deepEqual(r.cachesDeleted, []);
  assert.deepEqual(await keys(cache), ['k1', 'k2', 'k3']);
});

test('builder prune removes the cache mounts no step holds; a sweep drops the COPY --from memo of a deleted image', async (t) => {
  const { ctx, root } = await tempImages(t);
  const { steps: [s1] } = await chainWithCache(ctx, root);
  const stateDir = path.join(root, 'build');
  const held = await acquireCacheMount(stateDir, { id: '/root/.cache', sharing: 'shared', mode: 0o755, uid: 0, gid: 0 });
  const idle = await acquireCacheMount(stateDir, { id: '/var/cache/apt', sharing: 'locked', mode: 0o755, uid: 0, gid: 0 });
  fs.writeFileSync(path.join(idle.dir, 'pkg.deb'), 'x'.repeat(1000));
  idle.release();
  const result = await pruneBuildCache(ctx, {});
  assert.ok(result.cachesDeleted.includes(`cachemount:${path.basename(idle.dir)}`), JSON.stringify(result.cachesDeleted));
  assert.ok(result.reclaimed >= 1000);
  assert.ok(!fs.existsSync(idle.dir), 'the idle cache mount is gone');
  assert.ok(fs.existsSync(held.dir), 'a cache mount a running step holds stays');
  held.release();

  const memo = new CopyFromMemo(copyFromMemoDir(stateDir));
  memo.set(s1!.id, { sources: ['/x'] }, { key: { checksum: 'c' }, comment: 'COPY file:c in /x ' });
  memo.set('sha256:' + 'f'.repeat(64), { sources: ['/y'] }, { key: { checksum: 'd' }, comment: 'COPY file:d in /y ' });
  await sweepBuildCache(ctx);
  assert.deepEqual(memo.get(s1!.id, { sources: ['/x'] })?.comment, 'COPY file:c in /x ', 'an existing image keeps its memo');
  assert.deepEqual(fs.readdirSync(copyFromMemoDir(stateDir)), [s1!.id.slice(7)], 'the unknown image\'s memo is gone');
});
