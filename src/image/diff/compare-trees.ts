// compare: the changes from `lower` to `upper` when both are full trees (the copying snapshotter). As in
// Docker's naive diff: an entry counts as changed when its type, mode, owner, device number, symlink target,
// xattrs, or — for non-directories — size or mtime differ; a directory whose contents changed is written
// too, so its own metadata travels with them; what is gone becomes a whiteout.
import fs from 'node:fs';
import type { FsOps } from '../native/fsops.js';
import { WHITEOUT_PREFIX, joinRel } from '../unpack/path-rules.js';
import { layerXattrs, readChildren, type Change } from './changes.js';

type Child = Awaited<ReturnType<typeof readChildren>>[number];

function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (!b?.get(k)?.equals(v)) return false;
  return true;
}

/** True when the upper entry differs from the lower one in anything a layer records. */
export function entryChanged(lower: Child, upper: Child): boolean {
  const l = lower.stat;
  const u = upper.stat;
  if ((l.mode & 0o170000) !== (u.mode & 0o170000)) return true;
  if (l.mode !== u.mode || l.uid !== u.uid || l.gid !== u.gid || l.rdev !== u.rdev) return true;
  if (!u.isDirectory() && (l.size !== u.size || Math.floor(l.mtimeMs / 1000) !== Math.floor(u.mtimeMs / 1000))) return true;
  if (u.isSymbolicLink() && fs.readlinkSync(lower.abs) !== fs.readlinkSync(upper.abs)) return true;
  return !sameXattrs(layerXattrs(lower.xattrs), layerXattrs(upper.xattrs));
}

/** The changes that turn `lower` into `upper`, in archive order. */
export async function compareChanges(lower: string, upper: string, fsops: FsOps): Promise<Change[]> {
  const entry = (rel: string, c: Child): Change => ({ name: rel, kind: 'entry', abs: c.abs, stat: c.stat, xattrs: layerXattrs(c.xattrs) });

  const added = async (rel: string, c: Child, out: Change[]): Promise<void> => {
    out.push(entry(rel, c));
    if (!c.stat.isDirectory()) return;
    for (const child of await readChildren(c.abs, fsops)) await added(joinRel(rel, child.name), child, out);
  };

  // Changes below a directory present (as a directory) in both trees.
  const walk = async (dirRel: string, lowerDir: string, upperDir: string, dirStat: fs.Stats): Promise<Change[]> => {
    const ups = await readChildren(upperDir, fsops);
    const lows = new Map((await readChildren(lowerDir, fsops)).map((c) => [c.name, c]));
    const items: { key: string; changes: Change[] }[] = [];
    for (const u of ups) {
      const rel = joinRel(dirRel, u.name);
      const l = lows.get(u.name);
      lows.delete(u.name);
      const changes: Change[] = [];
      if (!l) await added(rel, u, changes);
      else if (l.stat.isDirectory() && u.stat.isDirectory()) {
        const below = await walk(rel, l.abs, u.abs, u.stat);
        if (below.length || entryChanged(l, u)) changes.push(entry(rel, u), ...below);
      } else if (entryChanged(l, u)) await added(rel, u, changes);
      if (changes.length) items.push({ key: u.name, changes });
    }
    for (const name of lows.keys()) {
      const wh = `${WHITEOUT_PREFIX}${name}`;
      items.push({ key: wh, changes: [{ name: joinRel(dirRel, wh), kind: 'whiteout', abs: upperDir, stat: dirStat }] });
    }
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return items.flatMap((i) => i.changes);
  };

  return walk('', lower, upper, fs.lstatSync(upper));
}
