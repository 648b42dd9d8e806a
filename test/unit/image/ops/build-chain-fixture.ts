// Images shaped like the builder's, made directly in a temp image store (copy snapshotter, no mounts): a named
// base, step images with `<none>@id` records labelled with their parent, committed layer snapshots by chain id.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { openImageContext, type Descriptor, type ImageContext } from '../../../../src/image/index.js';
import { chainIds } from '../../../../src/image/manifest/chain-id.js';
import type { Digest } from '../../../../src/image/digest.js';

export const BUILD_PARENT_LABEL = 'berth.build.parent';

export interface Img {
  id: string;
  target: Descriptor;
  history: { created_by: string; empty_layer?: boolean }[];
  diffIds: Digest[];
  chain: Digest[];
}

const digest = (b: Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A temp image context; removed after the test. */
export async function tempImages(t: { after(fn: () => void): void }): Promise<{ ctx: ImageContext; root: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rmparents-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return { ctx: await openImageContext({ root, snapshotter: 'copy' }), root };
}

/**
 * One image on `parent`: a step `createdBy` adding a layer (or not); recorded under `name` (a base, a tag) or as
 * a build step's `<none>@id` labelled with its parent's id.
 */
export async function makeImage(
  ctx: ImageContext,
  parent: Img | undefined,
  createdBy: string,
  opts: { layer?: boolean; name?: string } = {},
): Promise<Img> {
  const layer = opts.layer ?? true;
  const diffIds = [...(parent?.diffIds ?? []), ...(layer ? [digest(randomBytes(16))] : [])];
  const history = [...(parent?.history ?? []), { created_by: createdBy, ...(layer ? {} : { empty_layer: true }) }];
  const config = Buffer.from(JSON.stringify({
    architecture: ctx.platform.architecture, os: ctx.platform.os, created: new Date().toISOString(),
    rootfs: { type: 'layers', diff_ids: diffIds }, history, config: {},
  }));
  const id = digest(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: id, size: config.length },
    layers: diffIds.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: 1000 })),
  }));
  await ctx.content.put(config, id);
  await ctx.content.put(manifest, digest(manifest));
  const target: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length };
  const chain = chainIds(diffIds);
  if (layer) {
    const key = `tmp-${randomBytes(4).toString('hex')}`;
    await ctx.snapshots.prepare(key, parent?.chain.at(-1));
    await ctx.snapshots.commit(chain.at(-1)!, key);
  }
  if (opts.name) await ctx.images.put({ name: opts.name, target });
  else await ctx.images.put({ name: `<none>@${id}`, target, labels: { [BUILD_PARENT_LABEL]: parent?.id ?? '' } });
  return { id, target, history, diffIds, chain };
}

/** The ids of the images in the store. */
export async function recordIds(ctx: ImageContext): Promise<string[]> {
  const { imageGroups } = await import('../../../../src/image/index.js');
  return (await imageGroups(ctx)).map((g) => g.id).sort();
}

/** The committed snapshot keys. */
export async function layerKeys(ctx: ImageContext): Promise<string[]> {
  return (await ctx.snapshots.list()).filter((s) => s.kind === 'committed').map((s) => s.key).sort();
}
