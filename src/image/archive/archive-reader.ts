// Reads an image archive tar (docker-archive, OCI layout or both) in one pass. Blobs go straight into the
// content store as they stream by (`blobs/<alg>/<hex>` verified against the digest its name claims, other
// large files such as a docker-archive's `<id>/layer.tar` under the digest computed while storing them);
// small files (manifest.json, configs, index.json) are kept in memory. No entry name ever becomes a host
// path, so hostile names cannot write anywhere: they are refused or looked up in a map.
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { type Digest, digestOf } from '../digest.js';
import { ImageError } from '../errors.js';
import { type ArchiveNode, normalizeEntryPath, resolveArchivePath } from './archive-paths.js';
import { decompressArchive, SNIFF_BYTES } from './compression.js';
import { digestOfBlobPath } from './oci-layout.js';

export interface ArchiveFile {
  size: number;
  /** The first bytes (to recognise a layer's compression without reading it again). */
  head: Buffer;
  /** Contents of a small file kept in memory. */
  data?: Buffer;
  /** Digest of a file stored in the content store. */
  digest?: Digest;
}

/** Where large files go: the content store, behind a lease (see ops/load.ts). */
export interface BlobSink {
  /** Stores a blob whose digest its archive path names; a mismatch is an error (DataLoss). */
  putKnown(digest: Digest, size: number, data: Readable): Promise<void>;
  /** Stores a file of unknown digest; returns its sha256 digest. */
  putUnknown(data: Readable, size: number): Promise<Digest>;
}

export interface ReadArchiveOptions {
  /** Files up to this size (outside blobs/) are kept in memory (default 1 MiB). */
  smallFileLimit?: number;
  /** Total bytes kept in memory (default 64 MiB); later small files go to the sink. */
  memoryLimit?: number;
  /** Most entries accepted (default 1,000,000). */
  maxEntries?: number;
  /** Called as a stored file's bytes arrive. */
  onProgress?: (path: string, current: number, total: number) => void;
}

/** Reads the whole tar (plain, gzip or zstd) and returns a view of its files. */
export async function readArchive(input: Readable, sink: BlobSink, options: ReadArchiveOptions = {}): Promise<ArchiveView> {
  const smallLimit = options.smallFileLimit ?? 1 << 20;
  let memoryLeft = options.memoryLimit ?? 64 << 20;
  const maxEntries = options.maxEntries ?? 1_000_000;
  const stream = await decompressArchive(input).catch((e: unknown) => {
    input.destroy();
    throw e;
  });
  const extract = tar.extract();
  const feeding = pipeline(stream, extract);
  feeding.catch(() => {}); // its failure also ends the loop below with the same error
  const nodes = new Map<string, ArchiveNode<ArchiveFile>>();
  let count = 0;
  let sawEntry = false;
  try {
    for await (const entry of extract) {
      sawEntry = true;
      const h = entry.header;
      if (++count > maxEntries) throw new ImageError(`archive has more than ${maxEntries} entries`, 'InvalidArgument');
      const path = normalizeEntryPath(h.name);
      const body = entry as AsyncIterable<Buffer>;
      if (path === '') {
        await drain(body);
        continue;
      }
      if (h.type === 'file' || h.type === 'contiguous-file') {
        const size = h.size ?? 0;
        const known = digestOfBlobPath(path);
        if (known) {
          const { head } = await feed(body, size, path, options.onProgress, (s) =>
            sink.putKnown(known, size, s).catch((e: unknown) => {
              throw new ImageError(`archive entry "${path}": ${(e as Error).message}`, e instanceof ImageError ? e.kind : 'DataLoss', { cause: e });
            }),
          );
          nodes.set(path, { type: 'file', file: { size, head, digest: known } });
        } else if (size <= smallLimit && size <= memoryLeft) {
          const data = await collect(body, size, path);
          memoryLeft -= data.length;
          nodes.set(path, { type: 'file', file: { size, head: data.subarray(0, SNIFF_BYTES), data } });
        } else {
          const { head, result: digest } = await feed(body, size, path, options.onProgress, (s) => sink.putUnknown(s, size));
          nodes.set(path, { type: 'file', file: { size, head, digest } });
        }
      } else if (h.type === 'directory') {
        await drain(body);
        nodes.set(path, { type: 'dir' });
      } else if (h.type === 'symlink' || h.type === 'link') {
        await drain(body);
        const target = h.linkname ?? '';
        if (target === '') throw new ImageError(`archive entry "${path}": link without a target`, 'InvalidArgument');
        nodes.set(path, { type: h.type === 'link' ? 'hardlink' : 'symlink', target });
      } else {
        await drain(body); // devices, fifos: nothing an image archive needs
      }
    }
    await feeding;
  } catch (e) {
    stream.destroy();
    input.destroy();
    extract.destroy();
    if (e instanceof ImageError) throw e;
    throw new ImageError(`cannot read the image archive: ${(e as Error).message}`, 'InvalidArgument', { cause: e });
  }
  if (!sawEntry) throw new ImageError('the archive is empty (expected a tar from `docker save`, `berth save` or an OCI layout)', 'InvalidArgument');
  return new ArchiveView(nodes);
}

/** Lookups in a read archive, following its links. */
export class ArchiveView {
  constructor(readonly nodes: ReadonlyMap<string, ArchiveNode<ArchiveFile>>) {}

  /** The file at `path`, or undefined (also for directories). */
  find(path: string): ArchiveFile | undefined {
    const hit = resolveArchivePath(this.nodes, path);
    return hit?.node.type === 'file' ? hit.node.file : undefined;
  }

  /** The file at `path`; a clear error naming `what` when absent. */
  get(path: string, what: string): ArchiveFile {
    const f = this.find(path);
    if (!f) throw new ImageError(`the archive has no ${what} "${path}"`, 'InvalidArgument');
    return f;
  }

  /** The digest of a file (stored: known; in memory: computed). */
  digest(file: ArchiveFile): Digest {
    if (file.digest) return file.digest;
    file.digest = digestOf(file.data!);
    return file.digest;
  }
}

async function drain(body: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of body) void _;
}

async function collect(body: AsyncIterable<Buffer>, size: number, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > size) throw new ImageError(`archive entry "${path}": more data than its header declares`, 'InvalidArgument');
    chunks.push(c);
  }
  return Buffer.concat(chunks, n);
}

/**
 * Hands a file's bytes to `consume` through a stream of its own, keeping the first bytes and reporting
 * progress. The tar entry is always read to its end, even when the consumer stops early (a blob the store
 * already has), because the next entry starts only after it.
 */
async function feed<T>(
  body: AsyncIterable<Buffer>,
  size: number,
  path: string,
  onProgress: ReadArchiveOptions['onProgress'],
  consume: (s: Readable) => Promise<T>,
): Promise<{ head: Buffer; result: T }> {
  const pass = new PassThrough({ highWaterMark: 1 << 20 });
  let settled = false;
  const consuming = consume(pass).finally(() => (settled = true));
  consuming.catch(() => {});
  const stopped = consuming.then(() => {}, () => {});
  let head = Buffer.alloc(0);
  let seen = 0;
  let shown = -1;
  const step = Math.max(size / 50, 512 << 10);
  try {
    for await (const c of body) {
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, c.subarray(0, SNIFF_BYTES - head.length)]);
      seen += c.length;
      if (onProgress && (seen - shown >= step || seen === size)) {
        shown = seen;
        onProgress(path, seen, size);
      }
      if (settled || pass.destroyed) continue;
      if (!pass.write(c)) await Promise.race([once(pass, 'drain').catch(() => {}), stopped]);
    }
    pass.end();
  } catch (e) {
    pass.destroy(e as Error);
    await stopped;
    throw e;
  }
  return { head, result: await consuming };
}
