// The port through which a layer's regular files and symlinks are created. Creating an inode is the
// expensive part of unpacking (kernel CPU, and on some filesystems much more of it after many deletions), so
// the default implementation (file-writer-pool.ts) does it on worker threads while the main thread goes on
// parsing; `inlineFileWriter` does the same calls synchronously, in order, for tests and small jobs.
//
// Contract for every implementation: the parent directory of `abs` is a real directory inside the target
// (the caller checked it), creation never follows a symlink at `abs` (O_EXCL|O_NOFOLLOW, symlink(2)), and
// something already at `abs` is replaced — unlinked, or removed recursively when it is a directory the
// caller does not track (so nothing of the caller's is below it).
import fs from 'node:fs';

/** Owner, permission bits (including setuid/setgid/sticky) and mtime (seconds) of a created entry. */
export interface EntryMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/** A large regular file written piece by piece. */
export interface FileStream {
  /** Queues the next piece (left unchanged by the caller: it may be held until written). */
  write(piece: Buffer): void;
  /** Resolves when the file is complete (content, owner, mode, times) or rejects with the first failure. */
  end(): Promise<void>;
}

export interface FileWriter {
  /** Creates a regular file with all its content (pieces in order, left unchanged: they may be held until written). */
  writeFile(abs: string, meta: EntryMeta, data: Buffer[]): Promise<void>;
  /** Creates a regular file whose content follows in pieces. */
  openFile(abs: string, meta: EntryMeta): FileStream;
  /** Creates a symlink with its owner and times. */
  symlink(abs: string, target: string, meta: Omit<EntryMeta, 'mode'>): Promise<void>;
  /** Resolves when more may be queued (undefined: right away); bounds the memory held by queued writes. */
  ready(): Promise<void> | undefined;
}

/**
 * The synchronous calls behind every FileWriter. Self-contained on purpose (it uses nothing but its
 * parameter): the worker threads run this very function from its source text, so the bundled CLI needs no
 * separate worker file and both sides share one implementation.
 */
export function fileCalls(fs: typeof import('node:fs')) {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

  // Removes what is at abs (recursively for a directory; lstat and rm never follow a link).
  const clear = (abs: string): void => {
    if (fs.lstatSync(abs).isDirectory()) fs.rmSync(abs, { recursive: true, force: true });
    else fs.unlinkSync(abs);
  };
  // Runs a create call; on EEXIST clears the path and runs it once more.
  const createReplacing = <T>(abs: string, make: () => T): T => {
    try {
      return make();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      clear(abs);
      return make();
    }
  };
  const writeFully = (fd: number, buf: Uint8Array): void => {
    for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off);
  };

  const calls = {
    openFile(abs: string, meta: EntryMeta): number {
      return createReplacing(abs, () => fs.openSync(abs, CREATE_FLAGS, meta.mode & 0o777));
    },
    append(fd: number, piece: Uint8Array): void {
      writeFully(fd, piece);
    },
    /** Owner, mode and times, skipping calls that would change nothing; closes the fd. */
    closeFile(fd: number, meta: EntryMeta): void {
      try {
        const st = fs.fstatSync(fd);
        const chown = st.uid !== meta.uid || st.gid !== meta.gid;
        if (chown) fs.fchownSync(fd, meta.uid, meta.gid);
        // After chown, which clears setuid/setgid; open(2) applied the umask and no special bits.
        if (chown || (st.mode & 0o7777) !== (meta.mode & 0o7777)) fs.fchmodSync(fd, meta.mode & 0o7777);
        fs.futimesSync(fd, meta.mtime, meta.mtime);
      } finally {
        fs.closeSync(fd);
      }
    },
    /** Closes a file whose writing failed (its error is what gets reported). */
    abandon(fd: number): void {
      try {
        fs.closeSync(fd);
      } catch {
        // the first failure is the one that matters
      }
    },
    writeFile(abs: string, meta: EntryMeta, data: Uint8Array[]): void {
      const fd = calls.openFile(abs, meta);
      try {
        for (const piece of data) writeFully(fd, piece);
      } catch (err) {
        calls.abandon(fd);
        throw err;
      }
      calls.closeFile(fd, meta);
    },
    symlink(abs: string, target: string, meta: Omit<EntryMeta, 'mode'>): void {
      createReplacing(abs, () => fs.symlinkSync(target, abs));
      fs.lchownSync(abs, meta.uid, meta.gid);
      fs.lutimesSync(abs, meta.mtime, meta.mtime);
    },
  };
  return calls;
}

export type FileCalls = ReturnType<typeof fileCalls>;

const settle = (fn: () => void): Promise<void> => {
  try {
    fn();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
};

/** A FileWriter doing every call synchronously on the calling thread. */
export function inlineFileWriter(): FileWriter {
  const syncCalls = fileCalls(fs);
  return {
    writeFile: (abs, meta, data) => settle(() => syncCalls.writeFile(abs, meta, data)),
    openFile(abs, meta) {
      let fd = -1;
      let failure: { error: unknown } | undefined;
      try {
        fd = syncCalls.openFile(abs, meta);
      } catch (error) {
        failure = { error };
      }
      return {
        write(piece) {
          if (failure) return;
          try {
            syncCalls.append(fd, piece);
          } catch (error) {
            failure = { error };
          }
        },
        end() {
          if (failure) {
            if (fd >= 0) syncCalls.abandon(fd);
            return Promise.reject(failure.error);
          }
          return settle(() => syncCalls.closeFile(fd, meta));
        },
      };
    },
    symlink: (abs, target, meta) => settle(() => syncCalls.symlink(abs, target, meta)),
    ready: () => undefined,
  };
}
