// Performs the mounts a snapshotter describes and undoes them. The snapshotters themselves never mount;
// the caller (unpack, the engine, tests) does, through berth-fsops.
import fs from 'node:fs/promises';
import { ImageError } from '../errors.js';
import type { FsOps } from '../native/fsops.js';
import { FsOpsError } from '../native/fsops.js';
import { mountsAtOrBelow, parseMountInfo, readMountInfo } from './mountinfo.js';
import type { Mount } from './types.js';

const EINVAL = 22;
const EBUSY = 16;
const MNT_DETACH = 2;

/** Mounts each description onto target in order; on failure undoes the ones already made. */
export async function mountAll(mounts: Mount[], target: string, fsops: FsOps): Promise<void> {
  let done = 0;
  try {
    for (const m of mounts) {
      await fsops.mount(m.type, m.source, target, m.options);
      done++;
    }
  } catch (e) {
    const m = mounts[done];
    for (; done > 0; done--) await fsops.umount(target, MNT_DETACH).catch(() => undefined);
    const what = m ? `${m.type} ${m.source} (${m.options.join(',')})` : 'snapshot';
    throw new ImageError(`cannot mount ${what} on ${target}: ${(e as Error).message}`, 'Internal', { cause: e });
  }
}

/**
 * Unmounts everything at or below target, deepest first and stacked mounts top first, as listed in
 * /proc/self/mountinfo. A mount still busy after a plain unmount is detached (MNT_DETACH) so the target is
 * free for removal; the filesystem goes away when its last user does.
 */
export async function unmountAll(target: string, fsops: FsOps, mountInfo: () => Promise<string> = readMountInfo): Promise<void> {
  let real: string;
  try {
    real = await fs.realpath(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  // Unmounting can reveal mounts hidden underneath (or propagation can add some), so re-read until none remain.
  for (let pass = 0; ; pass++) {
    const points = mountsAtOrBelow(parseMountInfo(await mountInfo()), real);
    if (points.length === 0) return;
    if (pass >= 100) throw new ImageError(`cannot unmount ${real}: mounts remain at ${points.join(', ')}`, 'Internal');
    for (const p of points) {
      try {
        await fsops.umount(p);
      } catch (e) {
        const errno = e instanceof FsOpsError ? e.errno : 0;
        if (errno === EINVAL) continue; // already gone (a parent's unmount took it along)
        if (errno !== EBUSY) throw e;
        await fsops.umount(p, MNT_DETACH);
      }
    }
  }
}
