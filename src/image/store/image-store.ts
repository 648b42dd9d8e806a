// Image records (containerd's model: a name points at a target descriptor — a manifest or an index).
// Docker's view (an image is its config digest, with tags and repo digests) is derived from these in
// image-view.ts. One file per name, so concurrent commands touching different names never conflict.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Descriptor } from '../manifest/types.js';
import { readJson, writeJsonAtomic } from './json-file.js';

export interface ImageRecord {
  /**
   * A full reference (`docker.io/library/busybox:latest`, `localhost:5000/a@sha256:…`), or for a dangling
   * image (it lost its last name to a newer pull or tag) `<none>@<image id>`.
   */
  name: string;
  target: Descriptor;
  /** Digest of the target as the registry knows it, for RepoDigests (set by pull and push). */
  repoDigest?: string;
  /** Repository this image's blobs came from (`registry/repo`): the source of cross-repository mounts. */
  source?: string;
  createdAt: string;
  updatedAt: string;
  labels?: Record<string, string>;
}

export const DANGLING_PREFIX = '<none>@';

/** The image records under `<root>/images`. */
export class ImageStore {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    return path.join(this.dir, `${createHash('sha256').update(name).digest('hex')}.json`);
  }

  /** The record for a name, or undefined. */
  async get(name: string): Promise<ImageRecord | undefined> {
    return readJson<ImageRecord>(this.file(name));
  }

  /** Every record. */
  async list(): Promise<ImageRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: ImageRecord[] = [];
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const rec = await readJson<ImageRecord>(path.join(this.dir, n));
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates or replaces a record; returns the record it replaced. */
  async put(rec: Omit<ImageRecord, 'createdAt' | 'updatedAt'> & { createdAt?: string }): Promise<ImageRecord | undefined> {
    const old = await this.get(rec.name);
    const now = new Date().toISOString();
    await writeJsonAtomic(this.file(rec.name), { ...rec, createdAt: rec.createdAt ?? old?.createdAt ?? now, updatedAt: now });
    return old;
  }

  /** Removes a record; false when there was none. */
  async delete(name: string): Promise<boolean> {
    try {
      await fs.unlink(this.file(name));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }
}
