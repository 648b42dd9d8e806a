// Recursive removal for the hot paths (a container's run and state directories on every `docker run --rm`).
// Node 20's fs.rmSync({recursive}) always runs its JS rimraf (an lstat and retries per entry, ~1-2 ms for a
// handful of files); directory entries' types are enough here. It never crosses into another filesystem: a
// directory still mounted over (a container rootfs whose unmount failed) is refused, not emptied.
import fs from 'node:fs';
import path from 'node:path';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** Removes `dir` and everything below it; a missing `dir` is fine. Throws on a mount point below it. */
export function removeTreeSync(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  if (!st.isDirectory()) {
    fs.unlinkSync(dir);
    return;
  }
  removeBelow(dir, st.dev);
}

function removeBelow(dir: string, dev: number): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const st = fs.lstatSync(p);
      if (st.dev !== dev) throw new Error(`refusing to remove ${p}: another filesystem is mounted there (unmount it first)`);
      removeBelow(p, dev);
    } else {
      try {
        fs.unlinkSync(p);
      } catch (err) {
        if (code(err) !== 'ENOENT') throw err;
      }
    }
  }
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

/** Removes one file (or symlink) if it exists: one unlink, where Node 20's fs.rm({force}) runs its JS rimraf. */
export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

/**
 * removeTreeSync off the event loop's thread, for trees that may be large (a removed container's writable
 * layer): directory entries' types instead of fs.rm's JS rimraf (an lstat and a failed rmdir per directory).
 */
export async function removeTree(dir: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  if (!st.isDirectory()) return unlinkIfExists(dir);
  await removeBelowAsync(dir, st.dev);
}

/** Entries removed at once per directory: enough to keep the thread pool busy, bounded for huge directories. */
const REMOVE_BATCH = 32;

async function removeBelowAsync(dir: string, dev: number): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  for (let i = 0; i < entries.length; i += REMOVE_BATCH) {
    await Promise.all(entries.slice(i, i + REMOVE_BATCH).map(async (e) => {
      const p = path.join(dir, e.name);
      if (!e.isDirectory()) return unlinkIfExists(p);
      const st = await fs.promises.lstat(p);
      if (st.dev !== dev) throw new Error(`refusing to remove ${p}: another filesystem is mounted there (unmount it first)`);
      await removeBelowAsync(p, dev);
    }));
  }
  try {
    await fs.promises.rmdir(dir);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}
