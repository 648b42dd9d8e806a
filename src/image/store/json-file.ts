// JSON records on disk, replaced atomically (temp file + rename) so a reader never sees half a record and a
// killed writer leaves the old one.
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Reads a JSON file; undefined when it does not exist. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    // Records are a few hundred bytes: a synchronous read costs microseconds, where the promise API's four
    // thread-pool round trips per file dominate listing hundreds of records.
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Writes a JSON file atomically, creating its directory. */
export async function writeJsonAtomic(file: string, value: unknown, mode = 0o644): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(value, null, 1), { mode });
  await fs.rename(tmp, file);
}
