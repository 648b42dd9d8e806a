// Garbage collection: blobs and layer snapshots that no image, container snapshot or in-flight operation
// (lease) refers to are removed. Run after rmi and prune; safe while pulls run (their leases protect them).
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { isIndexType } from '../media-types.js';
import type { ImageIndex, ImageManifest, ImageConfig } from '../manifest/types.js';
import { chainIds } from '../manifest/chain-id.js';
import { activeLeaseResources } from '../content/leases.js';
import { collectGarbage } from '../content/gc.js';
import { readJsonBlob } from './local-image.js';

export interface GcResult {
  blobs: Digest[];
  snapshots: string[];
  bytes: number;
}

/** Removes unreferenced snapshots (children first) and blobs. */
export async function garbageCollect(ctx: ImageContext): Promise<GcResult> {
  const keepBlobs = new Set<string>();
  const keepSnapshots = new Set<string>();
  const walk = async (digest: Digest, mediaType: string | undefined): Promise<void> => {
    if (keepBlobs.has(digest) || !(await ctx.content.has(digest))) return;
    keepBlobs.add(digest);
    const doc = await readJsonBlob<ImageIndex & ImageManifest>(ctx.content, digest, 'manifest').catch(() => undefined);
    if (!doc) return;
    if (isIndexType(mediaType ?? doc.mediaType) || Array.isArray(doc.manifests)) {
      for (const m of doc.manifests ?? []) await walk(m.digest, m.mediaType);
      return;
    }
    if (!doc.config) return;
    keepBlobs.add(doc.config.digest);
    for (const l of doc.layers ?? []) keepBlobs.add(l.digest);
    const config = await readJsonBlob<ImageConfig>(ctx.content, doc.config.digest, 'image config').catch(() => undefined);
    for (const c of chainIds(config?.rootfs?.diff_ids ?? [])) keepSnapshots.add(c);
  };
  for (const rec of await ctx.images.list()) await walk(rec.target.digest, rec.target.mediaType);
  for (const r of await activeLeaseResources(ctx.contentRoot)) {
    keepBlobs.add(r);
    keepSnapshots.add(r);
  }

  const all = await ctx.snapshots.list();
  const parentOf = new Map(all.map((s) => [s.key, s.parent]));
  // Containers' and builds' snapshots keep their whole parent chain.
  for (const s of all) {
    if (s.kind === 'committed') continue;
    keepSnapshots.add(s.key);
    for (let p = s.parent; p; p = parentOf.get(p)) keepSnapshots.add(p);
  }
  const removedSnapshots: string[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    const live = (await ctx.snapshots.list()).filter((s) => !removedSnapshots.includes(s.key));
    const hasChild = new Set(live.map((s) => s.parent).filter(Boolean));
    for (const s of live) {
      if (keepSnapshots.has(s.key) || hasChild.has(s.key)) continue;
      await ctx.snapshots.remove(s.key);
      removedSnapshots.push(s.key);
      progress = true;
    }
  }
  const { removed, bytes } = await collectGarbage(ctx.content, ctx.contentRoot, keepBlobs);
  return { blobs: removed, snapshots: removedSnapshots, bytes };
}
