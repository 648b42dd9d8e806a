// The build cache: step key (parent image id + the expanded instruction + COPY/ADD content checksums) → the
// image that step produced, one JSON file per key under `<build state>/cache/`, so it survives a daemon restart.
// A hit is used only when that image is still loadable with all its layers unpacked.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { loadLocalImage, type Descriptor, type ImageContext } from '../../image/index.js';
import type { ImageState } from './types.js';
import { unlinkIfExists } from '../../common/remove-tree.js';

export interface CacheEntry {
  id: string;
  target: Descriptor;
}

/** The cache key of a step: what Docker compares (parent image, the instruction after substitution, content). */
export function stepKey(parentId: string | undefined, parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify({ parent: parentId ?? 'scratch', ...parts })).digest('hex');
}

export class BuildCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** The cached image for a key, or undefined (unknown key, or its image or layers are gone). */
  async lookup(ctx: ImageContext, key: string): Promise<ImageState | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await fs.readFile(this.file(key), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
    try {
      const image = await loadLocalImage(ctx.content, { name: entry.id, target: entry.target, createdAt: '', updatedAt: '' }, ctx.platform);
      if (image.id !== entry.id) return undefined;
      for (const c of image.chainIds) await ctx.snapshots.stat(c);
      return { id: image.id, target: entry.target, config: image.config, layers: image.manifest.layers, chain: image.chainIds };
    } catch {
      return undefined; // a missing cached image is a miss
    }
  }

  /** Records a step's image under its key (atomically: a crash leaves the old entry or none). */
  async store(key: string, entry: CacheEntry): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = `${this.file(key)}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(entry));
    await fs.rename(tmp, this.file(key));
  }

  /** Every entry with its file's size and modification time (unreadable entries have no `entry`). */
  async list(): Promise<{ key: string; entry?: CacheEntry; bytes: number; mtimeMs: number }[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: { key: string; entry?: CacheEntry; bytes: number; mtimeMs: number }[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(this.dir, name);
      try {
        const [st, text] = await Promise.all([fs.stat(file), fs.readFile(file, 'utf8')]);
        let entry: CacheEntry | undefined;
        try {
          entry = JSON.parse(text) as CacheEntry;
        } catch {
          /* a damaged entry: listed without its content, so that it can be removed */
        }
        out.push({ key: name.slice(0, -'.json'.length), ...(entry ? { entry } : {}), bytes: st.size, mtimeMs: st.mtimeMs });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // removed meanwhile by another sweep
      }
    }
    return out;
  }

  /** Removes an entry (absent is fine). */
  async remove(key: string): Promise<void> {
    await unlinkIfExists(this.file(key));
  }

  /** Removes temp files of stores that died before their rename (older than `ageMs`); returns how many. */
  async removeStaleTemps(ageMs: number): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    let n = 0;
    for (const name of names.filter((x) => x.endsWith('.tmp'))) {
      const file = path.join(this.dir, name);
      const st = await fs.stat(file).catch(() => undefined);
      if (!st || Date.now() - st.mtimeMs < ageMs) continue; // maybe a store in progress
      await unlinkIfExists(file);
      n++;
    }
    return n;
  }
}
