// Garbage collection of the build cache. A cache entry only points at a step's image (cache.ts): once that
// image is gone the entry can never hit again, so removals of images sweep such entries (and the daemon does at
// start). `builder prune` removes entries and the build-step images nothing else needs.
import fs from 'node:fs';
import path from 'node:path';
import { imageGroups, pruneBuildImages, type DeleteItem, type ImageContext } from '../../image/index.js';
import { BuildCache } from './cache.js';
import { buildStateDir } from './build-image.js';
import { copyFromMemoDir } from './copy-from-memo.js';
import { cacheMountsDir, isCacheMountInUse } from '../run/cache-mounts.js';

// A cache store's temp file older than this belongs to a build that died before its rename.
const STALE_TEMP_MS = 10 * 60_000;

function cacheOf(ctx: ImageContext, stateDir: string | undefined): BuildCache {
  return new BuildCache(path.join(stateDir ?? buildStateDir(ctx), 'cache'));
}

/** Removes the cache entries whose image no longer exists (and damaged ones); returns their keys. */
async function removeStale(ctx: ImageContext, cache: BuildCache): Promise<{ keys: string[]; bytes: number }> {
  // Entries are listed before the images: a build records its step image before the entry, so an entry
  // whose image is missing from the later list is really stale (not one a running build just wrote).
  const entries = await cache.list();
  await cache.removeStaleTemps(STALE_TEMP_MS);
  if (!entries.length) return { keys: [], bytes: 0 };
  const ids = new Set((await imageGroups(ctx)).map((g) => g.id));
  const keys: string[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (e.entry && ids.has(e.entry.id)) continue;
    await cache.remove(e.key);
    keys.push(e.key);
    bytes += e.bytes;
  }
  removeStaleCopyFromMemos(path.dirname(cache.dir), ids);
  return { keys, bytes };
}

// The COPY --from memo keeps a directory per source image id; an image that is gone takes its directory along.
function removeStaleCopyFromMemos(stateDir: string, ids: ReadonlySet<string>): void {
  const dir = copyFromMemoDir(stateDir);
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!ids.has(`sha256:${name}`)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Bytes under `dir` (lstat sizes; links not followed). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : fs.lstatSync(p).size;
  }
  return total;
}

/** RUN --mount=type=cache directories no running step holds (and older than `until`): docker builder prune's. */
function pruneCacheMounts(stateDir: string, old: (ms: number) => boolean): { ids: string[]; bytes: number } {
  const dir = cacheMountsDir(stateDir);
  const ids: string[] = [];
  let bytes = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isDirectory() || isCacheMountInUse(p) || !old(st.mtimeMs)) continue;
    bytes += treeBytes(p);
    fs.rmSync(p, { recursive: true, force: true });
    ids.push(`cachemount:${name}`);
  }
  return { ids, bytes };
}

/** Deletes the build cache entries whose image is gone; returns their keys. Run after images are removed. */
export async function sweepBuildCache(ctx: ImageContext, stateDir?: string): Promise<string[]> {
  return (await removeStale(ctx, cacheOf(ctx, stateDir))).keys;
}

export interface BuildCachePruneOptions {
  /** Every entry, not only those whose image goes (docker builder prune -a). */
  all?: boolean;
  /** Unix ms: entries stored and step images created after it stay (the `until` filter). */
  until?: number;
  stateDir?: string;
}

export interface BuildCachePruneResult {
  /** Cache entry keys, then the ids of the step images deleted. */
  cachesDeleted: string[];
  /** Docker's rmi items for the step images and their layers. */
  items: DeleteItem[];
  /** Image ids deleted. */
  imagesDeleted: string[];
  reclaimed: number;
}

/**
 * `docker builder prune`: the build-step images no tag, container or other image needs are deleted with their
 * cache entries (Docker's "dangling" build cache); with `all` every entry goes, so the next build of anything
 * runs every step again (the images tagged builds rest on stay).
 */
export async function pruneBuildCache(ctx: ImageContext, options: BuildCachePruneOptions = {}): Promise<BuildCachePruneResult> {
  const cache = cacheOf(ctx, options.stateDir);
  const old = (ms: number) => options.until === undefined || ms <= options.until;
  const keys: string[] = [];
  let bytes = 0;
  if (options.all) {
    for (const e of await cache.list()) {
      if (!old(e.mtimeMs)) continue;
      await cache.remove(e.key);
      keys.push(e.key);
      bytes += e.bytes;
    }
  }
  const images = await pruneBuildImages(ctx, (g) => !old(Date.parse(g.image.config.created ?? '') || 0));
  const stale = await removeStale(ctx, cache);
  const mounts = pruneCacheMounts(options.stateDir ?? buildStateDir(ctx), old);
  return {
    cachesDeleted: [...keys, ...stale.keys, ...images.deleted, ...mounts.ids],
    items: images.items,
    imagesDeleted: images.deleted,
    reclaimed: images.reclaimed + bytes + stale.bytes + mounts.bytes,
  };
}
