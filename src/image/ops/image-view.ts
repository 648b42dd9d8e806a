// Docker's view of images (`docker images`, `docker image inspect`): one entry per image id, with its tags
// and repo digests in familiar form, sizes from the unpacked layers.
import type { ImageContext } from '../context.js';
import { familiarName, parseReference } from '../reference/parse.js';
import { UNPACKED_SIZE_LABEL } from './unpack-layer.js';
import { imageGroups, namedRecords, resolveImage, type ImageGroup } from './resolve.js';

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string>;
  Containers: number;
}

/** Familiar `repo:tag` names and `repo@digest` repo digests of an image. */
export function namesOf(g: ImageGroup): { tags: string[]; digests: string[] } {
  const tags = new Set<string>();
  const digests = new Set<string>();
  for (const r of namedRecords(g)) {
    const ref = parseReference(r.name);
    const repo = familiarName(ref);
    if (ref.tag) tags.add(`${repo}:${ref.tag}`);
    if (ref.digest) digests.add(`${repo}@${ref.digest}`);
    if (r.repoDigest) digests.add(`${repo}@${r.repoDigest}`);
  }
  return { tags: [...tags].sort(), digests: [...digests].sort() };
}

/** Bytes of the image's unpacked layers (from the snapshot labels written at unpack time). */
export async function imageSize(ctx: ImageContext, g: ImageGroup): Promise<number> {
  let total = 0;
  for (const [i, chain] of g.image.chainIds.entries()) {
    const info = await ctx.snapshots.stat(chain).catch(() => undefined);
    const label = info?.labels[UNPACKED_SIZE_LABEL];
    total += label ? Number(label) : g.image.manifest.layers[i]!.size;
  }
  return total;
}

// The label the builder (src/build) puts on its step images' records: the id of the image the step started
// from. Spelled out here because the image layer must not import the build layer.
export const BUILD_PARENT_LABEL = 'berth.build.parent';

/** An unnamed image every record of which the builder labelled: a build step's image. */
export function isBuildStep(g: ImageGroup): boolean {
  return namedRecords(g).length === 0 && g.records.every((r) => r.labels?.[BUILD_PARENT_LABEL] !== undefined);
}

/**
 * Docker's image parents for what the builder made: child id → parent id. A step image's record names its
 * parent in the label; an image that lost that record (a tag replaces it, a moved tag leaves an unlabelled
 * `<none>`) gets the build step whose history and layers are the longest proper prefix of its own. Pulled,
 * loaded and imported images have no parent, as with dockerd.
 */
export function buildParents(groups: ImageGroup[]): Map<string, string> {
  const ids = new Set(groups.map((g) => g.id));
  const historyOf = (g: ImageGroup) => (g.image.config.history ?? []).map((h) => JSON.stringify(h));
  const layersOf = (g: ImageGroup) => g.image.config.rootfs?.diff_ids ?? [];
  const steps = groups.filter((g) => g.records.some((r) => r.labels?.[BUILD_PARENT_LABEL] !== undefined));
  const parents = new Map<string, string>();
  for (const c of groups) {
    const labelled = c.records.map((r) => r.labels?.[BUILD_PARENT_LABEL]).find((v) => v !== undefined);
    if (labelled !== undefined && ids.has(labelled) && labelled !== c.id) {
      parents.set(c.id, labelled);
      continue;
    }
    if (labelled === '') continue; // a first step FROM scratch
    const theirs = historyOf(c);
    const cl = layersOf(c);
    let best: { id: string; length: number } | undefined;
    for (const p of steps) {
      if (p.id === c.id) continue;
      const mine = historyOf(p);
      if (mine.length >= theirs.length || (best && best.length >= mine.length)) continue;
      if (mine.every((h, i) => theirs[i] === h) && layersOf(p).every((l, i) => cl[i] === l)) best = { id: p.id, length: mine.length };
    }
    if (best) parents.set(c.id, best.id);
  }
  return parents;
}

/**
 * Docker's intermediate images: build-step images another image was built on. `docker images` hides them
 * unless -a; an unnamed final image (a build without -t, the last good step of a failed build) has no child
 * and stays visible as `<none>`, as with dockerd.
 */
function intermediateIds(groups: ImageGroup[]): Set<string> {
  const withChildren = new Set(buildParents(groups).values());
  return new Set(groups.filter((g) => isBuildStep(g) && withChildren.has(g.id)).map((g) => g.id));
}

/** Every image, newest first (`docker images`); build intermediates only with `all` (`docker images -a`). */
export async function listImages(ctx: ImageContext, options: { all?: boolean } = {}): Promise<ImageSummary[]> {
  const out: ImageSummary[] = [];
  const groups = await imageGroups(ctx);
  const hidden = options.all ? new Set<string>() : intermediateIds(groups);
  for (const g of groups) {
    if (hidden.has(g.id)) continue;
    const { tags, digests } = namesOf(g);
    const size = await imageSize(ctx, g);
    out.push({
      Id: g.id,
      ParentId: '',
      RepoTags: tags,
      RepoDigests: digests,
      Created: createdSeconds(g),
      Size: size,
      SharedSize: -1,
      VirtualSize: size,
      Labels: g.image.config.config?.Labels ?? {},
      Containers: -1,
    });
  }
  return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
}

function createdSeconds(g: ImageGroup): number {
  const t = Date.parse(g.image.config.created ?? '');
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** `docker image inspect`'s document for one image. */
export async function inspectImage(ctx: ImageContext, input: string): Promise<Record<string, unknown>> {
  const { group: g } = await resolveImage(ctx, input);
  const { tags, digests } = namesOf(g);
  const c = g.image.config;
  const size = await imageSize(ctx, g);
  const lastTag = namedRecords(g).map((r) => r.updatedAt).sort().pop();
  const lowers = await Promise.all(g.image.chainIds.map((k) => ctx.snapshots.stat(k).then((s) => s.key, () => undefined)));
  return {
    Id: g.id,
    RepoTags: tags,
    RepoDigests: digests,
    Parent: '',
    Comment: c.history?.[c.history.length - 1]?.comment ?? '',
    Created: c.created ?? '0001-01-01T00:00:00Z',
    Container: c.container ?? '',
    ContainerConfig: c.container_config ?? emptyConfig(),
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: { ...emptyConfig(), ...(c.config ?? {}) },
    Architecture: c.architecture,
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os,
    Size: size,
    VirtualSize: size,
    GraphDriver: { Name: ctx.snapshots.name, Data: { Layers: lowers.filter(Boolean).join(':') } },
    RootFS: { Type: 'layers', Layers: c.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTag ?? '0001-01-01T00:00:00Z' },
    Descriptor: g.image.manifestDescriptor,
  };
}

// Docker fills absent config fields with empty values; clients (and `--format '{{.Config.Cmd}}'`) expect them.
function emptyConfig(): Record<string, unknown> {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  };
}
