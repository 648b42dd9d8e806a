// Pointing a name at an image, as Docker does: the image that loses the name and has no other name left
// stays as a dangling `<none>:<none>` image (until `image prune`), instead of vanishing.
import type { ImageContext } from '../context.js';
import type { Descriptor } from '../manifest/types.js';
import { DANGLING_PREFIX, type ImageRecord } from '../store/image-store.js';
import { loadLocalImage } from './local-image.js';

/** Names `name` → `target`; returns the id of an image left dangling, if any. */
export async function assignName(
  ctx: ImageContext,
  name: string,
  target: Descriptor,
  extra: Pick<ImageRecord, 'repoDigest' | 'source' | 'labels'> = {},
): Promise<string | undefined> {
  const newId = (await loadLocalImage(ctx.content, { name, target, createdAt: '', updatedAt: '' }, ctx.platform)).id;
  const old = await ctx.images.put({ name, target, ...extra });
  // The new image is named now: it is no longer dangling.
  await ctx.images.delete(`${DANGLING_PREFIX}${newId}`);
  if (!old || old.target.digest === target.digest) return undefined;
  const oldId = await loadLocalImage(ctx.content, old, ctx.platform).then((i) => i.id, () => undefined);
  if (!oldId || oldId === newId) return undefined;
  for (const rec of await ctx.images.list()) {
    if (rec.name === name || rec.name.startsWith(DANGLING_PREFIX)) continue;
    const id = await loadLocalImage(ctx.content, rec, ctx.platform).then((i) => i.id, () => undefined);
    if (id === oldId) return undefined;
  }
  await ctx.images.put({ name: `${DANGLING_PREFIX}${oldId}`, target: old.target });
  return oldId;
}
