// Compression as the archive code needs it, on top of the unpacker's decompressor (unpack/decompress.ts):
// a docker-archive's layer files carry no media type, so their compression is read from the magic bytes,
// and whole archives may themselves be gzip or zstd compressed (`docker save | gzip`).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import { ImageError, isImageError } from '../errors.js';
import { type Compression, openDecompressed, sniffCompression } from '../unpack/decompress.js';

export type { Compression } from '../unpack/decompress.js';
export { layerMediaType } from '../diff/compress.js';

/** Bytes needed to recognise every format. */
export const SNIFF_BYTES = 6;

/** A layer file's compression from its first bytes; bzip2/xz are refused naming the file. */
export function sniffLayer(head: Buffer, path: string): Compression {
  try {
    return sniffCompression(head);
  } catch (e) {
    throw new ImageError(`${path}: ${(e as Error).message}`, 'InvalidArgument', { cause: e });
  }
}

/** The uncompressed bytes of an archive stream (plain, gzip or zstd), as a Readable. */
export async function decompressArchive(input: Readable): Promise<Readable> {
  let dec;
  try {
    dec = await openDecompressed(input, 'unknown');
  } catch (e) {
    if (isImageError(e, 'InvalidArgument')) {
      throw new ImageError(`${e.message.replace(/^layer is/, 'the archive is').replace(/layers must be/, 'archives must be')} (decompress it first)`, 'InvalidArgument');
    }
    throw e;
  }
  return Readable.from(renameErrors(dec.chunks, dec.finished), { objectMode: false });
}

async function* renameErrors(chunks: AsyncIterable<Buffer>, finished: () => Promise<void>): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
    await finished();
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(e.message.replace(/^layer is/, 'the archive is'), e.kind, { cause: e });
    throw e;
  }
}

/** sha256 of the decompressed content of a stream: a layer's diffID. */
export async function decompressedDigest(input: Readable, c: Compression): Promise<Digest> {
  const hash = createHash('sha256');
  const dec = await openDecompressed(input, c);
  try {
    for await (const chunk of dec.chunks) hash.update(chunk);
    await dec.finished();
  } catch (e) {
    dec.destroy();
    throw e;
  }
  return `sha256:${hash.digest('hex')}`;
}
