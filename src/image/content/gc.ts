// Garbage collection of the content store: committed blobs nothing keeps (the caller computes `keep` from
// image records) and no live lease protects, and ingests abandoned long ago (a resume is still possible
// within `ingestMaxAgeMs`, so a killed pull re-run the same day does not download again).
import fs from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import type { ContentStore } from './types.js';
import { lockHolder } from './file-lock.js';
import { activeLeaseResources } from './leases.js';

export const DEFAULT_INGEST_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface GcResult {
  removed: Digest[];
  /** Bytes freed: removed blobs plus removed ingest data. */
  bytes: number;
  /** Ingest directories removed (names under `<root>/ingest`). */
  ingests: string[];
}

/** Size and latest mtime of the files directly in a directory. */
function dirUsage(dir: string): { bytes: number; mtimeMs: number } {
  let bytes = 0;
  let mtimeMs = fs.statSync(dir).mtimeMs;
  for (const name of fs.readdirSync(dir)) {
    try {
      const st = fs.lstatSync(path.join(dir, name));
      bytes += st.size;
      mtimeMs = Math.max(mtimeMs, st.mtimeMs);
    } catch {
      // removed meanwhile
    }
  }
  return { bytes, mtimeMs };
}

/** Removes unreferenced, unleased blobs and stale ingests of the store rooted at `root`. */
export async function collectGarbage(
  store: ContentStore,
  root: string,
  keep: Set<string>,
  options: { ingestMaxAgeMs?: number; now?: number } = {},
): Promise<GcResult> {
  const maxAge = options.ingestMaxAgeMs ?? DEFAULT_INGEST_MAX_AGE_MS;
  const now = options.now ?? Date.now();
  const leased = await activeLeaseResources(root);
  const result: GcResult = { removed: [], bytes: 0, ingests: [] };

  for (const blob of await store.list()) {
    if (keep.has(blob.digest) || leased.has(blob.digest)) continue;
    try {
      await store.delete(blob.digest);
    } catch {
      continue; // deleted by someone else meanwhile
    }
    result.removed.push(blob.digest);
    result.bytes += blob.size;
  }

  const ingestDir = path.join(root, 'ingest');
  let names: string[] = [];
  try {
    names = fs.readdirSync(ingestDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of names) {
    const dir = path.join(ingestDir, name);
    try {
      const lock = path.join(dir, 'lock');
      if (lockHolder(lock)) continue; // a live writer
      const usage = dirUsage(dir);
      // A temp ingest (content of unknown digest) cannot be resumed: once its writer is gone it is garbage.
      const deadTemp = name.startsWith('tmp-') && fs.existsSync(lock);
      if (!deadTemp && now - usage.mtimeMs <= maxAge) continue; // recent: may still be resumed
      fs.rmSync(dir, { recursive: true, force: true });
      result.ingests.push(name);
      result.bytes += usage.bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return result;
}
