// A container's root filesystem from an image: a writable snapshot on top of the image's layers, labelled
// with the image id (so `rmi` knows the image is in use). The caller mounts the returned mounts.
import type { ImageContext } from '../context.js';
import { ImageError } from '../errors.js';
import type { Mount } from '../snapshot/types.js';
import type { LocalImage } from './local-image.js';
import { IMAGE_LABEL } from './remove.js';
import { resolveImage } from './resolve.js';

/** Prepares snapshot `key` from an image (name or id); `readonly` gives a view instead. */
export async function prepareRootfs(
  ctx: ImageContext,
  imageInput: string,
  key: string,
  options: { readonly?: boolean; labels?: Record<string, string> } = {},
): Promise<{ mounts: Mount[]; image: LocalImage }> {
  const { group } = await resolveImage(ctx, imageInput);
  const chain = group.image.chainIds;
  for (const c of chain) {
    await ctx.snapshots.stat(c).catch(() => {
      throw new ImageError(`image ${imageInput}: layer ${c} is not unpacked (pull the image again)`, 'FailedPrecondition');
    });
  }
  const labels = { [IMAGE_LABEL]: group.id, ...(options.labels ?? {}) };
  const top = chain[chain.length - 1];
  const mounts = options.readonly ? await ctx.snapshots.view(key, top, labels) : await ctx.snapshots.prepare(key, top, labels);
  return { mounts, image: group.image };
}
