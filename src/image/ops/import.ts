// `berth import` (like `docker import`): a root filesystem tar (plain, gzip or zstd) becomes a one-layer
// image. One pass: decompress, hash the tar (the diffID), gzip it and stream it into the content store
// (which hashes the compressed bytes: the layer digest); then config and manifest, unpack, name.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import type { Descriptor, Platform } from '../manifest/types.js';
import { MediaType } from '../media-types.js';
import { createLease } from '../content/leases.js';
import { createCompressor } from '../diff/compress.js';
import { openDecompressed } from '../unpack/decompress.js';
import { openFsOps } from '../native/fsops.js';
import { silent } from '../progress/events.js';
import { formatReference, parseReference, withDefaultTag } from '../reference/parse.js';
import { DANGLING_PREFIX } from '../store/image-store.js';
import { applyChanges } from '../archive/image-changes.js';
import { imageDocuments, importConfig } from '../archive/import-config.js';
import { assignName } from './assign-name.js';
import { removeStaleExtracts } from './stale-extracts.js';
import { unpackLayer } from './unpack-layer.js';

export interface ImportOptions {
  /** Name for the new image (`repo[:tag]`, default tag latest); without one the image is dangling. */
  reference?: string;
  /** Commit message (`-m`), stored as the history comment. */
  message?: string;
  /** Dockerfile instructions applied to the config (`--change`). */
  changes?: string[];
  /** Platform recorded in the config (default the context's). */
  platform?: Platform;
  /** What the tar came from, for the default comment "Imported from <source>" (default "-"). */
  source?: string;
}

/** Imports a rootfs tar as a new image; returns its id. */
export async function importImage(ctx: ImageContext, input: Readable, options: ImportOptions = {}): Promise<{ id: string }> {
  // Arguments are checked before reading anything.
  let name: string | undefined;
  try {
    if (options.reference !== undefined) {
      const ref = parseReference(options.reference);
      if (ref.digest) throw new ImageError(`import: refusing to create a tag with a digest reference (${options.reference})`, 'InvalidArgument');
      name = formatReference(withDefaultTag(ref));
    }
    applyChanges({}, options.changes ?? []);
  } catch (e) {
    input.destroy();
    throw e;
  }
  await removeStaleExtracts(ctx);
  const lease = createLease(ctx.contentRoot, `import ${name ?? ''}`.trim());
  const fsops = openFsOps();
  try {
    const { layer, diffId } = await storeLayer(ctx, input);
    await lease.add(layer.digest);
    const config = importConfig({
      diffId,
      platform: options.platform ?? ctx.platform,
      created: new Date().toISOString(),
      ...(options.message !== undefined ? { message: options.message } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
      changes: options.changes ?? [],
    });
    const docs = imageDocuments(config, layer);
    for (const d of [docs.config, docs.manifest]) {
      await lease.add(d.descriptor.digest);
      await ctx.content.put(d.bytes, d.descriptor.digest);
    }
    await lease.add(diffId);
    if (!(await ctx.snapshots.stat(diffId).then(() => true, () => false))) {
      await unpackLayer(ctx, fsops, { layer, diffId, chainId: diffId }, silent).catch((e: unknown) => {
        throw new ImageError(`import: the input is not a usable root filesystem tar: ${(e as Error).message}`, e instanceof ImageError ? e.kind : 'Internal', { cause: e });
      });
    }
    const id = docs.config.descriptor.digest;
    if (name) await assignName(ctx, name, docs.manifest.descriptor);
    else await ctx.images.put({ name: `${DANGLING_PREFIX}${id}`, target: docs.manifest.descriptor });
    return { id };
  } finally {
    await fsops.close();
    await lease.release();
  }
}

// input → decompress → (hash: diffID) → gzip → content store (hash: digest).
async function storeLayer(ctx: ImageContext, input: Readable): Promise<{ layer: Descriptor; diffId: Digest }> {
  let dec;
  try {
    dec = await openDecompressed(input, 'unknown');
  } catch (e) {
    input.destroy();
    throw new ImageError(`import: ${(e as Error).message.replace(/^layer is/, 'the tar is')}`, (e as ImageError).kind ?? 'InvalidArgument', { cause: e });
  }
  const tarHash = createHash('sha256');
  let tarBytes = 0;
  const hashTar = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      tarHash.update(chunk);
      tarBytes += chunk.length;
      cb(null, chunk);
    },
  });
  const gzip = createCompressor('gzip');
  const feeding = pipeline(dec.chunks, hashTar, gzip.stream);
  // Whichever side fails first holds the cause; the other then fails only because its partner stopped.
  let first: 'read' | 'store' | undefined;
  const storing = ctx.content.putStream(gzip.stream).catch((e: unknown) => {
    first ??= 'store';
    gzip.stream.destroy(); // unblocks the feeding side
    throw e;
  });
  const reading = feeding.then(() => dec.finished()).catch((e: unknown) => {
    first ??= 'read';
    dec.destroy();
    throw e;
  });
  const [fed, stored] = await Promise.allSettled([reading, storing]);
  if (stored.status === 'rejected' && (first === 'store' || fed.status === 'fulfilled')) throw stored.reason;
  if (fed.status === 'rejected') {
    const e = fed.reason as Error;
    throw new ImageError(`import: cannot read the tar: ${e.message}`, e instanceof ImageError ? e.kind : 'InvalidArgument', { cause: e });
  }
  if (stored.status === 'rejected') throw stored.reason;
  if (tarBytes === 0) throw new ImageError('import: the input is empty (expected a tar of a root filesystem)', 'InvalidArgument');
  return {
    layer: { mediaType: MediaType.OciLayerGzip, digest: stored.value.digest, size: stored.value.size },
    diffId: `sha256:${tarHash.digest('hex')}`,
  };
}
