// Writing COPY/ADD sources into a mounted rootfs with Docker's directory semantics: a directory source copies its
// contents; a file goes to `dest/name` when dest ends in `/` or is an existing directory, else to dest itself.
// Everything copied is owned by the --chown identity (root without it), keeps its mode unless --chmod is given,
// and keeps its mtime; parent directories created on the way get 0755 and the same owner.
import fs from 'node:fs';
import path from 'node:path';
import { BuildError } from './errors.js';
import { includedBelow, type CopySource, type SourceRoot } from './copy-sources.js';
import { resolveInRoot } from './scoped-path.js';

export interface CopyIdentity {
  uid: number;
  gid: number;
  /** --chmod: replaces the mode of everything copied. */
  mode?: number;
}

/** Creates the missing directories of `dir` (a path inside the rootfs), owned by `id`, 0755. */
export function mkdirAllInRoot(rootfs: string, dir: string, id: CopyIdentity): string {
  const parts = dir.split('/').filter(Boolean);
  let current = '/';
  for (const part of parts) {
    current = path.posix.join(current, part);
    const host = resolveInRoot(rootfs, current);
    const st = fs.lstatSync(host, { throwIfNoEntry: false });
    if (st?.isDirectory()) continue;
    if (st) throw new BuildError(`cannot create directory ${current}: a file of that name exists in the image`);
    fs.mkdirSync(host, { mode: 0o755 });
    fs.chmodSync(host, 0o755);
    fs.lchownSync(host, id.uid, id.gid);
  }
  return resolveInRoot(rootfs, dir);
}

function copyEntry(root: SourceRoot, src: string, dst: string, id: CopyIdentity, top: boolean, dstExisted: boolean, forced?: CopySource): void {
  const st = fs.lstatSync(src);
  const mode = id.mode ?? forced?.mode ?? (st.mode & 0o7777);
  if (st.isDirectory()) {
    const existing = fs.lstatSync(dst, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) fs.rmSync(dst, { force: true });
    if (!existing?.isDirectory()) fs.mkdirSync(dst);
    for (const name of fs.readdirSync(src).sort()) {
      const child = path.join(src, name);
      if (!includedBelow(root, child)) continue;
      copyEntry(root, child, path.join(dst, name), id, false, false);
    }
    fs.chmodSync(dst, mode);
    // The destination directory itself is chowned only when this copy created it (Docker's fixPermissions).
    if (!(top && dstExisted)) fs.lchownSync(dst, id.uid, id.gid);
    fs.utimesSync(dst, st.atime, st.mtime);
    return;
  }
  const existing = fs.lstatSync(dst, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new BuildError(`cannot copy to ${dst}: a directory of that name exists in the image`);
  if (existing) fs.rmSync(dst, { force: true });
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
    fs.lchownSync(dst, id.uid, id.gid);
    fs.lutimesSync(dst, st.atime, st.mtime);
    return;
  }
  if (!st.isFile()) throw new BuildError(`cannot copy ${src}: only files, directories and symbolic links can be copied`);
  fs.copyFileSync(src, dst);
  fs.chmodSync(dst, mode);
  fs.lchownSync(dst, id.uid, id.gid);
  const mtime = forced?.mtime ?? st.mtime;
  fs.utimesSync(dst, mtime, mtime);
}

/** Copies the sources to `dest` (absolute inside the rootfs; a trailing `/` means a directory). */
export function copyInto(rootfs: string, root: SourceRoot, sources: readonly CopySource[], dest: string, id: CopyIdentity): void {
  const destIsDir = dest.endsWith('/');
  for (const s of sources) {
    if (s.isDir) {
      const existed = fs.lstatSync(resolveInRoot(rootfs, dest), { throwIfNoEntry: false })?.isDirectory() ?? false;
      const target = existed ? resolveInRoot(rootfs, dest) : path.join(mkdirAllInRoot(rootfs, path.posix.dirname(path.posix.normalize(dest)), id), path.posix.basename(path.posix.normalize(dest)));
      copyEntry(root, s.abs, dest === '/' ? rootfs : target, id, true, existed || dest === '/', s);
      continue;
    }
    const destHost = resolveInRoot(rootfs, dest);
    const intoDir = destIsDir || (fs.statSync(destHost, { throwIfNoEntry: false })?.isDirectory() ?? false);
    const file = intoDir ? path.posix.join(dest, s.name) : dest;
    const parent = mkdirAllInRoot(rootfs, path.posix.dirname(path.posix.normalize(file)), id);
    copyEntry(root, s.abs, path.join(parent, path.posix.basename(file)), id, true, false, s);
  }
}
