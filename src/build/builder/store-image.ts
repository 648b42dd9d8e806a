// Each build step's result is an image: its config and an OCI manifest stored in the content store, and a
// dangling record (`<none>@<id>`, like Docker's intermediate images) so garbage collection keeps it for the cache.
import { createHash } from 'node:crypto';
import type { Descriptor, ImageContext, ImageManifest } from '../../image/index.js';
import type { ImageState } from './types.js';

// The image store's marker for an image without a name (src/image/store/image-store.ts DANGLING_PREFIX).
const DANGLING_PREFIX = '<none>@';
/** Label on the records of build steps' images: the id of the image the step started from. */
export const INTERMEDIATE_LABEL = 'berth.build.parent';

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function digestOf(bytes: Buffer): `sha256:${string}` {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Stores `state`'s config and manifest and records the image; returns the state with its id and target. */
export async function storeImage(ctx: ImageContext, state: ImageState, parentId: string | undefined): Promise<ImageState> {
  const configBytes = Buffer.from(JSON.stringify(state.config));
  const config: Descriptor = { mediaType: OCI_CONFIG, digest: digestOf(configBytes), size: configBytes.length };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: state.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const target: Descriptor = { mediaType: OCI_MANIFEST, digest: digestOf(manifestBytes), size: manifestBytes.length };
  await ctx.content.put(configBytes, config.digest);
  await ctx.content.put(manifestBytes, target.digest);
  await ctx.images.put({ name: `${DANGLING_PREFIX}${config.digest}`, target, labels: { [INTERMEDIATE_LABEL]: parentId ?? '' } });
  return { ...state, id: config.digest, target };
}

/** Makes sure a step image has a record (a cache hit whose record was dropped by a tag move gets it back). */
export async function recordImage(ctx: ImageContext, id: string, target: Descriptor, parentId: string | undefined): Promise<void> {
  for (const rec of await ctx.images.list()) if (rec.target.digest === target.digest) return;
  await ctx.images.put({ name: `${DANGLING_PREFIX}${id}`, target, labels: { [INTERMEDIATE_LABEL]: parentId ?? '' } });
}
