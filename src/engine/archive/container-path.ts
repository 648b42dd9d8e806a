// Paths inside a container, resolved the way the container sees them (its symlinks, its root), so that
// `docker cp` can never read or write outside it.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';

const MAX_LINKS = 255;

/**
 * Resolves `inside` (absolute, as the container names it) under `root`, following symlinks as if `root` were
 * `/`; returns the host path. The result contains no symlink (the last component too, unless `keepLast`).
 */
export function resolveInRoot(root: string, inside: string, keepLast = false): string {
  const parts = path.posix.normalize('/' + inside).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const host = path.join(root, ...resolved, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(host);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink() && !(keepLast && parts.length === 0)) {
      if (++links > MAX_LINKS) throw new EngineError(`too many levels of symbolic links in ${inside}`, 'InvalidArgument');
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return path.join(root, ...resolved);
}

/** Go's os.FileMode bits for a stat (the CLI decodes X-Docker-Container-Path-Stat with them). */
export function goFileMode(st: fs.Stats): number {
  // Additions, not |=: bit 31 would make a negative int32, which the CLI cannot decode into an os.FileMode.
  let mode = st.mode & 0o777;
  if (st.isDirectory()) mode += 2 ** 31;
  else if (st.isSymbolicLink()) mode += 2 ** 27;
  else if (st.isFIFO()) mode += 2 ** 25;
  else if (st.isSocket()) mode += 2 ** 24;
  else if (st.isCharacterDevice()) mode += 2 ** 26 + 2 ** 21;
  else if (st.isBlockDevice()) mode += 2 ** 26;
  if (st.mode & 0o4000) mode += 2 ** 23;
  if (st.mode & 0o2000) mode += 2 ** 22;
  if (st.mode & 0o1000) mode += 2 ** 20;
  return mode;
}

/** The X-Docker-Container-Path-Stat header value for a path. */
export function pathStatHeader(hostPath: string, inside: string): string {
  let st: fs.Stats;
  try {
    // The container's root itself may be reached through /proc/<pid>/root, a symlink to the host: follow it there.
    st = path.posix.normalize(inside) === '/' ? fs.statSync(hostPath) : fs.lstatSync(hostPath);
  } catch {
    throw new EngineError(`Could not find the file ${inside} in container`, 'NotFound');
  }
  const stat = {
    name: path.posix.basename(inside) || '/', size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(),
    linkTarget: st.isSymbolicLink() ? fs.readlinkSync(hostPath) : '',
  };
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}
