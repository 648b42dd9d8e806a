// The content store on disk: `<root>/blobs/<alg>/<hex>` holds committed blobs, `<root>/ingest/<alg>-<hex>/`
// in-progress ones (`data` + `lock`). A blob appears under blobs/ only by rename after fsync and digest
// verification, so a reader never sees a partial or wrong blob.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isDigest, parseDigest, splitDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { acquireFileLock } from './file-lock.js';
import { fsyncDir, LocalIngestWriter } from './ingest-writer.js';
import { SmallBlobCache } from './small-blob-cache.js';
import type { BlobInfo, ContentStore, IngestWriter } from './types.js';

/** Default cap for readAll: manifests and configs are small; a layer read into memory is a bug. */
export const DEFAULT_READ_LIMIT = 64 * 1024 * 1024;

// Writers waiting in this process, by ingest dir (shared by every store opened on the same root).
const inProcess = new Map<string, Promise<void>>();

// Manifests and configs are read again and again (every image listing and name lookup loads each image); a
// blob's bytes never change under its digest, and the stat readAll makes anyway tells a replaced or removed file.
const smallBlobs = new SmallBlobCache();

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Opens (creating if needed) the content store rooted at `root`. */
export function openContentStore(root: string): ContentStore {
  root = path.resolve(root);
  const blobsDir = path.join(root, 'blobs');
  const ingestDir = path.join(root, 'ingest');
  fs.mkdirSync(blobsDir, { recursive: true });
  fs.mkdirSync(ingestDir, { recursive: true });

  const blobPath = (d: Digest): string => {
    const { algorithm, hex } = splitDigest(parseDigest(d, 'blob digest'));
    return path.join(blobsDir, algorithm, hex);
  };
  const notFound = (d: Digest) => new ImageError(`blob ${d} not found in the content store ${root}`, 'NotFound');

  const info = async (digest: Digest): Promise<BlobInfo> => {
    try {
      const st = fs.statSync(blobPath(digest));
      return { digest, size: st.size, createdAt: st.mtimeMs };
    } catch (err) {
      if (isMissing(err)) throw notFound(digest);
      throw err;
    }
  };

  const writer = async (expected: { digest: Digest; size?: number }): Promise<IngestWriter | null> => {
    const digest = parseDigest(expected.digest, 'ingest digest');
    const { algorithm, hex } = splitDigest(digest);
    const dir = path.join(ingestDir, `${algorithm}-${hex}`);
    // In this process a second writer for the digest waits for the first to finish.
    for (let waiting = inProcess.get(dir); waiting; waiting = inProcess.get(dir)) await waiting;
    let done!: () => void;
    inProcess.set(dir, new Promise<void>((resolve) => (done = resolve)));
    const release = () => {
      inProcess.delete(dir);
      done();
    };
    try {
      const blob = blobPath(digest);
      if (fs.existsSync(blob)) {
        release();
        return null;
      }
      fs.mkdirSync(dir, { recursive: true });
      const lock = acquireFileLock(path.join(dir, 'lock'), `blob ${digest}`);
      if (fs.existsSync(blob)) {
        // Committed by another process while we waited for the lock.
        lock.release();
        fs.rmSync(path.join(dir, 'data'), { force: true });
        release();
        return null;
      }
      try {
        return await LocalIngestWriter.open({ digest, size: expected.size }, { dir, data: path.join(dir, 'data'), blob }, lock, release);
      } catch (err) {
        lock.release();
        throw err;
      }
    } catch (err) {
      if (inProcess.get(dir)) release();
      throw err;
    }
  };

  const put = async (data: Buffer, digest?: Digest): Promise<BlobInfo> => {
    const d = digest ?? (`sha256:${createHash('sha256').update(data).digest('hex')}` as Digest);
    const w = await writer({ digest: d, size: data.length });
    if (!w) return info(d);
    try {
      // A leftover partial ingest is a prefix of these same bytes when the digest matches.
      if (w.offset < data.length) await w.write(data.subarray(w.offset));
      return await w.commit();
    } catch (err) {
      await w.abort();
      throw err;
    }
  };

  const putStream = async (stream: Readable, expected: { digest?: Digest; size?: number } = {}): Promise<BlobInfo> => {
    if (expected.digest) return putKnown(stream, { digest: expected.digest, size: expected.size });
    return putUnknown(stream, expected.size);
  };

  const putKnown = async (stream: Readable, expected: { digest: Digest; size?: number }): Promise<BlobInfo> => {
    const w = await writer(expected);
    if (!w) {
      stream.destroy();
      return info(expected.digest);
    }
    try {
      // After a resume the first `offset` bytes are already on disk (and hashed): skip them.
      let skip = w.offset;
      for await (const chunk of stream) {
        let buf = chunk as Buffer;
        if (skip > 0) {
          const n = Math.min(skip, buf.length);
          skip -= n;
          buf = buf.subarray(n);
          if (!buf.length) continue;
        }
        await w.write(buf);
      }
      return await w.commit();
    } catch (err) {
      await w.close();
      throw err;
    }
  };

  // Content of unknown digest (a layer being written): a private temp ingest, digest known at the end.
  const putUnknown = async (stream: Readable, size?: number): Promise<BlobInfo> => {
    const dir = path.join(ingestDir, `tmp-${randomBytes(8).toString('hex')}`);
    fs.mkdirSync(dir, { recursive: true });
    const lock = acquireFileLock(path.join(dir, 'lock'), `temporary ingest ${dir}`);
    const data = path.join(dir, 'data');
    const hash = createHash('sha256');
    let written = 0;
    const out = fs.createWriteStream(data, { mode: 0o644 });
    try {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        written += (chunk as Buffer).length;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (size !== undefined && written !== size) {
        throw new ImageError(`content stream: received ${written} bytes, expected ${size}; the data was discarded`, 'DataLoss');
      }
      const digest = `sha256:${hash.digest('hex')}` as Digest;
      const blob = blobPath(digest);
      if (!fs.existsSync(blob)) {
        const fd = fs.openSync(data, 'r');
        try {
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.mkdirSync(path.dirname(blob), { recursive: true });
        fs.renameSync(data, blob);
        fsyncDir(path.dirname(blob));
      }
      return await info(digest);
    } finally {
      out.destroy();
      lock.release();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  const list = async (): Promise<BlobInfo[]> => {
    const out: BlobInfo[] = [];
    for (const alg of ['sha256', 'sha512']) {
      let names: string[];
      try {
        names = fs.readdirSync(path.join(blobsDir, alg));
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      for (const hex of names) {
        const d = `${alg}:${hex}`;
        if (!isDigest(d)) continue;
        try {
          out.push(await info(d));
        } catch {
          // deleted meanwhile
        }
      }
    }
    return out;
  };

  const ingests = async (): Promise<{ digest: Digest; offset: number }[]> => {
    const out: { digest: Digest; offset: number }[] = [];
    for (const name of fs.readdirSync(ingestDir)) {
      const d = name.replace('-', ':');
      if (!isDigest(d)) continue;
      let offset = 0;
      try {
        offset = fs.statSync(path.join(ingestDir, name, 'data')).size;
      } catch {
        // a lock without data yet
      }
      out.push({ digest: d, offset });
    }
    return out;
  };

  return {
    info,
    has: async (digest) => fs.existsSync(blobPath(digest)),
    reader(digest, offset = 0) {
      const file = blobPath(digest);
      if (!fs.existsSync(file)) throw notFound(digest);
      return fs.createReadStream(file, { start: offset, highWaterMark: 1 << 20 });
    },
    async readAll(digest, limit = DEFAULT_READ_LIMIT) {
      const file = blobPath(digest);
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch (err) {
        if (isMissing(err)) throw notFound(digest);
        throw err;
      }
      if (st.size > limit) {
        throw new ImageError(`blob ${digest} is ${st.size} bytes, above the ${limit}-byte limit for reading it into memory`, 'InvalidArgument');
      }
      const known = smallBlobs.get(file, st);
      if (known) return known;
      const bytes = fs.readFileSync(file);
      smallBlobs.set(file, st, bytes);
      return Buffer.from(bytes);
    },
    path: blobPath,
    writer,
    put,
    putStream,
    async delete(digest) {
      try {
        fs.unlinkSync(blobPath(digest));
      } catch (err) {
        if (isMissing(err)) throw notFound(digest);
        throw err;
      }
    },
    list,
    ingests,
  };
}
