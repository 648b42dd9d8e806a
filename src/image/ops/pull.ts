// `berth pull`: resolve a reference at its registry, fetch the manifest for our platform, then download the
// missing blobs in parallel (resuming interrupted downloads) while unpacking each layer into a snapshot named
// by its chainID (pull-layers.ts). Layers whose snapshot exists are not unpacked again, and blobs already
// in the content store are not downloaded again.
import type { ImageContext } from '../context.js';
import { hasherFor, splitDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { isIndexType, isManifestType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest/types.js';
import { chainIds } from '../manifest/chain-id.js';
import { formatPlatform, selectManifest } from '../manifest/platform.js';
import { familiarName, formatReference, parseReference, type ImageReference } from '../reference/parse.js';
import type { RepositoryClient } from '../registry/types.js';
import { createLease } from '../content/leases.js';
import { openFsOps } from '../native/fsops.js';
import { sharedFileWriter } from '../unpack/file-writer-pool.js';
import { type ProgressSink, shortId, silent } from '../progress/events.js';
import { assignName } from './assign-name.js';
import { pullLayers } from './pull-layers.js';
import { removeStaleExtracts } from './stale-extracts.js';

export interface PullOptions {
  platform?: Platform;
  progress?: ProgressSink;
}

export interface PullResult {
  /** The full reference now naming the image. */
  name: string;
  /** Digest of what the reference resolved to at the registry (index or manifest). */
  digest: Digest;
  /** Docker's image id (config digest). */
  id: Digest;
  upToDate: boolean;
}

/** Pulls an image by reference (`busybox`, `localhost:5000/a/b:tag`, `…@sha256:…`). */
export async function pullImage(ctx: ImageContext, refText: string, options: PullOptions = {}): Promise<PullResult> {
  const progress = options.progress ?? silent;
  const platform = options.platform ?? ctx.platform;
  let ref = parseReference(refText);
  if (!ref.tag && !ref.digest) {
    progress({ status: 'Using default tag: latest' });
    ref = { ...ref, tag: 'latest' };
  }
  const name = formatReference(ref);
  const repo = ctx.registry.repository(ref.domain, ref.path, ['pull']);
  progress({ id: ref.tag ?? ref.digest!, status: `Pulling from ${familiarRepo(ref)}` });

  // The unpack threads start while the manifest and config are fetched.
  sharedFileWriter().warmUp();
  await removeStaleExtracts(ctx);
  const lease = await createLease(ctx.contentRoot, `pull ${name}`);
  const fsops = openFsOps();
  // Manifests and the config are stored while the pull goes on (each store is an fsync); all must be
  // stored before the image is named.
  const stored: Promise<unknown>[] = [];
  try {
    const store = async (bytes: Buffer, digest: Digest): Promise<void> => {
      await lease.add(digest);
      const put = ctx.content.put(bytes, digest);
      put.catch(() => {}); // awaited below
      stored.push(put);
    };
    const top = await repo.getManifest(ref.digest ?? ref.tag!);
    await store(top.bytes, top.descriptor.digest);
    const { manifest, manifestDigest } = await resolvePlatformManifest(repo, top.descriptor, top.bytes, platform, store);
    await lease.add(manifest.config.digest);
    const config = await fetchConfig(ctx, repo, manifest, store);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new ImageError(`${name}: config lists ${diffIds.length} layers but manifest ${manifestDigest} has ${manifest.layers.length}`, 'DataLoss');
    }
    const chain = chainIds(diffIds);
    const old = await ctx.images.get(name);
    const have = await Promise.all(chain.map((c) => ctx.snapshots.stat(c).then(() => true, () => false)));
    const haveBlob = await Promise.all(manifest.layers.map((l) => ctx.content.has(l.digest)));
    const upToDate = old?.target.digest === top.descriptor.digest && have.every(Boolean) && haveBlob.every(Boolean);

    await lease.add(...manifest.layers.flatMap((layer, i) => [layer.digest, chain[i]!]));
    for (const [i, layer] of manifest.layers.entries()) {
      progress({ id: shortId(layer.digest), status: have[i] && haveBlob[i] ? 'Already exists' : 'Pulling fs layer' });
    }
    // Downloads run in parallel (bounded), each layer unpacking as it arrives; snapshots commit in order.
    await pullLayers(ctx, repo, fsops, manifest.layers.map((layer, i) => ({
      job: { layer, diffId: diffIds[i]!, chainId: chain[i]!, parent: chain[i - 1] },
      haveSnapshot: have[i]!,
      haveBlob: haveBlob[i]!,
    })), progress);
    const familiar = familiarName(ref) + (ref.tag ? `:${ref.tag}` : `@${ref.digest}`);
    progress({ status: `Digest: ${top.descriptor.digest}` });
    await Promise.all(stored);
    await assignName(ctx, name, top.descriptor, { repoDigest: top.descriptor.digest, source: `${ref.domain}/${ref.path}` });
    progress({ status: upToDate ? `Status: Image is up to date for ${familiar}` : `Status: Downloaded newer image for ${familiar}` });
    return { name, digest: top.descriptor.digest, id: manifest.config.digest, upToDate };
  } finally {
    await Promise.allSettled(stored);
    await fsops.close();
    await lease.release();
  }
}

// Docker names the repository path without its registry here ("latest: Pulling from library/busybox").
function familiarRepo(ref: ImageReference): string {
  return ref.path;
}

async function resolvePlatformManifest(
  repo: RepositoryClient,
  desc: Descriptor,
  bytes: Buffer,
  platform: Platform,
  store: (bytes: Buffer, digest: Digest) => Promise<void>,
): Promise<{ manifest: ImageManifest; manifestDigest: Digest }> {
  for (let depth = 0; depth < 4; depth++) {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string };
    const mediaType = desc.mediaType || doc.mediaType;
    if (isManifestType(mediaType) || (!isIndexType(mediaType) && 'config' in doc)) {
      return { manifest: doc as ImageManifest, manifestDigest: desc.digest };
    }
    if (!isIndexType(mediaType) && !('manifests' in doc)) {
      throw new ImageError(`${desc.digest}: unsupported manifest type "${mediaType ?? 'none'}" (schema 1 images are not supported; re-push the image with a current client)`, 'InvalidArgument');
    }
    const chosen = selectManifest(doc as ImageIndex, platform);
    const next = await repo.getManifest(chosen.digest);
    await store(next.bytes, chosen.digest);
    desc = { ...chosen, mediaType: next.descriptor.mediaType || chosen.mediaType };
    bytes = next.bytes;
  }
  throw new ImageError(`${desc.digest}: indexes nested too deeply for platform ${formatPlatform(platform)}`, 'InvalidArgument');
}

async function fetchConfig(
  ctx: ImageContext,
  repo: RepositoryClient,
  manifest: ImageManifest,
  store: (bytes: Buffer, digest: Digest) => Promise<void>,
): Promise<ImageConfig> {
  const d = manifest.config.digest;
  let bytes: Buffer;
  if (await ctx.content.has(d)) {
    bytes = await ctx.content.readAll(d, 8 << 20);
  } else {
    if (manifest.config.size > 8 << 20) throw new ImageError(`image config ${d} claims ${manifest.config.size} bytes; refusing configs over 8 MiB`, 'InvalidArgument');
    const blob = await repo.getBlob(d);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of blob.stream) {
      n += (c as Buffer).length;
      if (n > 8 << 20) throw new ImageError(`image config ${d} is larger than 8 MiB`, 'InvalidArgument');
      chunks.push(c as Buffer);
    }
    bytes = Buffer.concat(chunks);
    // Used before the store has it: checked here (the store checks again).
    const actual = hasherFor(d).update(bytes).digest('hex');
    if (`${splitDigest(d).algorithm}:${actual}` !== d) {
      throw new ImageError(`image config ${d}: the registry sent bytes with digest ${splitDigest(d).algorithm}:${actual}; pull again`, 'DataLoss');
    }
    await store(bytes, d);
  }
  return JSON.parse(bytes.toString('utf8')) as ImageConfig;
}
