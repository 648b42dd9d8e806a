// A faithful copy of a file or directory tree for RUN --mount: the throw-away copy behind a `rw` bind mount (its
// writes must not reach the context or the stage), a context source with entries .dockerignore keeps out, and the
// seed of a new cache mount. Modes, owners, mtimes and symbolic links are kept; links are copied, never followed.
// Sockets, FIFOs and device nodes are left out (a build step has no use for them through a bind source).
import fs from 'node:fs';
import path from 'node:path';

/** Copies `src` to `dst` (which must not exist); `include(abs)` may leave entries below a directory out. */
export function copyTree(src: string, dst: string, include: (abs: string) => boolean = () => true): void {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dst);
    for (const name of fs.readdirSync(src).sort()) {
      const child = path.join(src, name);
      if (include(child)) copyTree(child, path.join(dst, name), include);
    }
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
    fs.lchownSync(dst, st.uid, st.gid);
    fs.lutimesSync(dst, st.atime, st.mtime);
    return;
  } else if (st.isFile()) {
    fs.copyFileSync(src, dst);
  } else return;
  fs.lchownSync(dst, st.uid, st.gid);
  // after the chown, which clears set-id bits
  fs.chmodSync(dst, st.mode & 0o7777);
  fs.utimesSync(dst, st.atime, st.mtime);
}

/** Copies the entries inside directory `src` into the existing directory `dst` (a cache mount's seed). */
export function copyContents(src: string, dst: string): void {
  for (const name of fs.readdirSync(src).sort()) copyTree(path.join(src, name), path.join(dst, name));
}
