// The overlayfs snapshotter: a committed snapshot's fs holds only its layer's changes; an active snapshot
// stacks its parents as lowerdirs under its own fs (upperdir), so layers are stored once and shared by every
// image and container on top of them.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bindMount, overlayMount } from './mount-options.js';
import { openSnapshotterCore, type CoreOptions, type Layer, type SnapshotDriver } from './snapshotter-core.js';
import type { Mount, Snapshotter } from './types.js';

export interface OverlayOptions extends CoreOptions {
  /** Overlay data options added to every overlay mount (default: index=off where the kernel knows it). */
  extraOptions?: string[];
}

/**
 * index=off as containerd does: with the inode index on, a lower layer shared by several overlays can make
 * later mounts fail with EBUSY/ESTALE; the parameter file tells whether this kernel understands the option.
 */
export function defaultOverlayOptions(): string[] {
  return existsSync('/sys/module/overlay/parameters/index') ? ['index=off'] : [];
}

/** Opens an overlay snapshotter rooted at root (snapshots/<n>/{fs,work}, metadata/, l/). */
export async function openOverlaySnapshotter(root: string, opts: OverlayOptions = {}): Promise<Snapshotter> {
  return openSnapshotterCore(root, overlayDriver(opts.extraOptions ?? defaultOverlayOptions()), opts);
}

/** The overlay driver (exported for tests that build mounts without a kernel). */
export function overlayDriver(extra: string[]): SnapshotDriver {
  return {
    name: 'overlay',
    async populate(dir) {
      await fs.mkdir(path.join(dir, 'fs'), { mode: 0o755 });
      await fs.mkdir(path.join(dir, 'work'), { mode: 0o711 });
    },
    // A view's mount names only its parents' directories, so a mounted view is not seen as in use when it is
    // removed; that is harmless (its own directory is empty and unused) and the parents stay protected.
    async mounts(self, kind, parents): Promise<Mount[]> {
      if (kind === 'view' && parents.length <= 1) return [bindMount(parents[0]?.fs ?? self.fs, true)];
      if (parents.length === 0) return [bindMount(self.fs, false)];
      for (const p of parents) await ensureLink(p);
      return [overlayMount({
        key: self.key, lowers: parents.map((p) => p.link), extra,
        ...(kind === 'active' ? { upper: self.fs, work: self.work } : {}),
      })];
    },
    applyTarget(self) {
      return { dir: self.fs, whiteouts: 'overlay' };
    },
    changes(self) {
      return { kind: 'overlay-upper', upper: self.fs };
    },
  };
}

// Like Docker's l/ directory: lowerdir names <root>/l/<n> instead of <root>/snapshots/<n>/fs, so more layers
// fit in the one page the kernel accepts. Made on first use (and again if deleted); the target is relative so
// the root can move. Concurrent creators race harmlessly: the link's content is the same for everyone.
async function ensureLink(l: Layer): Promise<void> {
  try {
    await fs.symlink(path.join('..', 'snapshots', String(l.id), 'fs'), l.link);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
