// The content store's roles (containerd's shape): read what is there, ingest new blobs atomically, delete.
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
  /** When the blob was committed (ms since epoch). */
  createdAt: number;
}

export interface ContentProvider {
  /** Info of a committed blob; ImageError NotFound when absent. */
  info(digest: Digest): Promise<BlobInfo>;
  /** True when the blob is committed. */
  has(digest: Digest): Promise<boolean>;
  /** A stream of the blob's bytes (from `offset`). */
  reader(digest: Digest, offset?: number): Readable;
  /** The whole blob (for manifests and configs; refuses blobs above `limit` bytes). */
  readAll(digest: Digest, limit?: number): Promise<Buffer>;
  /** The blob's path on disk (read-only use: unpack and save stream from it). */
  path(digest: Digest): string;
}

/** An in-progress write. Bytes written are hashed as they arrive; commit verifies and renames atomically. */
export interface IngestWriter {
  /** Bytes already present (after a resumed, interrupted ingest). */
  readonly offset: number;
  write(chunk: Buffer): Promise<void>;
  /** fsyncs, verifies size and digest, renames into place; a mismatch discards the data (DataLoss). */
  commit(): Promise<BlobInfo>;
  /** Keeps the partial data for a later resume and releases the ingest lock. */
  close(): Promise<void>;
  /** Discards the partial data. */
  abort(): Promise<void>;
}

export interface ContentIngester {
  /**
   * Opens (or resumes) the ingest for `expected`. Returns null when the blob is already committed.
   * A second writer for the same digest waits (or, in another process, fails with Unavailable naming the
   * holder) — one ingest per digest at a time.
   */
  writer(expected: { digest: Digest; size?: number }): Promise<IngestWriter | null>;
  /** Writes a whole buffer (verifying its digest when given). */
  put(data: Buffer, digest?: Digest): Promise<BlobInfo>;
  /**
   * Writes a stream. With `expected.digest` it goes through `writer` (verified; a resumed ingest skips the
   * bytes it already has; an already-committed blob's stream is destroyed unread). Without it (a layer being
   * written, an import) the content goes to a private temp ingest, is hashed (sha256) as it arrives and is
   * renamed into place at the end; `expected.size`, when given, is checked.
   */
  putStream(stream: Readable, expected?: { digest?: Digest; size?: number }): Promise<BlobInfo>;
}

export interface ContentStore extends ContentProvider, ContentIngester {
  delete(digest: Digest): Promise<void>;
  list(): Promise<BlobInfo[]>;
  /** Partial ingests on disk (digest and bytes so far). */
  ingests(): Promise<{ digest: Digest; offset: number }[]>;
}
