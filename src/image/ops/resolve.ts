// Finding a local image the way Docker does: by name (`busybox` means docker.io/library/busybox:latest),
// by name@digest, or by a unique prefix of its id (`sha256:` optional).
import type { ImageContext } from '../context.js';
import { ImageError } from '../errors.js';
import { formatReference, parseReference } from '../reference/parse.js';
import { DANGLING_PREFIX, type ImageRecord } from '../store/image-store.js';
import { loadLocalImage, type LocalImage } from './local-image.js';

export interface ImageGroup {
  /** Docker's image id (config digest). */
  id: string;
  image: LocalImage;
  /** Every record naming this image (tags, digests, a dangling marker). */
  records: ImageRecord[];
}

/** All local images grouped by id (records whose content is missing are skipped). */
export async function imageGroups(ctx: ImageContext): Promise<ImageGroup[]> {
  const byId = new Map<string, ImageGroup>();
  for (const rec of await ctx.images.list()) {
    let image: LocalImage;
    try {
      image = await loadLocalImage(ctx.content, rec, ctx.platform);
    } catch {
      continue; // no manifest for this platform, or content gone: not an image Berth can use
    }
    const g = byId.get(image.id);
    if (g) g.records.push(rec);
    else byId.set(image.id, { id: image.id, image, records: [rec] });
  }
  return [...byId.values()];
}

/** Named records of a group (tags and digests, not the dangling marker). */
export function namedRecords(g: ImageGroup): ImageRecord[] {
  return g.records.filter((r) => !r.name.startsWith(DANGLING_PREFIX));
}

export interface Resolved {
  group: ImageGroup;
  /** The record the input named, when it was a name (absent for an id). */
  byName?: ImageRecord;
}

/** Resolves user input to a local image; NotFound says "No such image" as Docker does. */
export async function resolveImage(ctx: ImageContext, input: string): Promise<Resolved> {
  let name: string | undefined;
  try {
    name = formatReference(withLatest(parseReference(input)));
  } catch {
    /* not a reference: maybe an id */
  }
  const groups = await imageGroups(ctx);
  if (name) {
    const g = groups.find((x) => x.records.some((r) => r.name === name));
    if (g) return { group: g, byName: g.records.find((r) => r.name === name)! };
  }
  const m = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(input);
  if (m) {
    const hits = groups.filter((g) => g.id.slice(7).startsWith(m[1]!));
    if (hits.length === 1) return { group: hits[0]! };
    if (hits.length > 1) throw new ImageError(`image id prefix "${input}" is ambiguous (${hits.length} images match): give more digits`, 'InvalidArgument');
  }
  throw new ImageError(`No such image: ${input}`, 'NotFound');
}

function withLatest<T extends { tag?: string; digest?: string }>(ref: T): T {
  return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
}
