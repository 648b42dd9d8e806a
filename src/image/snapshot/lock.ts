// A lock file shared by every process using one snapshot root. Two `berth` commands may pull at once; the
// checks that make snapshot operations correct (parent still committed, no children, name not taken, next
// id) read several files and must not interleave with another process's writes. Node has no flock, so the
// lock is a file created atomically with link(2) — it fails with EEXIST when the file exists, like O_EXCL,
// but the file already holds the owner's pid and start time, so there is no window where it is empty.
// A lock whose owner died (SIGKILL mid-pull) is removed under a second, briefly held guard file, so two
// waiters cannot both decide it is stale and one delete the lock the other just took.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageError } from '../errors.js';
import { readProcStat } from '../../common/process-probe.js';
import { unlinkIfExists } from '../../common/remove-tree.js';

export interface LockOptions {
  /** Give up after this long (default 120 s): the error names the holder. */
  timeoutMs?: number;
}

// Callers in one process queue here first, so they do not poll a file their own process holds.
const local = new Map<string, Promise<unknown>>();

// A guard older than this was left by a killed process (it is held for two syscalls).
const GUARD_STALE_MS = 10_000;

/** Runs fn while holding the lock file (created if absent, removed after). */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const prev = local.get(file) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(async () => {
    await acquire(file, opts.timeoutMs ?? 120_000);
    try {
      return await fn();
    } finally {
      await unlinkIfExists(file);
    }
  });
  const tail = run.catch(() => undefined);
  local.set(file, tail);
  void tail.then(() => { if (local.get(file) === tail) local.delete(file); });
  return run;
}

/** "<pid> <start time>" identifies a process even after its pid is reused. */
export function ownerToken(pid = process.pid): string | undefined {
  const st = readProcStat(pid);
  return st ? `${pid} ${st.startTime}` : undefined;
}

/** True when the process that wrote token is still running. */
export function ownerAlive(token: string): boolean {
  const pid = Number(token.split(' ')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  return ownerToken(pid) === token.trim();
}

async function acquire(file: string, timeoutMs: number): Promise<void> {
  const mine = ownerToken() ?? `${process.pid} 0`;
  // Dot-named with the owner's token, like the snapshot temp files, so a killed process's leftover is found.
  const tmp = path.join(path.dirname(file), `.tmp-${mine.replace(' ', '_')}-${randomBytes(4).toString('hex')}`);
  await fs.writeFile(tmp, `${mine}\n`);
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  try {
    for (;;) {
      try {
        await fs.link(tmp, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readToken(file);
      if (holder !== undefined && !ownerAlive(holder)) {
        await removeStale(file, holder);
        continue;
      }
      if (Date.now() > deadline) {
        throw new ImageError(
          `snapshot store is locked by process ${holder?.split(' ')[0] ?? '?'} (${file}); wait for that berth command `
          + 'to finish, or delete the file if no berth process is running', 'Unavailable');
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
  } finally {
    await unlinkIfExists(tmp);
  }
}

async function readToken(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

// Deletes the lock only if it still holds the dead owner's token, checked under the guard: without the guard
// a waiter could read the dead token, pause, and then delete a lock a live process took in between.
async function removeStale(file: string, deadToken: string): Promise<void> {
  const guard = `${file}.guard`;
  try {
    await fs.writeFile(guard, `${ownerToken() ?? process.pid}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await fs.stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > GUARD_STALE_MS) await unlinkIfExists(guard);
    await new Promise((r) => setTimeout(r, 5));
    return;
  }
  try {
    if ((await readToken(file)) === deadToken) await unlinkIfExists(file);
  } finally {
    await unlinkIfExists(guard);
  }
}
