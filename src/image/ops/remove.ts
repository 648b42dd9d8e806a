// `berth rmi`, `berth tag` and `berth image prune` with Docker's rules: removing a name untags it; the image
// goes when its last name does; an id with several names needs -f; an image a container (an active
// snapshot) uses is refused unless -f; an image other images were built on stays (unnamed) while they do.
// Deleting an image also deletes its untagged build parents that nothing else needs, as dockerd does
// (unless noprune), and then the layers no image keeps, each listed after the image that held it last.
import type { ImageContext } from '../context.js';
import { ImageError } from '../errors.js';
import { formatReference, parseReference } from '../reference/parse.js';
import { DANGLING_PREFIX, type ImageRecord } from '../store/image-store.js';
import type { SnapshotInfo } from '../snapshot/types.js';
import { EXTRACT_OWNER_LABEL } from './stale-extracts.js';
import { assignName } from './assign-name.js';
import { garbageCollect } from './gc.js';
import { imageGroups, namedRecords, resolveImage, type ImageGroup } from './resolve.js';
import { familiarOf } from './names.js';
import { BUILD_PARENT_LABEL, buildParents, isBuildStep } from './image-view.js';
import { UNPACKED_SIZE_LABEL } from './unpack-layer.js';

export const IMAGE_LABEL = 'berth.io/image';

/** One line of rmi/prune output: Docker's `{"Untagged": …}` / `{"Deleted": …}` items. */
export type DeleteItem = { Untagged: string } | { Deleted: string };

/** What removals return: Docker's items, the ids of the images deleted, and the bytes their layers freed. */
export interface RemoveResult {
  items: DeleteItem[];
  /** Image ids deleted, in order (layers not included). */
  deleted: string[];
  reclaimed: number;
}

// Snapshots that make an image "used": a container's or a build step's, not a pull's temporary extraction.
function isUser(s: SnapshotInfo): boolean {
  return s.kind !== 'committed' && !s.labels[EXTRACT_OWNER_LABEL];
}

function usersIn(snapshots: SnapshotInfo[], g: ImageGroup): string[] {
  const top = g.image.chainIds[g.image.chainIds.length - 1];
  return snapshots.filter((s) => isUser(s) && (s.labels[IMAGE_LABEL] === g.id || (top && s.parent === top))).map((s) => s.key);
}

/** Snapshot keys (containers, builds) using the image. */
export async function usersOf(ctx: ImageContext, g: ImageGroup): Promise<string[]> {
  return usersIn(await ctx.snapshots.list(), g);
}

/** The images, their parents and users as one removal sees them; `deleted` grows as images go. */
interface Graph {
  byId: Map<string, ImageGroup>;
  parents: Map<string, string>;
  snapshots: SnapshotInfo[];
  deleted: string[];
}

async function loadGraph(ctx: ImageContext): Promise<Graph> {
  const groups = await imageGroups(ctx);
  return { byId: new Map(groups.map((g) => [g.id, g])), parents: buildParents(groups), snapshots: await ctx.snapshots.list(), deleted: [] };
}

/** Images still present that were built on `id`. */
function childrenOf(graph: Graph, id: string): string[] {
  const out: string[] = [];
  for (const [child, parent] of graph.parents) if (parent === id && !graph.deleted.includes(child)) out.push(child);
  return out;
}

/**
 * The untagged parents deleting `id` frees, nearest first: dockerd's quiet parent pruning, which stops at the
 * first parent that has a name, a user, or another child. Pure: `graph.deleted` must already hold `id`.
 */
export function prunableParents(
  id: string,
  parents: Map<string, string>,
  keep: (parent: string) => boolean,
  deleted: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  const gone = new Set([...deleted, id]);
  for (let p = parents.get(id); p && !gone.has(p); p = parents.get(p)) {
    if (keep(p)) break;
    const otherChild = [...parents].some(([c, q]) => q === p && !gone.has(c));
    if (otherChild) break;
    out.push(p);
    gone.add(p);
  }
  return out;
}

/** Deletes the untagged build parents of `id` that nothing else needs (after `id` itself was deleted). */
async function pruneParents(ctx: ImageContext, graph: Graph, id: string, items: DeleteItem[]): Promise<void> {
  const keep = (p: string) => {
    const g = graph.byId.get(p);
    return !g || namedRecords(g).length > 0 || usersIn(graph.snapshots, g).length > 0;
  };
  for (const p of prunableParents(id, graph.parents, keep, new Set(graph.deleted))) {
    for (const r of graph.byId.get(p)!.records) await ctx.images.delete(r.name);
    items.push({ Deleted: p });
    graph.deleted.push(p);
  }
}

/**
 * Docker's order of the layer lines: each removed layer follows the last deleted image that held it (the one
 * whose deletion dropped its last reference), top layer first; layers no deleted image held come last. Pure.
 */
export function withLayerItems(items: DeleteItem[], deleted: { id: string; chainIds: string[] }[], removedLayers: string[]): DeleteItem[] {
  const owner = new Map<string, string>();
  for (const d of deleted) for (const c of d.chainIds) if (removedLayers.includes(c)) owner.set(c, d.id);
  const out: DeleteItem[] = [];
  const done = new Set<string>();
  for (const item of items) {
    out.push(item);
    if (!('Deleted' in item) || done.has(item.Deleted)) continue;
    const d = deleted.find((x) => x.id === item.Deleted);
    if (!d) continue;
    done.add(d.id);
    for (const c of [...d.chainIds].reverse()) if (owner.get(c) === d.id) out.push({ Deleted: c });
  }
  for (const c of removedLayers) if (!owner.has(c)) out.push({ Deleted: c });
  return out;
}

/** Garbage-collects after deletions; returns the items with the layer lines and the bytes those layers held. */
async function collect(ctx: ImageContext, graph: Graph, items: DeleteItem[]): Promise<RemoveResult> {
  const gc = await garbageCollect(ctx);
  const deleted = graph.deleted.map((id) => graph.byId.get(id)!).map((g) => ({ id: g.id, chainIds: g.image.chainIds as string[], group: g }));
  // A layer's size: its unpacked size when the unpacker recorded it, else its blob's size in a manifest.
  let layerBytes = 0;
  for (const key of gc.snapshots) {
    const label = graph.snapshots.find((s) => s.key === key)?.labels[UNPACKED_SIZE_LABEL];
    const holder = deleted.find((d) => d.chainIds.includes(key));
    layerBytes += label ? Number(label) : holder ? holder.group.image.manifest.layers[holder.chainIds.indexOf(key)]?.size ?? 0 : 0;
  }
  return { items: withLayerItems(items, deleted, gc.snapshots), deleted: [...graph.deleted], reclaimed: Math.max(layerBytes, gc.bytes) };
}

/** Keeps an image that lost its last name but is still needed, as an unnamed image (`<none>`). */
async function keepUnnamed(ctx: ImageContext, graph: Graph, g: ImageGroup): Promise<void> {
  // With children it is an intermediate image, like dockerd's: the label hides it from `docker images` and lets
  // the pruning of its last child's parents take it later.
  const parent = graph.parents.get(g.id) ?? '';
  const labels = childrenOf(graph, g.id).length ? { [BUILD_PARENT_LABEL]: parent } : undefined;
  const rec = { name: `${DANGLING_PREFIX}${g.id}`, target: g.records[0]!.target, ...(labels ? { labels } : {}) };
  await ctx.images.put(rec);
  // Later steps of the same removal must see it unnamed (a parent pruning may take it).
  graph.byId.set(g.id, { ...g, records: [{ ...rec, createdAt: '', updatedAt: '' }] });
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

/** `berth rmi [-f] [--no-prune] IMAGE`: Docker's items (untagged names, deleted images and layers). */
export async function removeImage(ctx: ImageContext, input: string, options: { force?: boolean; prune?: boolean } = {}): Promise<DeleteItem[]> {
  return (await removeImageWithResult(ctx, input, options)).items;
}

/** removeImage, also saying which images went and what their layers freed. */
export async function removeImageWithResult(ctx: ImageContext, input: string, options: { force?: boolean; prune?: boolean } = {}): Promise<RemoveResult> {
  const { group, byName } = await resolveImage(ctx, input);
  const graph = await loadGraph(ctx);
  const named = namedRecords(group);
  const users = usersIn(graph.snapshots, group);
  const children = childrenOf(graph, group.id);
  const items: DeleteItem[] = [];
  const short = group.id.slice(7, 19);
  if (byName && named.length > 1) {
    // Only this name goes; the image stays under its others.
    await untag(ctx, byName, items);
    return { items, deleted: [], reclaimed: 0 };
  }
  if (!byName && children.length) {
    throw new ImageError(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`, 'FailedPrecondition');
  }
  if (!byName && named.length > 1 && !options.force) {
    throw new ImageError(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`, 'FailedPrecondition');
  }
  if (users.length && !options.force) {
    const what = byName ? `repository reference "${familiarOf(byName.name)}"` : short;
    throw new ImageError(`conflict: unable to remove ${what} (must force) - image ${short} is in use by ${users.join(', ')}`, 'FailedPrecondition');
  }
  for (const r of group.records) await untag(ctx, r, items);
  if (users.length || children.length) {
    // Forced while in use, or a base other images were built on: the image stays, shown as <none>.
    await keepUnnamed(ctx, graph, group);
    return { items, deleted: [], reclaimed: 0 };
  }
  items.push({ Deleted: group.id });
  graph.deleted.push(group.id);
  if (options.prune !== false) await pruneParents(ctx, graph, group.id, items);
  return collect(ctx, graph, items);
}

async function untag(ctx: ImageContext, rec: ImageRecord, items: DeleteItem[]): Promise<void> {
  await ctx.images.delete(rec.name);
  if (rec.name.startsWith(DANGLING_PREFIX)) return;
  items.push({ Untagged: familiarOf(rec.name) });
  if (rec.repoDigest && !rec.name.includes('@')) items.push({ Untagged: `${familiarOf(rec.name).replace(/:[^:/]+$/, '')}@${rec.repoDigest}` });
}

const hasTag = (g: ImageGroup) => namedRecords(g).some((r) => !r.name.includes('@'));

/**
 * `berth image prune [-a]`, as dockerd: images no other image was built on (and, with all, named ones too)
 * that have no tag (with all: that no container uses) go, each with its untagged parents nothing else needs.
 */
export async function pruneImages(ctx: ImageContext, options: { all?: boolean } = {}): Promise<{ items: DeleteItem[]; reclaimed: number }> {
  const graph = await loadGraph(ctx);
  const items: DeleteItem[] = [];
  const tops = [...graph.byId.values()].filter((g) => {
    const parent = childrenOf(graph, g.id).length > 0;
    return options.all ? namedRecords(g).length > 0 || !parent : !hasTag(g) && !parent;
  });
  for (const g of tops) {
    if (graph.deleted.includes(g.id) || usersIn(graph.snapshots, g).length) continue;
    for (const r of g.records) await untag(ctx, r, items);
    if (childrenOf(graph, g.id).length) {
      await keepUnnamed(ctx, graph, g); // a named base of a kept build: it goes with the last of its children
      continue;
    }
    items.push({ Deleted: g.id });
    graph.deleted.push(g.id);
    await pruneParents(ctx, graph, g.id, items);
  }
  const { items: out, reclaimed } = await collect(ctx, graph, items);
  return { items: out, reclaimed };
}

/**
 * For `builder prune`: deletes the build-step images nothing needs (no name, no user, no child left), children
 * before their parents, then the layers no image keeps. `keep(id)` spares more (e.g. newer than a filter's limit).
 */
export async function pruneBuildImages(ctx: ImageContext, keep: (g: ImageGroup) => boolean = () => false): Promise<RemoveResult> {
  const graph = await loadGraph(ctx);
  const items: DeleteItem[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const g of graph.byId.values()) {
      if (graph.deleted.includes(g.id) || !isBuildStep(g) || keep(g)) continue;
      if (usersIn(graph.snapshots, g).length || childrenOf(graph, g.id).length) continue;
      for (const r of g.records) await ctx.images.delete(r.name);
      items.push({ Deleted: g.id });
      graph.deleted.push(g.id);
      progress = true;
    }
  }
  return collect(ctx, graph, items);
}
