// `berth save`: images into one tar in the layout Docker ≥ 25 writes — an OCI image layout (`oci-layout`,
// `index.json` with name annotations, `blobs/sha256/…`) that also carries Docker's `manifest.json` and
// `repositories`, so `docker load` (checked with dockerd 20.10, which reads compressed layer blobs through
// manifest.json), skopeo and containerd all read it. Blobs are stored ones, byte for byte: manifest and
// config digests (the image id) survive the trip. The tar streams out; nothing is built in memory.
import type { Writable } from 'node:stream';
import type { ImageContext } from '../context.js';
import { type Digest, splitDigest } from '../digest.js';
import { ImageError } from '../errors.js';
import type { Descriptor } from '../manifest/types.js';
import { formatReference, parseReference, type ImageReference } from '../reference/parse.js';
import { createLease } from '../content/leases.js';
import { TarWriter } from '../archive/archive-writer.js';
import { formatDockerManifest, formatRepositories, type DockerArchiveEntry } from '../archive/docker-manifest.js';
import { blobPath, formatOciIndex, formatOciLayout, OCI_INDEX_FILE, OCI_LAYOUT_FILE } from '../archive/oci-layout.js';
import { familiarOf } from './names.js';
import { imageGroups, resolveImage, type ImageGroup } from './resolve.js';

interface Selection {
  group: ImageGroup;
  /** Full `repo:tag` references saved with the image, in the order given. */
  tags: string[];
}

/** Writes the named images (names or ids) to `out` as one archive; `out` is ended. */
export async function saveImages(ctx: ImageContext, inputs: string[], out: Writable): Promise<void> {
  if (inputs.length === 0) throw new ImageError('save: name at least one image', 'InvalidArgument');
  const selections = await selectImages(ctx, inputs);
  const lease = await createLease(ctx.contentRoot, `save ${inputs.join(' ')}`);
  try {
    // Every blob is checked (and protected from GC) before the first byte goes out: a missing layer is an
    // error, not a truncated archive.
    const blobs = new Map<Digest, number>();
    for (const { group } of selections) {
      const img = group.image;
      for (const d of [img.manifestDescriptor, img.manifest.config, ...img.manifest.layers]) {
        await lease.add(d.digest);
        const info = await ctx.content.info(d.digest).catch(() => undefined);
        if (!info) {
          throw new ImageError(`image ${group.id}: blob ${d.digest} (${d.mediaType}) is missing from the content store; pull the image again`, 'NotFound');
        }
        blobs.set(d.digest, info.size);
      }
    }
    const writer = new TarWriter(out);
    try {
      await writer.addBuffer(OCI_LAYOUT_FILE, formatOciLayout());
      await writer.addBuffer(OCI_INDEX_FILE, formatOciIndex(indexEntries(selections)));
      await writer.addBuffer('manifest.json', formatDockerManifest(selections.map(dockerEntry)));
      const repoTags = selections.flatMap(({ group, tags }) => {
        const top = group.image.manifest.layers.at(-1);
        return top ? tags.map((t) => ({ repoTag: familiarOf(t), topLayer: splitDigest(top.digest).hex })) : [];
      });
      if (repoTags.length > 0) await writer.addBuffer('repositories', formatRepositories(repoTags));
      await writer.addDir('blobs');
      for (const alg of new Set([...blobs.keys()].map((d) => splitDigest(d).algorithm))) await writer.addDir(`blobs/${alg}`);
      for (const [digest, size] of blobs) await writer.addStream(blobPath(digest), size, ctx.content.reader(digest));
      await writer.finish();
    } catch (e) {
      writer.abort(e as Error);
      throw e;
    }
  } finally {
    await lease.release();
  }
}

// Docker's rules: `repo:tag` saves that tag; a bare repository saves every tag it has; an id (or a digest
// reference) saves the image without tags. The same image named twice is saved once with both tags.
async function selectImages(ctx: ImageContext, inputs: string[]): Promise<Selection[]> {
  const byId = new Map<string, Selection>();
  const add = (group: ImageGroup, tag?: string) => {
    let s = byId.get(group.id);
    if (!s) byId.set(group.id, (s = { group, tags: [] }));
    if (tag && !s.tags.includes(tag)) s.tags.push(tag);
  };
  let groups: ImageGroup[] | undefined;
  for (const input of inputs) {
    const ref = tryParse(input);
    if (ref && ref.tag === undefined && ref.digest === undefined) {
      groups ??= await imageGroups(ctx);
      const repo = `${ref.domain}/${ref.path}`;
      let found = false;
      for (const g of groups) {
        for (const r of g.records) {
          const named = tryParse(r.name);
          if (named && named.tag !== undefined && !named.digest && `${named.domain}/${named.path}` === repo) {
            add(g, r.name);
            found = true;
          }
        }
      }
      if (found) continue;
    }
    const { group, byName } = await resolveImage(ctx, input);
    const named = byName ? tryParse(byName.name) : undefined;
    add(group, named?.tag !== undefined && !named.digest ? formatReference(named) : undefined);
  }
  return [...byId.values()];
}

function tryParse(text: string): ImageReference | undefined {
  try {
    return parseReference(text);
  } catch {
    return undefined;
  }
}

function indexEntries(selections: Selection[]): { descriptor: Descriptor; name?: string }[] {
  return selections.flatMap(({ group, tags }) => {
    const descriptor = group.image.manifestDescriptor;
    return tags.length > 0 ? tags.map((name) => ({ descriptor, name })) : [{ descriptor }];
  });
}

function dockerEntry({ group, tags }: Selection): DockerArchiveEntry {
  const m = group.image.manifest;
  return { Config: blobPath(m.config.digest), RepoTags: tags.map(familiarOf), Layers: m.layers.map((l) => blobPath(l.digest)) };
}
