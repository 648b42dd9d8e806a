// An in-memory copy of small blobs (manifests, configs, indexes), shared by the stores of one process. An entry is
// used only while the file's inode, size and mtime are those it was read with, so a blob deleted by another
// process (or by garbage collection here) is never served from memory.
import type { Stats } from 'node:fs';

const MAX_BLOB = 256 * 1024;
const MAX_TOTAL = 32 * 1024 * 1024;

interface Entry {
  bytes: Buffer;
  ino: number;
  size: number;
  mtimeMs: number;
}

export class SmallBlobCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  /** A copy of the cached bytes of `file` if they still describe the file `st` was taken of. */
  get(file: string, st: Stats): Buffer | undefined {
    const e = this.entries.get(file);
    if (!e) return undefined;
    if (e.ino !== st.ino || e.size !== st.size || e.mtimeMs !== st.mtimeMs) {
      this.drop(file, e);
      return undefined;
    }
    // Least recently used goes first: re-inserting moves the entry to the end of the Map's order.
    this.entries.delete(file);
    this.entries.set(file, e);
    return Buffer.from(e.bytes);
  }

  /** Remembers `bytes` as the content of `file` described by `st` (small blobs only). */
  set(file: string, st: Stats, bytes: Buffer): void {
    if (bytes.length > MAX_BLOB || bytes.length !== st.size) return;
    const old = this.entries.get(file);
    if (old) this.drop(file, old);
    this.entries.set(file, { bytes: Buffer.from(bytes), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    this.total += bytes.length;
    for (const [k, e] of this.entries) {
      if (this.total <= MAX_TOTAL) break;
      this.drop(k, e);
    }
  }

  private drop(file: string, e: Entry): void {
    this.entries.delete(file);
    this.total -= e.bytes.length;
  }
}
