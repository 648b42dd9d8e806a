// Paths inside a root directory (an image's rootfs or the build context) with symbolic links resolved as if the
// root were `/` (Docker's FollowSymlinkInScope): `..` and absolute link targets never leave the root.
import fs from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 255;

/** Resolves `p` (absolute or relative to the root) inside `root`, following links in scope. */
export function resolveInRoot(root: string, p: string, followLast = true): string {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  const out: string[] = [];
  let links = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      out.pop();
      continue;
    }
    const candidate = path.join(root, ...out, part);
    const st = fs.lstatSync(candidate, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && (followLast || parts.length > 0)) {
      if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links at ${p}`);
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) out.length = 0;
      parts.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    out.push(part);
  }
  return path.join(root, ...out);
}

/** True when `p` names `root` or something below it. */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
