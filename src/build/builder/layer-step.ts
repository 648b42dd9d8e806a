// A filesystem step (COPY, ADD, RUN, WORKDIR): a fresh active snapshot on the stage's layer chain, mounted under
// the build's state dir, changed by the step, unmounted, and its changes written as a gzip layer that is
// committed under the new chainID. An empty change set (the 1024-byte empty tar) is Docker's empty layer.
// Whatever happens, the mount and the active snapshot are gone afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { mountAll, unmountAll, writeLayerToStore, type Descriptor } from '../../image/index.js';
import type { BuildDeps, ImageState } from './types.js';

/** diffID of a tar with no entries (two zero blocks): Docker's layer.DigestSHA256EmptyTar. */
export const EMPTY_TAR_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** Label on build snapshots: the pid of the build, so a crashed build's leftovers can be told apart. */
export const BUILD_SNAPSHOT_LABEL = 'berth.build.pid';

export interface LayerResult {
  /** Absent for an empty change set. */
  layer?: { descriptor: Descriptor; diffId: `sha256:${string}` | `sha512:${string}`; chainId: string };
}

/** chainID of `diffId` on top of `parent` (OCI image spec). */
export function chainIdOf(parent: string | undefined, diffId: string): string {
  return parent ? `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}` : diffId;
}

/** The build's scratch directory for mount points. */
export function mountDir(stateDir: string, name: string): string {
  return path.join(stateDir, 'mnt', name);
}

/** Runs `change` on a mounted writable snapshot of `state`; returns the layer it produced, if any. */
export async function withLayer(deps: BuildDeps, stateDir: string, state: ImageState, change: (rootfs: string) => Promise<void>): Promise<LayerResult> {
  const { snapshots } = deps.image;
  const key = `build-${randomBytes(8).toString('hex')}`;
  const target = mountDir(stateDir, key);
  const parent = state.chain[state.chain.length - 1];
  let prepared = false;
  let mounted = false;
  try {
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    const mounts = await snapshots.prepare(key, parent, { [BUILD_SNAPSHOT_LABEL]: String(process.pid) });
    prepared = true;
    await mountAll(mounts, target, deps.fsops);
    mounted = true;
    await change(target);
    await unmountAll(target, deps.fsops);
    mounted = false;
    const written = await writeLayerToStore(await snapshots.changes(key), deps.image.content, { fsops: deps.fsops, compression: 'gzip' });
    if (written.diffId === EMPTY_TAR_DIFF_ID) return {};
    const chainId = chainIdOf(parent, written.diffId);
    const exists = await snapshots.stat(chainId).then(() => true, () => false);
    if (!exists) {
      await snapshots.commit(chainId, key);
      prepared = false;
    }
    return { layer: { descriptor: written.descriptor, diffId: written.diffId, chainId } };
  } finally {
    if (mounted) await unmountAll(target, deps.fsops).catch(() => undefined);
    if (prepared) await snapshots.remove(key).catch(() => undefined);
    removeMountPoint(target);
  }
}

/** Runs `read` on a read-only view of `state`'s filesystem (COPY --from, /etc/passwd lookups). */
export async function withView<T>(deps: BuildDeps, stateDir: string, state: ImageState, read: (rootfs: string) => Promise<T>): Promise<T> {
  const { snapshots } = deps.image;
  const key = `build-view-${randomBytes(8).toString('hex')}`;
  const target = mountDir(stateDir, key);
  const parent = state.chain[state.chain.length - 1];
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  if (!parent) {
    try {
      return await read(target); // scratch: an empty tree
    } finally {
      removeMountPoint(target);
    }
  }
  let prepared = false;
  let mounted = false;
  try {
    const mounts = await snapshots.view(key, parent, { [BUILD_SNAPSHOT_LABEL]: String(process.pid) });
    prepared = true;
    await mountAll(mounts, target, deps.fsops);
    mounted = true;
    return await read(target);
  } finally {
    if (mounted) await unmountAll(target, deps.fsops).catch(() => undefined);
    if (prepared) await snapshots.remove(key).catch(() => undefined);
    removeMountPoint(target);
  }
}

// rmdir, never a recursive removal: if an unmount failed, the snapshot's files are still behind the mount point.
function removeMountPoint(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    /* already gone, or still mounted: leave it rather than delete through it */
  }
}
