// Where a layer may write: a cache of directories inside the target known to be real directories (not
// symlinks), so the check that no entry writes through a symlink costs one lstat per new directory, not
// one per entry. Anything that removes or replaces a path drops it (and what was below it) from the cache.
import fs from 'node:fs';
import { refuse } from './path-rules.js';

export class TreeGuard {
  private readonly dirs = new Set<string>(['']);

  constructor(readonly target: string) {}

  /** Absolute path of a normalised relative path. */
  abs(rel: string): string {
    return rel ? `${this.target}/${rel}` : this.target;
  }

  /** True when rel is known to be a real directory. */
  isKnownDir(rel: string): boolean {
    return this.dirs.has(rel);
  }

  /** Records rel as a real directory (just created or checked). */
  addDir(rel: string): void {
    this.dirs.add(rel);
  }

  /** Forgets rel and everything below it (it was removed or replaced). */
  forget(rel: string): void {
    if (!this.dirs.delete(rel)) return; // not a known dir: nothing below it is cached either
    const prefix = `${rel}/`;
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
  }

  /**
   * Makes sure `rel` is a real directory inside the target, creating missing ones (0755) when `create`.
   * Returns its absolute path, or null when it is missing and `create` is false. A symlink or non-directory
   * on the way is refused, described by `what` (the entry name) and `role` (for hardlink targets).
   * `onCreate` hears of each directory created.
   */
  dir(rel: string, what: string, options: { create: boolean; role?: string; onCreate?: (rel: string) => void }): string | null {
    if (this.dirs.has(rel)) return this.abs(rel);
    let cur = '';
    for (const part of rel.split('/')) {
      cur = cur ? `${cur}/${part}` : part;
      if (this.dirs.has(cur)) continue;
      const abs = this.abs(cur);
      const st = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!st) {
        if (!options.create) return null;
        fs.mkdirSync(abs, 0o755);
        this.dirs.add(cur);
        options.onCreate?.(cur);
        continue;
      }
      if (st.isSymbolicLink()) {
        throw refuse(what, options.role
          ? `${options.role} goes through symlink "${cur}"; a layer must not follow links`
          : `parent "${cur}" is a symlink; a layer must not write through a symlink`);
      }
      if (!st.isDirectory()) throw refuse(what, `${options.role ? `${options.role} goes through` : 'parent'} "${cur}", which is not a directory`);
      this.dirs.add(cur);
    }
    return this.abs(rel);
  }
}
