// Persistent network namespaces: a new netns kept alive by a bind mount on a file (as `ip netns add` does), with
// loopback up. The bind mount is made in the daemon's mount namespace; a container joins it by path (OCI
// linux.namespaces[].path). Unmount + unlink releases it once no process (or mount copy) still holds it.
import fs from 'node:fs';
import path from 'node:path';
import { NetworkError } from './errors.js';
import { runTool } from './run-tool.js';

const NSFS_MAGIC = 0x6e736673;

/** The effects on namespaces the attach logic needs (a recording double replaces it in unit tests). */
export interface NetnsOps {
  create(nsPath: string, setup?: string[]): Promise<void>;
  remove(nsPath: string): Promise<void>;
  isMounted(nsPath: string): boolean;
}

/** True when nsPath is a bind-mounted network namespace (an nsfs file). */
export function isNetnsMounted(nsPath: string): boolean {
  try {
    return fs.statfsSync(nsPath).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Creates a network namespace pinned at nsPath with `lo` up; `setup` lines are extra `ip -batch` commands run
 * inside it. One process tree (unshare → ip), no shell.
 */
export async function createNetns(nsPath: string, setup: string[] = []): Promise<void> {
  if (isNetnsMounted(nsPath)) {
    throw new NetworkError(`network namespace ${nsPath} already exists: remove it first (removeNetns) or use another path`, 'Conflict');
  }
  fs.mkdirSync(path.dirname(nsPath), { recursive: true, mode: 0o711 });
  fs.closeSync(fs.openSync(nsPath, 'a', 0o444)); // the bind-mount target must exist
  const r = await runTool('unshare', [`--net=${nsPath}`, 'ip', '-batch', '-'], ['link set lo up', ...setup].join('\n') + '\n');
  if (r.code !== 0) {
    await removeNetns(nsPath).catch(() => undefined);
    throw new NetworkError(`creating network namespace ${nsPath}: ${r.stderr.trim() || `unshare exited ${r.code}`}`, 'Internal');
  }
}

/** Unmounts and unlinks a pinned network namespace; missing or already unmounted is fine. */
export async function removeNetns(nsPath: string): Promise<void> {
  // A path may carry stacked mounts if it was pinned twice; peel them all.
  for (let i = 0; i < 8 && isNetnsMounted(nsPath); i++) {
    const r = await runTool('umount', [nsPath]);
    if (r.code !== 0 && isNetnsMounted(nsPath)) {
      const lazy = await runTool('umount', ['-l', nsPath]);
      if (lazy.code !== 0) throw new NetworkError(`unmounting network namespace ${nsPath}: ${lazy.stderr.trim() || r.stderr.trim()}`, 'Internal');
    }
  }
  try {
    fs.unlinkSync(nsPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new NetworkError(`removing network namespace file ${nsPath}: ${(e as Error).message}`, 'Internal');
    }
  }
}

/** The real NetnsOps. */
export const hostNetns: NetnsOps = { create: createNetns, remove: removeNetns, isMounted: isNetnsMounted };
