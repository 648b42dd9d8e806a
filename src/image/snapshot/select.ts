// Chooses the snapshotter: overlay where the kernel has it and it works on the state root's filesystem,
// the copying fallback elsewhere. "Works" is tried, not assumed: overlay lists in /proc/filesystems but
// refuses some upper filesystems (overlayfs itself on some kernels, no d_type, no whiteout support).
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageError } from '../errors.js';
import { openFsOps, type FsOps } from '../native/fsops.js';
import { openCopySnapshotter } from './copy.js';
import { openOverlaySnapshotter, defaultOverlayOptions } from './overlay.js';
import type { CoreOptions } from './snapshotter-core.js';
import type { Snapshotter } from './types.js';

export type SnapshotterKind = 'overlay' | 'copy' | 'auto';

export interface ProbeDeps {
  fsops?: FsOps;
  /** /proc/filesystems text. */
  filesystems?: () => Promise<string>;
}

/** Why overlay cannot be used in root, or undefined when a trial mount there works. */
export async function overlayUnsupportedReason(root: string, deps: ProbeDeps = {}): Promise<string | undefined> {
  const table = await (deps.filesystems ?? (() => fs.readFile('/proc/filesystems', 'utf8')))();
  if (!table.split('\n').some((l) => l.trim().split(/\s+/).pop() === 'overlay')) {
    return 'the kernel does not list overlay in /proc/filesystems (modprobe overlay)';
  }
  await fs.mkdir(root, { recursive: true, mode: 0o711 });
  const probe = path.join(root, `.overlay-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fsops = deps.fsops ?? openFsOps();
  const d = (n: string) => path.join(probe, n);
  try {
    for (const n of ['lower1', 'lower2', 'upper', 'work', 'merged']) await fs.mkdir(d(n), { recursive: true });
    await fs.writeFile(path.join(d('lower1'), 'gone'), '');
    const options = [...defaultOverlayOptions(), `lowerdir=${d('lower1')}:${d('lower2')}`, `upperdir=${d('upper')}`, `workdir=${d('work')}`];
    try {
      await fsops.mount('overlay', 'overlay', d('merged'), options);
    } catch (e) {
      return `a trial overlay mount in ${root} failed: ${(e as Error).message}`;
    }
    try {
      // Deleting a lower file must leave a whiteout (a 0:0 device) in the upper dir: that is what layers use.
      await fs.writeFile(path.join(d('merged'), 'new'), 'x');
      await fs.rm(path.join(d('merged'), 'gone'));
    } catch (e) {
      return `writing through a trial overlay mount in ${root} failed: ${(e as Error).message}`;
    } finally {
      await fsops.umount(d('merged'), 2);
    }
    const st = await fs.lstat(path.join(d('upper'), 'gone')).catch(() => undefined);
    if (!st?.isCharacterDevice() || st.rdev !== 0) return `overlay in ${root} did not record a deletion as a whiteout`;
    return undefined;
  } finally {
    if (!deps.fsops) await fsops.close();
    await fs.rm(probe, { recursive: true, force: true });
  }
}

/** True when overlay is in /proc/filesystems and a trial overlay mount in root works. */
export async function overlaySupported(root: string, deps: ProbeDeps = {}): Promise<boolean> {
  return (await overlayUnsupportedReason(root, deps)) === undefined;
}

/** Opens the snapshotter of the given kind in root; 'auto' picks overlay when it works there, else copy. */
export async function openSnapshotter(root: string, kind: SnapshotterKind, opts: CoreOptions & ProbeDeps = {}): Promise<Snapshotter> {
  switch (kind) {
    case 'overlay':
      return openOverlaySnapshotter(root, opts);
    case 'copy':
      return openCopySnapshotter(root, opts);
    case 'auto':
      return (await overlaySupported(root, opts)) ? openOverlaySnapshotter(root, opts) : openCopySnapshotter(root, opts);
    default:
      throw new ImageError(`unknown snapshotter "${String(kind)}": use overlay, copy or auto`, 'InvalidArgument');
  }
}
