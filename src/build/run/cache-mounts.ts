// The persistent directories behind RUN --mount=type=cache: `<stateDir>/cache-mounts/<sha256 of id>`, kept between
// builds and daemon restarts, never part of a layer or of a step's cache key. One id may have several instances
// (`<sha>`, `<sha>-1`, …) because sharing follows BuildKit:
//   shared   steps use the same instance together (the one other shared steps are using, else a free one);
//   private  a step takes a free instance for itself, creating a new one when all are in use;
//   locked   a step waits until no other `locked` step of the same id runs, then takes a free instance.
// A new instance gets the mount's mode/uid/gid and, when asked, a seed; it is prepared under a temporary name and
// renamed into place, so a crash never leaves a half-made cache. Usage and locks are per process (an in-process
// lock is enough for one daemon; two processes sharing a state dir are not coordinated).
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { CacheSharing } from '../dockerfile/index.js';

export interface CacheMountRequest {
  id: string;
  sharing: CacheSharing;
  /** For a new instance: its mode, owner, and what to put in it first. */
  mode: number;
  uid: number;
  gid: number;
  seed?: (dir: string) => void;
}

export interface HeldCacheMount {
  /** The host directory to bind. */
  dir: string;
  /** Ends this step's use (idempotent). */
  release(): void;
}

interface Usage {
  shared: number;
  exclusive: boolean;
}

const usage = new Map<string, Usage>();
const idLocks = new Map<string, Promise<void>>();

/** Where the cache mounts of a build state dir live. */
export function cacheMountsDir(stateDir: string): string {
  return path.join(stateDir, 'cache-mounts');
}

/** The first instance directory of a cache id. */
export function cacheMountPath(stateDir: string, id: string): string {
  return path.join(cacheMountsDir(stateDir), createHash('sha256').update(id).digest('hex'));
}

function inUse(dir: string): boolean {
  const u = usage.get(dir);
  return !!u && (u.exclusive || u.shared > 0);
}

/** Whether a step of this process holds the cache mount instance at `dir` (builder prune leaves those). */
export function isCacheMountInUse(dir: string): boolean {
  return inUse(dir);
}

/** The instance a request gets now (no waiting: `locked` has already taken the id's lock). */
function pickInstance(base: string, sharing: CacheSharing): string {
  if (sharing === 'shared') {
    for (const [dir, u] of usage) if ((dir === base || dir.startsWith(`${base}-`)) && u.shared > 0) return dir;
  }
  for (let n = 0; ; n++) {
    const dir = n === 0 ? base : `${base}-${n}`;
    if (!inUse(dir)) return dir;
  }
}

function ensureInstance(dir: string, req: CacheMountRequest): void {
  if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  const tmp = `${dir}.new-${randomBytes(6).toString('hex')}`;
  try {
    fs.mkdirSync(tmp);
    req.seed?.(tmp);
    fs.chownSync(tmp, req.uid, req.gid);
    fs.chmodSync(tmp, req.mode & 0o7777);
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Waits for the id's lock (sharing=locked); resolves with its release. */
async function lockId(key: string): Promise<() => void> {
  const before = idLocks.get(key) ?? Promise.resolve();
  let unlock!: () => void;
  const mine = new Promise<void>((r) => (unlock = r));
  const chained = before.then(() => mine);
  idLocks.set(key, chained);
  await before;
  return () => {
    unlock();
    if (idLocks.get(key) === chained) idLocks.delete(key);
  };
}

/** Takes a cache mount instance for one step; the caller must release it when the step ends. */
export async function acquireCacheMount(stateDir: string, req: CacheMountRequest): Promise<HeldCacheMount> {
  const base = cacheMountPath(stateDir, req.id);
  const unlock = req.sharing === 'locked' ? await lockId(base) : () => undefined;
  try {
    const dir = pickInstance(base, req.sharing);
    ensureInstance(dir, req);
    const u = usage.get(dir) ?? { shared: 0, exclusive: false };
    if (req.sharing === 'shared') u.shared++;
    else u.exclusive = true;
    usage.set(dir, u);
    let released = false;
    return {
      dir,
      release() {
        if (released) return;
        released = true;
        if (req.sharing === 'shared') u.shared--;
        else u.exclusive = false;
        if (!inUse(dir)) usage.delete(dir);
        unlock();
      },
    };
  } catch (e) {
    unlock();
    throw e;
  }
}
