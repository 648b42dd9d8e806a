// applyLayer: one pass over a layer blob — decompress, hash the tar (the diffId), check every header against
// the path rules and limits, and write the entries into the target directory.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import type { FsOps } from '../native/fsops.js';
import { ByteReader } from './byte-reader.js';
import { openDecompressed, type Compression } from './decompress.js';
import type { FileWriter } from './file-writer.js';
import { sharedFileWriter } from './file-writer-pool.js';
import { LimitTracker, resolveLimits, type UnpackLimits } from './limits.js';
import { TarReader } from './tar-reader.js';
import { TreeApplier } from './tree-applier.js';

export interface ApplyLayerOptions {
  /** 'overlay': target is this layer's own empty dir, whiteouts become overlayfs markers; 'delete': target is the full tree. */
  whiteouts: 'overlay' | 'delete';
  fsops: FsOps;
  /** Creates regular files and symlinks (default: a channel of the process-wide worker-thread pool). */
  files?: FileWriter;
  /** Default 'unknown': decided from the magic bytes. */
  compression?: Compression | 'unknown';
  limits?: Partial<UnpackLimits>;
  /**
   * Whose metadata a hard link's inode ends with: 'target' (default: the file linked to keeps its own, as layer
   * unpacking wants) or 'entry' (the link header's owner, mode, xattrs and times, as Docker's ADD of a tar does).
   */
  hardlinkMetadata?: 'target' | 'entry';
  /** Progress: the running total of compressed bytes read from `input`. */
  onBytes?: (compressedBytesRead: number) => void;
}

export interface ApplyLayerResult {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** Entries in the tar (whiteouts included, PAX / long-name headers not). */
  entries: number;
}

/**
 * Unpacks a layer into `target` (an existing directory). Hostile entries are refused with an ImageError
 * (InvalidArgument) naming the entry and the rule, before anything is written outside `target`; on any
 * error the target is left part-written (with no write still in flight) and the caller discards it. On
 * error `input` is destroyed.
 */
export async function applyLayer(input: Readable, target: string, options: ApplyLayerOptions): Promise<ApplyLayerResult> {
  const limits = resolveLimits(options.limits);
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!st?.isDirectory()) {
    input.destroy();
    throw new ImageError(`layer target ${target} is not a directory; create it before unpacking`, 'InvalidArgument');
  }
  const hash = createHash('sha256');
  const dec = await openDecompressed(input, options.compression ?? 'unknown', options.onBytes);
  const bytes = new ByteReader(dec.chunks, (chunk) => hash.update(chunk));
  const tar = new TarReader(bytes, limits.maxHeaderSize);
  const tracker = new LimitTracker(limits);
  const applier = new TreeApplier(target, options.whiteouts, options.fsops, limits.maxPathLength, options.files ?? sharedFileWriter().channel(), options.hardlinkMetadata);
  try {
    for (let e = await tar.next(); e; e = await tar.next()) {
      tracker.admit(e.name, e.size);
      await applier.apply(e, tar);
    }
    await tar.finish();
    await dec.finished();
    await applier.finish();
  } catch (err) {
    dec.destroy();
    // Nothing may still be writing into the target when the caller goes to discard it.
    await applier.abandon();
    throw err;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size: bytes.consumed, entries: tracker.entries };
}
