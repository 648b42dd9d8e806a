// `berth load`: a docker-archive (`docker save`), an OCI layout tar (`skopeo copy … oci-archive:`) or the
// combined format (`berth save`, Docker ≥ 25) into the store. The tar is read once, blobs going straight into
// the content store under a lease; then everything is checked (load-plan.ts), layers are unpacked (verifying
// diffIDs), and only when every image is complete are names given, so a bad archive leaves nothing named.
import type { Readable } from 'node:stream';
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { chainIds } from '../manifest/chain-id.js';
import { selectManifest } from '../manifest/platform.js';
import { createLease, type Lease } from '../content/leases.js';
import { ImageError } from '../errors.js';
import { openFsOps, type FsOps } from '../native/fsops.js';
import { type ProgressSink, shortId, silent } from '../progress/events.js';
import { DANGLING_PREFIX } from '../store/image-store.js';
import { type BlobSink, readArchive } from '../archive/archive-reader.js';
import { decompressedDigest } from '../archive/compression.js';
import { planLoad, type PlannedImage } from '../archive/load-plan.js';
import { digestOfBlobPath } from '../archive/oci-layout.js';
import { assignName } from './assign-name.js';
import { familiarOf } from './names.js';
import { imageGroups } from './resolve.js';
import { removeStaleExtracts } from './stale-extracts.js';
import { unpackLayer } from './unpack-layer.js';

export interface LoadOptions {
  progress?: ProgressSink;
}

export interface LoadResult {
  /** Familiar names given (`busybox:latest`), in archive order. */
  names: string[];
  /** Image ids (config digests) of every image loaded, named or not. */
  ids: string[];
}

/** Loads every image of an archive stream (plain, gzip or zstd tar). */
export async function loadImages(ctx: ImageContext, input: Readable, options: LoadOptions = {}): Promise<LoadResult> {
  const progress = options.progress ?? silent;
  await removeStaleExtracts(ctx);
  const lease = createLease(ctx.contentRoot, 'load');
  const fsops = openFsOps();
  try {
    const view = await readArchive(input, storeSink(ctx, lease), {
      onProgress: (path, current, total) => progress({ id: progressId(path), status: 'Loading layer', progressDetail: { current, total } }),
    });
    const images = await planLoad(view, {
      readBlob: (d, limit) => ctx.content.readAll(d, limit),
      selectManifest: (index) => selectManifest(index, ctx.platform, 'archive'),
    });
    for (const img of images) await storeDocuments(ctx, lease, img);
    const verified = new Set<string>();
    for (const img of images) await unpackImage(ctx, fsops, lease, img, verified, progress);
    return await nameImages(ctx, images, progress);
  } finally {
    await fsops.close();
    await lease.release();
  }
}

// Blobs named by their path are verified against it by the store; other large files get the digest of
// what was stored. Each is leased before (or, for unknown digests, as soon as) it is committed.
function storeSink(ctx: ImageContext, lease: Lease): BlobSink {
  return {
    async putKnown(digest, size, data) {
      await lease.add(digest);
      const w = await ctx.content.writer({ digest, size });
      if (!w) return; // already stored; the reader skips the rest of the entry
      try {
        // A leftover partial ingest of the same digest holds a prefix of these very bytes.
        let skip = w.offset;
        for await (const chunk of data) {
          const c = (chunk as Buffer).subarray(Math.min(skip, (chunk as Buffer).length));
          skip -= (chunk as Buffer).length - c.length;
          if (c.length > 0) await w.write(c);
        }
        await w.commit();
      } catch (e) {
        await w.abort(); // unlike a pull, a failed load is not resumed: leave no partial data behind
        throw e;
      }
    },
    async putUnknown(data, size) {
      const info = await ctx.content.putStream(data, { size });
      await lease.add(info.digest);
      return info.digest;
    },
  };
}

async function storeDocuments(ctx: ImageContext, lease: Lease, img: PlannedImage): Promise<void> {
  for (const [digest, bytes] of img.blobs) {
    await lease.add(digest);
    await ctx.content.put(bytes, digest);
  }
  for (const d of [img.manifestDescriptor, img.manifest.config, ...img.layers.map((l) => l.descriptor)]) {
    await lease.add(d.digest);
    if (!(await ctx.content.has(d.digest))) throw new ImageError(`image ${img.id}: blob ${d.digest} did not reach the content store`, 'Internal');
  }
}

async function unpackImage(ctx: ImageContext, fsops: FsOps, lease: Lease, img: PlannedImage, verified: Set<string>, progress: ProgressSink): Promise<void> {
  const chain = chainIds(img.layers.map((l) => l.diffId));
  for (const [i, layer] of img.layers.entries()) {
    const chainId = chain[i]!;
    await lease.add(chainId);
    const key = `${layer.descriptor.digest} ${layer.diffId}`;
    const exists = await ctx.snapshots.stat(chainId).then(() => true, () => false);
    if (!exists) {
      await unpackLayer(ctx, fsops, { layer: layer.descriptor, diffId: layer.diffId, chainId, parent: chain[i - 1] }, progress);
      verified.add(key);
    } else if (!verified.has(key) && layer.compression !== 'none') {
      // The layer is already unpacked, but this archive's blob for it will be what `save` and `push` send:
      // it must really decompress to the diffID the config claims. (Uncompressed blobs were checked by digest.)
      const actual = await decompressedDigest(ctx.content.reader(layer.descriptor.digest), layer.compression);
      if (actual !== layer.diffId) {
        throw new ImageError(`layer ${layer.descriptor.digest}: uncompressed content is ${actual} but the image config says ${layer.diffId}`, 'DataLoss');
      }
      verified.add(key);
    }
    progress({ id: shortId(layer.descriptor.digest), status: 'Loaded' });
  }
}

async function nameImages(ctx: ImageContext, images: PlannedImage[], progress: ProgressSink): Promise<LoadResult> {
  const names: string[] = [];
  const known = new Set((await imageGroups(ctx)).map((g) => g.id));
  for (const img of images) {
    for (const name of img.names) {
      const familiar = familiarOf(name);
      const old = await assignName(ctx, name, img.manifestDescriptor);
      if (old && old !== img.id) progress({ status: `The image ${familiar} already exists, renaming the old one with ID ${old} to empty string` });
      progress({ status: `Loaded image: ${familiar}` });
      names.push(familiar);
    }
    if (img.names.length === 0) {
      // Docker keeps an unnamed loaded image as a dangling one; an image already known keeps its names.
      if (!known.has(img.id)) await ctx.images.put({ name: `${DANGLING_PREFIX}${img.id}`, target: img.manifestDescriptor });
      progress({ status: `Loaded image ID: ${img.id}` });
    }
  }
  return { names, ids: images.map((i) => i.id) };
}

function progressId(path: string): string {
  const d: Digest | undefined = digestOfBlobPath(path);
  return d ? shortId(d) : path.split('/')[0]!.slice(0, 12);
}
