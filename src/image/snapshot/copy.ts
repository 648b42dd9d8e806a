// The copying snapshotter, for hosts where overlayfs cannot be used (e.g. a state root on overlayfs itself):
// every active snapshot and view is a full copy of its parent's tree, so layers cost their full size each
// time; `cp --reflink=auto` makes the copies cheap on filesystems that share extents (btrfs, xfs).
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { ImageError } from '../errors.js';
import { bindMount } from './mount-options.js';
import { openSnapshotterCore, type CoreOptions, type SnapshotDriver } from './snapshotter-core.js';
import type { Snapshotter } from './types.js';

/** Opens a copying snapshotter rooted at root (snapshots/<n>/fs, metadata/). */
export async function openCopySnapshotter(root: string, opts: CoreOptions = {}): Promise<Snapshotter> {
  return openSnapshotterCore(root, copyDriver(), opts);
}

/** The copy driver (exported for tests). */
export function copyDriver(): SnapshotDriver {
  return {
    name: 'copy',
    async populate(dir, _kind, parents) {
      const target = path.join(dir, 'fs');
      if (parents.length === 0) return void (await fs.mkdir(target, { mode: 0o755 }));
      await copyTree(parents[0]!.fs, target);
    },
    async mounts(self, kind) {
      return [bindMount(self.fs, kind === 'view')];
    },
    applyTarget(self) {
      return { dir: self.fs, whiteouts: 'delete' };
    },
    changes(self, parents) {
      return { kind: 'compare', upper: self.fs, ...(parents[0] ? { lower: parents[0].fs } : {}) };
    },
  };
}

/**
 * Copies a tree with GNU cp: -a keeps owners, modes, timestamps, xattrs, devices, fifos, symlinks and
 * hardlinks (Node's fs.cp keeps neither hardlinks nor xattrs); -T copies src itself onto the absent dst.
 */
export function copyTree(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('cp', ['-a', '--reflink=auto', '-T', '--', src, dst], { maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (!err) return resolve();
      reject(new ImageError(`cannot copy snapshot tree ${src} to ${dst}: ${stderr.trim() || err.message}`, 'Internal', { cause: err }));
    });
  });
}
