// The changes of a snapshot as a list of tar entries to write, in archive order. Two sources: an overlayfs
// upper dir (deletions already marked by overlayfs) and a pair of trees to compare (the copying snapshotter).
import fs from 'node:fs';
import type { FsOps } from '../native/fsops.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, joinRel } from '../unpack/path-rules.js';
import { isOverlayWhiteout, OPAQUE_XATTR } from '../unpack/whiteouts.js';

export interface Change {
  /** The entry's path in the tar (whiteouts already spelled `.wh.<name>` / `.wh..wh..opq`). */
  name: string;
  /** 'whiteout': an empty marker file (deletion or opaque directory); 'entry': the file at `abs`. */
  kind: 'entry' | 'whiteout';
  abs: string;
  /** The entry's own stat; for a marker, the stat its owner and mtime come from. */
  stat: fs.Stats;
  /** Extended attributes to record (never trusted.overlay.*). */
  xattrs?: Map<string, Buffer>;
}

interface Child {
  name: string;
  abs: string;
  stat: fs.Stats;
  xattrs: Map<string, Buffer>;
}

/** The children of a directory, sorted by name, with their stat and xattrs (xattr queries pipelined). */
export async function readChildren(dir: string, fsops: FsOps): Promise<Child[]> {
  const names = fs.readdirSync(dir).sort();
  const stats = names.map((n) => fs.lstatSync(`${dir}/${n}`));
  const xattrs = await Promise.all(
    names.map((n, i) => (stats[i]!.isSocket() || isOverlayWhiteout(stats[i]!) ? Promise.resolve(new Map<string, Buffer>()) : fsops.xattrs(`${dir}/${n}`))),
  );
  return names
    .map((name, i) => ({ name, abs: `${dir}/${name}`, stat: stats[i]!, xattrs: xattrs[i]! }))
    .filter((c) => !c.stat.isSocket()); // sockets cannot go in a tar (Docker skips them too)
}

/** Xattrs a layer may carry: all but overlayfs's own bookkeeping. */
export function layerXattrs(all: Map<string, Buffer>): Map<string, Buffer> | undefined {
  let out: Map<string, Buffer> | undefined;
  for (const [k, v] of all) if (!k.startsWith('trusted.overlay.')) (out ??= new Map()).set(k, v);
  return out;
}

const whiteoutName = (dirRel: string, name: string) => joinRel(dirRel, `${WHITEOUT_PREFIX}${name}`);

/**
 * overlay-upper: every entry of the upper dir as it is; a 0:0 character device becomes `.wh.<name>`, a
 * directory with trusted.overlay.opaque=y is followed by `.wh..wh..opq`.
 */
export async function upperChanges(upper: string, fsops: FsOps): Promise<Change[]> {
  const out: Change[] = [];
  const walk = async (dirRel: string, dirAbs: string): Promise<void> => {
    for (const c of await readChildren(dirAbs, fsops)) {
      const rel = joinRel(dirRel, c.name);
      if (isOverlayWhiteout(c.stat)) {
        out.push({ name: whiteoutName(dirRel, c.name), kind: 'whiteout', abs: c.abs, stat: c.stat });
        continue;
      }
      out.push({ name: rel, kind: 'entry', abs: c.abs, stat: c.stat, xattrs: layerXattrs(c.xattrs) });
      if (!c.stat.isDirectory()) continue;
      if (c.xattrs.get(OPAQUE_XATTR)?.toString() === 'y') {
        out.push({ name: joinRel(rel, OPAQUE_MARKER), kind: 'whiteout', abs: c.abs, stat: c.stat });
      }
      await walk(rel, c.abs);
    }
  };
  await walk('', upper);
  return out;
}
