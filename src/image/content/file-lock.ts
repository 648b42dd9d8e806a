// One holder per ingest across processes. The lock file is published with link(2) from a fully written
// temp file, so a reader never sees a half-written holder; a lock whose holder is gone (pid dead or reused)
// is taken over by renaming it aside first, so two processes taking over at once cannot both win.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageError } from '../errors.js';
import { currentProcess, formatHolder, isAlive, parseHolder, type ProcessIdentity } from './process-identity.js';

export interface FileLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

function readHolder(lockPath: string): { text: string; holder: ProcessIdentity | null } | null {
  try {
    const text = fs.readFileSync(lockPath, 'utf8');
    return { text, holder: parseHolder(text) };
  } catch (err) {
    if (code(err) === 'ENOENT') return null;
    throw err;
  }
}

/** The live holder of a lock file, or null when it is free or stale. */
export function lockHolder(lockPath: string): ProcessIdentity | null {
  const got = readHolder(lockPath);
  return got?.holder && isAlive(got.holder) ? got.holder : null;
}

/**
 * Takes the lock at `lockPath` for this process. A live holder (another process, or this one through
 * another writer) makes it fail with Unavailable naming `what` and the holder's pid.
 */
export function acquireFileLock(lockPath: string, what: string): FileLock {
  const me = currentProcess();
  const mine = formatHolder(me);
  const tmp = `${lockPath}.${me.pid}.${randomBytes(4).toString('hex')}`;
  // The directory may be removed by a writer that just finished; recreate it then.
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(tmp, mine);
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT' || attempt >= 3) throw err;
      fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    }
  }
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return { path: lockPath, release: () => releaseIfMine(lockPath, mine) };
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const seen = readHolder(lockPath);
      if (!seen) continue; // released between our link and read: try again
      if (seen.holder && isAlive(seen.holder)) {
        throw new ImageError(
          `${what} is being written by process ${seen.holder.pid} (lock ${lockPath}); wait for it to finish`,
          'Unavailable',
        );
      }
      takeOverStale(lockPath, seen.text);
    }
    throw new ImageError(`${what}: could not take the lock ${lockPath} (it keeps changing hands); try again`, 'Unavailable');
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// Moves the stale lock aside; if what we moved is not the stale lock we read (another process took it over
// in between), it is put back so that process keeps it.
function takeOverStale(lockPath: string, staleText: string): void {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  let movedText = '';
  try {
    movedText = fs.readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as the stale one
    movedText = staleText;
  }
  if (movedText !== staleText) {
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // someone else holds it now; either way the next attempt sees a live holder
    }
  }
  fs.rmSync(aside, { force: true });
}

function releaseIfMine(lockPath: string, mine: string): void {
  try {
    if (fs.readFileSync(lockPath, 'utf8') === mine) fs.unlinkSync(lockPath);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}
