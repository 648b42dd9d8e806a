// rmi and image prune with build parents, as dockerd: deleting an image deletes its untagged parents that have
// no other child and no user (not with noprune); layers are listed after the image that held them last;
// an image others were built on cannot be deleted by id and stays unnamed when its last tag goes; prune
// removes heads only; builder prune's step-image removal spares what tagged images rest on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE_LABEL, imageGroups, listImages, pruneBuildImages, pruneImages, removeImage, tagImage, type ImageContext } from '../../../../src/image/index.js';
import { buildParents } from '../../../../src/image/ops/image-view.js';
import { prunableParents, withLayerItems } from '../../../../src/image/ops/remove.js';
import { layerKeys, makeImage, recordIds, tempImages, type Img } from './build-chain-fixture.js';

/** busybox-like base (named), then RUN (layer), CMD (no layer), RUN (layer) tagged app:1, as a build leaves them. */
async function buildChain(ctx: ImageContext, tag = 'app:1'): Promise<{ base: Img; s1: Img; s2: Img; s3: Img }> {
  const base = await makeImage(ctx, undefined, 'base', { name: 'docker.io/library/base:latest' });
  const s1 = await makeImage(ctx, base, 'RUN one');
  const s2 = await makeImage(ctx, s1, 'CMD ["x"]', { layer: false });
  const s3 = await makeImage(ctx, s2, 'RUN three');
  await tagImage(ctx, s3.id, tag);
  return { base, s1, s2, s3 };
}

const deleted = (id: string) => ({ Deleted: id });

test('prunableParents walks up until a parent is kept or has another child', () => {
  const parents = new Map([['c', 'b'], ['b', 'a'], ['a', 'base'], ['d', 'a']]);
  assert.deepEqual(prunableParents('c', parents, () => false, new Set()), ['b']); // a has another child, d
  assert.deepEqual(prunableParents('c', parents, () => false, new Set(['d'])), ['b', 'a', 'base']);
  assert.deepEqual(prunableParents('c', parents, (p) => p === 'a', new Set(['d'])), ['b']);
  assert.deepEqual(prunableParents('base', parents, () => false, new Set()), []);
  // A cycle in damaged labels ends the walk instead of looping.
  assert.deepEqual(prunableParents('x', new Map([['x', 'y'], ['y', 'x']]), () => false, new Set()), ['y']);
});

test('withLayerItems puts each layer after the last deleted image that held it, top layer first', () => {
  const items = [{ Untagged: 'app:1' }, deleted('c'), deleted('b'), deleted('a')];
  const out = withLayerItems(items, [
    { id: 'c', chainIds: ['L0', 'L1', 'L2'] },
    { id: 'b', chainIds: ['L0', 'L1'] },
    { id: 'a', chainIds: ['L0', 'L1'] },
  ], ['L2', 'L1', 'stray']);
  assert.deepEqual(out, [{ Untagged: 'app:1' }, deleted('c'), deleted('L2'), deleted('b'), deleted('a'), deleted('L1'), deleted('stray')]);
});

test('parents come from the step labels, and by history prefix for a tagged image; images -a shows the intermediates', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  const parents = buildParents(await imageGroups(ctx));
  assert.deepEqual(Object.fromEntries(parents), { [s1.id]: base.id, [s2.id]: s1.id, [s3.id]: s2.id });
  assert.deepEqual((await listImages(ctx)).map((i) => i.Id).sort(), [base.id, s3.id].sort());
  assert.equal((await listImages(ctx, { all: true })).length, 4);
});

test('rmi of a built image deletes its untagged parents and their layers in docker\'s order; the base stays', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  const items = await removeImage(ctx, 'app:1');
  assert.deepEqual(items, [
    { Untagged: 'app:1' }, deleted(s3.id), deleted(s3.chain[2]!), deleted(s2.id), deleted(s1.id), deleted(s1.chain[1]!),
  ]);
  assert.deepEqual(await recordIds(ctx), [base.id]);
  assert.deepEqual(await layerKeys(ctx), [base.chain[0]]);
});

test('rmi --no-prune keeps the parents; the last one left becomes a visible <none> image', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  assert.deepEqual(await removeImage(ctx, 'app:1', { prune: false }), [{ Untagged: 'app:1' }, deleted(s3.id), deleted(s3.chain[2]!)]);
  assert.deepEqual(await recordIds(ctx), [base.id, s1.id, s2.id].sort());
  assert.deepEqual((await listImages(ctx)).map((i) => i.Id).sort(), [base.id, s2.id].sort());
});

test('parent pruning stops at a parent with another child, and at one a container uses', async (t) => {
  const { ctx } = await tempImages(t);
  const { s1, s2, s3 } = await buildChain(ctx);
  const s3b = await makeImage(ctx, s2, 'RUN other');
  await tagImage(ctx, s3b.id, 'app:2');
  assert.deepEqual(await removeImage(ctx, 'app:1'), [{ Untagged: 'app:1' }, deleted(s3.id), deleted(s3.chain[2]!)]);
  // A container on s1 (an active snapshot labelled with it).
  await ctx.snapshots.prepare('ctr-1', s1.chain.at(-1), { [IMAGE_LABEL]: s1.id });
  t.after(() => ctx.snapshots.remove('ctr-1').catch(() => undefined));
  // s2 shares s1's top layer, so the container is on it too: pruning stops right there.
  assert.deepEqual(await removeImage(ctx, 'app:2'), [{ Untagged: 'app:2' }, deleted(s3b.id), deleted(s3b.chain[2]!)]);
  assert.ok((await recordIds(ctx)).includes(s2.id) && (await recordIds(ctx)).includes(s1.id));
});

test('an image others were built on: refused by id; by its last name it is untagged and stays hidden until its children go', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  await assert.rejects(removeImage(ctx, s1.id, { force: true }), /conflict: unable to delete [0-9a-f]{12} \(cannot be forced\) - image has dependent child images/);
  assert.deepEqual(await removeImage(ctx, 'base'), [{ Untagged: 'base:latest' }]);
  assert.ok((await recordIds(ctx)).includes(base.id));
  assert.deepEqual((await listImages(ctx)).map((i) => i.Id), [s3.id]);
  const items = await removeImage(ctx, 'app:1');
  assert.deepEqual(items.filter((i) => 'Deleted' in i && [s3.id, s2.id, s1.id, base.id].includes(i.Deleted)), [s3, s2, s1, base].map((i) => deleted(i.id)));
  assert.deepEqual(await recordIds(ctx), []);
  assert.deepEqual(await layerKeys(ctx), []);
});

test('image prune removes dangling heads with their parents, never the intermediates of a tagged image', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  // A failed build's last good step (an unnamed head), and the old image a moved tag left behind.
  const failed = await makeImage(ctx, s1, 'RUN failed-next');
  const newer = await makeImage(ctx, s2, 'RUN three v2');
  await tagImage(ctx, newer.id, 'app:1');
  const { items } = await pruneImages(ctx);
  const ids = items.flatMap((i) => ('Deleted' in i ? [i.Deleted] : []));
  assert.ok(ids.includes(failed.id) && ids.includes(s3.id), ids.join(' '));
  assert.deepEqual(await recordIds(ctx), [base.id, s1.id, s2.id, newer.id].sort());
  // -a: everything no container uses, the named base after its last child.
  await pruneImages(ctx, { all: true });
  assert.deepEqual(await recordIds(ctx), []);
  assert.deepEqual(await layerKeys(ctx), []);
});

test('pruneBuildImages deletes unneeded step images only, children first', async (t) => {
  const { ctx } = await tempImages(t);
  const { base, s1, s2, s3 } = await buildChain(ctx);
  assert.deepEqual((await pruneBuildImages(ctx)).deleted, [], 'a tagged image keeps its parents');
  await removeImage(ctx, 'app:1', { prune: false });
  const r = await pruneBuildImages(ctx);
  assert.deepEqual(r.deleted, [s2.id, s1.id]);
  assert.ok(r.reclaimed > 0);
  assert.deepEqual(await recordIds(ctx), [base.id]);
  assert.deepEqual(await layerKeys(ctx), [base.chain[0]]);
  void s3;
});
