// The files of one json-file log: PATH.(N-1) … PATH.1, PATH (Docker's rotation), found and opened oldest first.
// The monitor may rotate (a cascade of renames) while we look, so a listing is only trusted when two looks in a
// row agree, and an opened file is only trusted when its inode is the one listed.
import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';

export interface OpenLogFile {
  handle: FileHandle;
  ino: number;
}

interface Listed {
  path: string;
  ino: number;
}

const ATTEMPTS = 100;

/** One look at the directory: PATH and PATH.<n>, oldest (highest n) first, with their inodes. */
function look(file: string): Listed[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`read container log directory ${dir}: ${(e as Error).message}`);
  }
  const out: (Listed & { n: number })[] = [];
  for (const name of names) {
    const suffix = name === base ? '0' : name.startsWith(`${base}.`) ? name.slice(base.length + 1) : '';
    if (!/^\d+$/.test(suffix)) continue;
    const ino = inodeOf(path.join(dir, name));
    if (ino !== undefined) out.push({ path: path.join(dir, name), ino, n: Number(suffix) });
  }
  return out.sort((a, b) => b.n - a.n).map(({ path: p, ino }) => ({ path: p, ino }));
}

const same = (a: Listed[], b: Listed[]) => a.length === b.length && a.every((x, i) => x.path === b[i]!.path && x.ino === b[i]!.ino);
const yieldTurn = () => new Promise((r) => setTimeout(r, 2));

/** A listing no rotation tore: two consecutive looks agree and no file shows up under two names. */
async function stableListing(file: string): Promise<Listed[]> {
  let prev = look(file);
  for (let i = 0; i < ATTEMPTS; i++) {
    const cur = look(file);
    if (same(prev, cur) && new Set(cur.map((f) => f.ino)).size === cur.length) return cur;
    prev = cur;
    await yieldTurn();
  }
  throw new Error(`container log ${file} keeps rotating while being listed: lower the log rate or raise max-size`);
}

/**
 * Opens the files of the log newer than the one with inode `after` (all of them when `after` is undefined or
 * was rotated off the end), oldest first. An open fd keeps its file readable across later rotations.
 */
export async function openLogChain(file: string, after?: number): Promise<OpenLogFile[]> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const listed = await stableListing(file);
    const at = after === undefined ? -1 : listed.findIndex((f) => f.ino === after);
    const opened: OpenLogFile[] = [];
    let torn = false;
    for (const f of listed.slice(at + 1)) {
      const handle = await fs.promises.open(f.path, 'r').catch(() => undefined);
      const ino = handle ? (await handle.stat()).ino : undefined;
      if (handle) opened.push({ handle, ino: ino! });
      // Renamed between the listing and the open: the name now holds another file.
      if (ino !== f.ino) {
        torn = true;
        break;
      }
    }
    if (!torn) return opened;
    for (const o of opened) await o.handle.close().catch(() => {});
    await yieldTurn();
  }
  throw new Error(`container log ${file} keeps rotating while being opened: lower the log rate or raise max-size`);
}

/** Inode of a path now, or undefined. */
export function inodeOf(p: string): number | undefined {
  try {
    return fs.statSync(p).ino;
  } catch {
    return undefined;
  }
}
