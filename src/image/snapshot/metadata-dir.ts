// One JSON file per snapshot key under <root>/metadata/. Each file is replaced with temp file + fsync +
// rename, so a reader in another process (reads take no lock) sees the old record or the new one, never a
// torn one, and a writer killed mid-write leaves only a dot-named temp file that listing ignores.
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageError } from '../errors.js';
import { escapeKey } from './key-escape.js';
import { decodeRecord, encodeRecord, type SnapshotRecord } from './metadata-codec.js';
import { unlinkIfExists } from '../../common/remove-tree.js';

/** The metadata/ directory: read, write, delete and list snapshot records. */
export class MetadataDir {
  constructor(readonly dir: string, private readonly tmpTag: string) {}

  /** The file holding key's record. */
  file(key: string): string {
    return path.join(this.dir, `${escapeKey(key)}.json`);
  }

  /** key's record; undefined when there is none. */
  async read(key: string): Promise<SnapshotRecord | undefined> {
    const file = this.file(key);
    const rec = await readRecord(file);
    if (rec && rec.key !== key) {
      throw new ImageError(`snapshot metadata ${file} holds key "${rec.key}", expected "${key}"`, 'DataLoss');
    }
    return rec;
  }

  /** Writes (or replaces) a record atomically. */
  async write(rec: SnapshotRecord): Promise<void> {
    const file = this.file(rec.key);
    const tmp = path.join(this.dir, `.tmp-${this.tmpTag}-${randomBytes(4).toString('hex')}`);
    const fh = await fs.open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(encodeRecord(rec));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.rename(tmp, file);
    } catch (e) {
      await unlinkIfExists(tmp);
      throw e;
    }
  }

  /** Deletes key's record (no error when absent). */
  async delete(key: string): Promise<void> {
    await unlinkIfExists(this.file(key));
  }

  /** Every record (files removed while listing are skipped). */
  async list(): Promise<SnapshotRecord[]> {
    const out: SnapshotRecord[] = [];
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const rec = await readRecord(path.join(this.dir, name));
      if (rec) out.push(rec);
    }
    return out;
  }
}

async function readRecord(file: string): Promise<SnapshotRecord | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8'); // a few hundred bytes: cheaper than the promise API's thread-pool hops
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImageError(`cannot read snapshot metadata ${file}: ${(e as Error).message}`, 'Internal', { cause: e });
  }
  return decodeRecord(text, file);
}
