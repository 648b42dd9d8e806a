// One ingest in progress: bytes are appended to `ingest/<alg>-<hex>/data` and hashed as they arrive, so
// commit needs no second read. A resumed ingest rehashes what an interrupted one left and continues there.
// write() resolves once the bytes are in the file (a process killed later leaves them for a resume); the
// fsync at commit runs on the thread pool, so other work goes on meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import type { Hash } from 'node:crypto';
import { hasherFor, splitDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import type { BlobInfo, IngestWriter } from './types.js';
import type { FileLock } from './file-lock.js';

export interface IngestPaths {
  dir: string;
  data: string;
  blob: string;
}

/** Appends a chunk at the end of an fd (positionless writes append, the fd is O_APPEND). */
function writeAll(fd: number, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.write(fd, chunk, 0, chunk.length, null, (err, n) => {
      if (err) return reject(err);
      if (n === chunk.length) return resolve();
      writeAll(fd, chunk.subarray(n)).then(resolve, reject);
    });
  });
}

const fsyncFd = (fd: number): Promise<void> => new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
const closeFd = (fd: number): Promise<void> => new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));

/** fsyncs a directory so a rename into it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncDir on the thread pool. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Hashes an existing partial file (resume); returns its size. */
async function rehash(file: string, hash: Hash): Promise<number> {
  let size = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  return size;
}

export class LocalIngestWriter implements IngestWriter {
  private done = false;

  private constructor(
    private readonly expected: { digest: Digest; size?: number },
    private readonly paths: IngestPaths,
    private readonly lock: FileLock,
    private readonly onDone: () => void,
    private readonly fd: number,
    private readonly hash: Hash,
    public offset: number,
  ) {}

  /** Opens the ingest (lock already held): rehashes leftover data, or starts over if it cannot be ours. */
  static async open(expected: { digest: Digest; size?: number }, paths: IngestPaths, lock: FileLock, onDone: () => void): Promise<LocalIngestWriter> {
    let hash = hasherFor(expected.digest);
    let offset = await rehash(paths.data, hash);
    if (expected.size !== undefined && offset > expected.size) {
      // More bytes than the blob has: the leftover is not a prefix of it.
      fs.rmSync(paths.data, { force: true });
      hash = hasherFor(expected.digest);
      offset = 0;
    }
    const fd = fs.openSync(paths.data, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    return new LocalIngestWriter(expected, paths, lock, onDone, fd, hash, offset);
  }

  async write(chunk: Buffer): Promise<void> {
    this.assertOpen();
    const { size } = this.expected;
    if (size !== undefined && this.offset + chunk.length > size) {
      await this.abort();
      throw new ImageError(
        `blob ${this.expected.digest}: received more than the expected ${size} bytes; the partial data was discarded`,
        'DataLoss',
      );
    }
    this.hash.update(chunk);
    this.offset += chunk.length;
    await writeAll(this.fd, chunk);
  }

  async commit(): Promise<BlobInfo> {
    this.assertOpen();
    const { digest, size } = this.expected;
    const actual = `${splitDigest(digest).algorithm}:${this.hash.digest('hex')}` as Digest;
    if ((size !== undefined && this.offset !== size) || actual !== digest) {
      // Wrong bytes are discarded without an fsync.
      fs.closeSync(this.fd);
      this.finish(true);
      const sizeNote = size !== undefined && this.offset !== size ? ` and ${this.offset} bytes (expected ${size})` : '';
      throw new ImageError(
        `blob ${digest}: content has digest ${actual}${sizeNote}; the data was discarded (the source sent wrong bytes — pull again)`,
        'DataLoss',
      );
    }
    try {
      await fsyncFd(this.fd);
    } catch (err) {
      // The data stays for a resume (the next ingest rehashes whatever reached the disk).
      await closeFd(this.fd).catch(() => {});
      this.finish(false);
      throw err;
    }
    await closeFd(this.fd);
    try {
      fs.mkdirSync(path.dirname(this.paths.blob), { recursive: true });
      fs.renameSync(this.paths.data, this.paths.blob);
      await fsyncDirAsync(path.dirname(this.paths.blob));
      const st = fs.statSync(this.paths.blob);
      return { digest, size: st.size, createdAt: st.mtimeMs };
    } finally {
      // On an unexpected failure the verified data stays in the ingest for a resume; the lock is freed.
      this.finish(!fs.existsSync(this.paths.data));
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    fs.closeSync(this.fd);
    this.finish(false);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    fs.closeSync(this.fd);
    this.finish(true);
  }

  private assertOpen(): void {
    if (this.done) throw new ImageError(`blob ${this.expected.digest}: ingest already committed, closed or aborted`, 'FailedPrecondition');
  }

  // Removing the ingest dir (data, then lock) on commit/abort; close keeps data for a resume.
  private finish(removeData: boolean): void {
    this.done = true;
    if (removeData) fs.rmSync(this.paths.data, { force: true });
    this.lock.release();
    if (removeData) {
      try {
        fs.rmdirSync(this.paths.dir);
      } catch {
        // another writer's lock temp file may still be there; GC removes empty ingest dirs later
      }
    }
    this.onDone();
  }
}
