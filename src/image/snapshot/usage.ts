// Disk usage of a snapshot directory, as `du --apparent-size` sees it but counting each inode once, so
// hardlinks inside a layer are not counted twice.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Usage } from './types.js';

/** Apparent bytes of regular files and symlinks, and distinct inodes (directories and dir itself included). */
export async function treeUsage(dir: string): Promise<Usage> {
  const seen = new Set<string>();
  let size = 0;
  const stack = [dir];
  while (stack.length) {
    const p = stack.pop()!;
    const st = await fs.lstat(p, { bigint: true });
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (st.isFile() || st.isSymbolicLink()) size += Number(st.size);
    if (st.isDirectory()) {
      for (const name of await fs.readdir(p)) stack.push(path.join(p, name));
    }
  }
  return { size, inodes: seen.size };
}
