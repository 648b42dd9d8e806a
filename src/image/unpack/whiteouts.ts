// Whiteouts (OCI image spec, layer.md): `.wh.<name>` deletes <name> from the layers below, `.wh..wh..opq`
// hides everything the layers below had in its directory. Two ways to apply them:
//  - 'overlay': the target is this layer's own empty directory, later stacked by overlayfs; whiteouts become
//    overlayfs's own markers (a 0:0 character device; xattr trusted.overlay.opaque=y on the directory).
//  - 'delete': the target is the full tree of the layers below; whiteouts delete for real. Anything this
//    layer itself wrote is kept (the spec only hides the lower layers' files).
import fs from 'node:fs';
import type { FsOps } from '../native/fsops.js';
import { joinRel, parentOf, type Whiteout } from './path-rules.js';
import type { TreeGuard } from './tree-guard.js';

export const OPAQUE_XATTR = 'trusted.overlay.opaque';
const S_IFCHR = 0o020000;

/** What this layer wrote, for 'delete' mode: exact paths and the directories above them. */
export class WriteLog {
  private readonly written = new Set<string>();
  private readonly above = new Set<string>();

  /** Records a path this layer wrote. */
  add(rel: string): void {
    this.written.add(rel);
    for (let p = parentOf(rel); p && !this.above.has(p); p = parentOf(p)) this.above.add(p);
  }

  /** True when this layer wrote rel itself. */
  wrote(rel: string): boolean {
    return this.written.has(rel);
  }

  /** True when this layer wrote rel or something below it. */
  touched(rel: string): boolean {
    return this.written.has(rel) || this.above.has(rel);
  }
}

/** True for an overlayfs whiteout: a character device with device number 0:0. */
export function isOverlayWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Marks a directory opaque for overlayfs. */
export async function setOpaque(fsops: FsOps, abs: string): Promise<void> {
  await fsops.setxattr(abs, OPAQUE_XATTR, Buffer.from('y'));
}

/** Applies one whiteout entry (already path-checked) in the given mode. */
export async function applyWhiteout(
  wh: Exclude<Whiteout, { kind: 'meta' }>,
  entry: { name: string; mtime: number },
  ctx: { mode: 'overlay' | 'delete'; guard: TreeGuard; fsops: FsOps; log: WriteLog; onCreateDir: (rel: string) => void },
): Promise<void> {
  const { guard, fsops } = ctx;
  const entryName = entry.name;
  if (wh.kind === 'opaque') {
    const dir = guard.dir(wh.dir, entryName, { create: true, onCreate: ctx.onCreateDir })!;
    if (ctx.mode === 'overlay') await setOpaque(fsops, dir);
    else clearLower(wh.dir, guard, ctx.log);
    return;
  }
  const rel = joinRel(wh.dir, wh.name);
  if (ctx.mode === 'overlay') {
    const dir = guard.dir(wh.dir, entryName, { create: true, onCreate: ctx.onCreateDir })!;
    const abs = `${dir}/${wh.name}`;
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    // The target holds only this layer: an existing path was written by it and stays; a directory of
    // this layer must still hide the lower one's contents.
    if (st?.isDirectory()) await setOpaque(fsops, abs);
    else if (!st) {
      await fsops.mknod(abs, S_IFCHR, 0, 0);
      // The marker keeps the whiteout entry's time, so writing the layer back out reproduces it exactly.
      fs.lutimesSync(abs, entry.mtime, entry.mtime);
    }
    return;
  }
  const dir = guard.dir(wh.dir, entryName, { create: false });
  if (!dir) return; // nothing below to delete
  if (ctx.log.touched(rel)) {
    const st = fs.lstatSync(guard.abs(rel), { throwIfNoEntry: false });
    if (st?.isDirectory()) clearLower(rel, guard, ctx.log);
    return;
  }
  guard.forget(rel);
  fs.rmSync(guard.abs(rel), { recursive: true, force: true });
}

// Removes from a directory everything this layer did not write, recursing into what it did write.
function clearLower(dirRel: string, guard: TreeGuard, log: WriteLog): void {
  for (const child of fs.readdirSync(guard.abs(dirRel), { withFileTypes: true })) {
    const rel = joinRel(dirRel, child.name);
    if (log.touched(rel)) {
      if (child.isDirectory()) clearLower(rel, guard, log);
      continue;
    }
    guard.forget(rel);
    fs.rmSync(guard.abs(rel), { recursive: true, force: true });
  }
}
