// `berth rmi`, `berth tag` and `berth image prune` with Docker's rules: removing a name untags it; the image
// goes when its last name does; an id with several names needs -f; an image a container (an active
// snapshot) uses is refused unless -f.
import type { ImageContext } from '../context.js';
import { ImageError } from '../errors.js';
import { formatReference, parseReference } from '../reference/parse.js';
import { DANGLING_PREFIX, type ImageRecord } from '../store/image-store.js';
import { EXTRACT_OWNER_LABEL } from './stale-extracts.js';
import { assignName } from './assign-name.js';
import { garbageCollect } from './gc.js';
import { imageGroups, namedRecords, resolveImage, type ImageGroup } from './resolve.js';
import { familiarOf } from './names.js';
import { imageSize } from './image-view.js';

export const IMAGE_LABEL = 'berth.io/image';

/** One line of rmi/prune output: Docker's `{"Untagged": …}` / `{"Deleted": …}` items. */
export type DeleteItem = { Untagged: string } | { Deleted: string };

/** Snapshot keys (containers, builds) using the image. */
export async function usersOf(ctx: ImageContext, g: ImageGroup): Promise<string[]> {
  const top = g.image.chainIds[g.image.chainIds.length - 1];
  return (await ctx.snapshots.list())
    .filter((s) => s.kind !== 'committed' && !s.labels[EXTRACT_OWNER_LABEL] && (s.labels[IMAGE_LABEL] === g.id || (top && s.parent === top)))
    .map((s) => s.key);
}

/** `berth tag SOURCE TARGET`. */
export async function tagImage(ctx: ImageContext, source: string, target: string): Promise<void> {
  const { group } = await resolveImage(ctx, source);
  const ref = parseReference(target);
  if (ref.digest) throw new ImageError(`refusing to create a tag with a digest reference (${target})`, 'InvalidArgument');
  const name = formatReference(ref.tag ? ref : { ...ref, tag: 'latest' });
  const from = group.records[0]!;
  await assignName(ctx, name, from.target, from.source ? { source: from.source } : {});
}

/** `berth rmi [-f] IMAGE`. */
export async function removeImage(ctx: ImageContext, input: string, options: { force?: boolean; prune?: boolean } = {}): Promise<DeleteItem[]> {
  const { group, byName } = await resolveImage(ctx, input);
  const named = namedRecords(group);
  const users = await usersOf(ctx, group);
  const items: DeleteItem[] = [];
  if (byName && named.length > 1) {
    // Only this name goes; the image stays under its others.
    await untag(ctx, byName, items);
    return items;
  }
  if (!byName && named.length > 1 && !options.force) {
    throw new ImageError(`conflict: unable to delete ${group.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`, 'FailedPrecondition');
  }
  if (users.length && !options.force) {
    const what = byName ? `repository reference "${familiarOf(byName.name)}"` : group.id.slice(7, 19);
    throw new ImageError(`conflict: unable to remove ${what} (must force) - image ${group.id.slice(7, 19)} is in use by ${users.join(', ')}`, 'FailedPrecondition');
  }
  for (const r of group.records) await untag(ctx, r, items);
  if (users.length) {
    // Forced while in use: the image keeps existing for its users, shown as <none>.
    await ctx.images.put({ name: `${DANGLING_PREFIX}${group.id}`, target: group.records[0]!.target });
    return items;
  }
  items.push({ Deleted: group.id });
  if (options.prune !== false) {
    const gc = await garbageCollect(ctx);
    for (const s of gc.snapshots) items.push({ Deleted: s });
  }
  return items;
}

async function untag(ctx: ImageContext, rec: ImageRecord, items: DeleteItem[]): Promise<void> {
  await ctx.images.delete(rec.name);
  if (rec.name.startsWith(DANGLING_PREFIX)) return;
  items.push({ Untagged: familiarOf(rec.name) });
  if (rec.repoDigest && !rec.name.includes('@')) items.push({ Untagged: `${familiarOf(rec.name).replace(/:[^:/]+$/, '')}@${rec.repoDigest}` });
}

/** `berth image prune [-a]`: dangling images (or, with all, every image no container uses). */
export async function pruneImages(ctx: ImageContext, options: { all?: boolean } = {}): Promise<{ items: DeleteItem[]; reclaimed: number }> {
  const items: DeleteItem[] = [];
  let reclaimed = 0;
  for (const g of await imageGroups(ctx)) {
    const dangling = namedRecords(g).length === 0;
    if (!dangling && !options.all) continue;
    if ((await usersOf(ctx, g)).length) continue;
    reclaimed += await imageSize(ctx, g);
    for (const r of g.records) await untag(ctx, r, items);
    items.push({ Deleted: g.id });
  }
  const gc = await garbageCollect(ctx);
  for (const s of gc.snapshots) items.push({ Deleted: s });
  return { items, reclaimed: Math.max(reclaimed, gc.bytes) };
}
