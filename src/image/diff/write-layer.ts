// writeLayer: a snapshot's changes as a layer tar (PAX, sorted, parents first, hardlinks preserved),
// compressed and hashed on the way out: diffId over the tar, digest and size over what is written.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import type { Descriptor } from '../manifest/types.js';
import type { FsOps } from '../native/fsops.js';
import type { ChangeSource } from '../snapshot/types.js';
import type { ContentStore } from '../content/types.js';
import { upperChanges, type Change } from './changes.js';
import { compareChanges } from './compare-trees.js';
import { createCompressor, layerMediaType, type LayerCompression } from './compress.js';
import { END_OF_ARCHIVE, encodeHeader, paddingFor, type TarHeader } from './tar-header-encode.js';

export interface WriteLayerOptions {
  fsops: FsOps;
  compression: LayerCompression;
}

export interface WrittenLayer {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** sha256 of the bytes written to `out`. */
  digest: Digest;
  /** Bytes written to `out`. */
  size: number;
  mediaType: string;
}

const BATCH = 64 * 1024;
const READ_PIECE = 1024 * 1024;

/** Linux dev_t → major/minor (glibc's encoding; bigint because majors can sit above bit 32). */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const d = BigInt(rdev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)),
    minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)),
  };
}

function headerFor(c: Change, links: Map<string, string>): { header: TarHeader; data: boolean } {
  const st = c.stat;
  const base = { name: c.name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000), xattrs: c.xattrs };
  if (c.kind === 'whiteout') return { header: { ...base, type: 'file', mode: 0, xattrs: undefined }, data: false };
  if (st.isDirectory()) return { header: { ...base, type: 'directory' }, data: false };
  if (st.isSymbolicLink()) return { header: { ...base, type: 'symlink', linkname: fs.readlinkSync(c.abs) }, data: false };
  if (st.isFile()) {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) return { header: { ...base, type: 'link', linkname: first }, data: false };
      links.set(key, c.name);
    }
    return { header: { ...base, type: 'file', size: st.size }, data: true };
  }
  const type = st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : null;
  if (!type) throw new ImageError(`cannot put ${c.abs} in a layer: unsupported file type`, 'InvalidArgument');
  const { major, minor } = splitDevice(st.rdev);
  return { header: { ...base, type, devmajor: major, devminor: minor }, data: false };
}

/** The tar bytes of a change list, small pieces batched so the stream sees few, large chunks. */
async function* tarChunks(changes: Change[]): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  let batch: Buffer[] = [];
  let batched = 0;
  const add = (b: Buffer) => {
    batch.push(b);
    batched += b.length;
  };
  const flush = (): Buffer => {
    const out = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  for (const c of changes) {
    const { header, data } = headerFor(c, links);
    add(encodeHeader(header));
    if (data && header.size > 0) {
      const fd = fs.openSync(c.abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        let left = header.size;
        while (left > 0) {
          const piece = Buffer.allocUnsafe(Math.min(left, READ_PIECE));
          const n = fs.readSync(fd, piece, 0, piece.length, null);
          if (n === 0) throw new ImageError(`${c.abs} shrank while the layer was written; stop the container and commit again`, 'FailedPrecondition');
          add(n === piece.length ? piece : piece.subarray(0, n));
          left -= n;
          if (batched >= BATCH) yield flush();
        }
      } finally {
        fs.closeSync(fd);
      }
      add(paddingFor(header.size));
    }
    if (batched >= BATCH) yield flush();
  }
  add(END_OF_ARCHIVE);
  yield flush();
}

function tap(onChunk: (b: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onChunk(chunk);
      cb(null, chunk);
    },
  });
}

/** Writes the changes of `source` as a (compressed) layer to `out`, which it ends. */
export async function writeLayer(source: ChangeSource, out: Writable, options: WriteLayerOptions): Promise<WrittenLayer> {
  let changes: Change[];
  try {
    if (source.kind === 'overlay-upper') changes = await upperChanges(source.upper, options.fsops);
    else {
      if (!source.lower) throw new ImageError('compare change source needs a lower directory', 'InvalidArgument');
      changes = await compareChanges(source.lower, source.upper, options.fsops);
    }
  } catch (err) {
    out.destroy(err as Error);
    throw err;
  }
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  let size = 0;
  const compressor = createCompressor(options.compression);
  try {
    await pipeline(
      Readable.from(tarChunks(changes)),
      tap((b) => diff.update(b)),
      compressor.stream,
      tap((b) => {
        compressed.update(b);
        size += b.length;
      }),
      out,
    );
    await compressor.done();
  } catch (err) {
    compressor.kill();
    throw err;
  }
  return {
    diffId: `sha256:${diff.digest('hex')}`,
    digest: `sha256:${compressed.digest('hex')}`,
    size,
    mediaType: layerMediaType(options.compression),
  };
}

/** writeLayer streamed straight into the content store; returns the layer's descriptor and diffId. */
export async function writeLayerToStore(
  source: ChangeSource,
  store: ContentStore,
  options: WriteLayerOptions,
): Promise<{ descriptor: Descriptor; diffId: Digest }> {
  const pass = new PassThrough({ highWaterMark: 1 << 20 });
  const [written, stored] = await Promise.allSettled([writeLayer(source, pass, options), store.putStream(pass)]);
  if (written.status === 'rejected') throw written.reason;
  if (stored.status === 'rejected') throw stored.reason;
  const { digest, size, mediaType, diffId } = written.value;
  if (stored.value.digest !== digest || stored.value.size !== size) {
    throw new ImageError(`layer written as ${digest} (${size} bytes) was stored as ${stored.value.digest} (${stored.value.size} bytes)`, 'Internal');
  }
  return { descriptor: { mediaType, digest, size }, diffId };
}
