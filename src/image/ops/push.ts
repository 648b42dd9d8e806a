// `berth push`: upload an image's layers and config (skipping blobs the registry has, mounting blobs from
// the repository they came from when it is on the same registry), then its manifest under the tag.
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { ImageError, isImageError } from '../errors.js';
import type { Descriptor } from '../manifest/types.js';
import { familiarName, formatReference, parseReference } from '../reference/parse.js';
import type { RepositoryClient } from '../registry/types.js';
import { type ProgressSink, shortId, silent } from '../progress/events.js';
import { loadLocalImage } from './local-image.js';
import { limiter } from './limiter.js';

export interface PushResult {
  name: string;
  digest: Digest;
  size: number;
}

/** Pushes a local image to the registry its name points at. */
export async function pushImage(ctx: ImageContext, refText: string, options: { progress?: ProgressSink; maxConcurrentUploads?: number } = {}): Promise<PushResult> {
  const progress = options.progress ?? silent;
  let ref = parseReference(refText);
  if (ref.digest) throw new ImageError(`cannot push a digest reference (${refText}): push a tag`, 'InvalidArgument');
  if (!ref.tag) {
    progress({ status: 'Using default tag: latest' });
    ref = { ...ref, tag: 'latest' };
  }
  const name = formatReference(ref);
  const record = await ctx.images.get(name);
  if (!record) throw new ImageError(`An image does not exist locally with the tag: ${familiarName(ref)}:${ref.tag} (tag one with 'berth tag')`, 'NotFound');
  const image = await loadLocalImage(ctx.content, record, ctx.platform);
  progress({ status: `The push refers to repository [${ref.domain === 'docker.io' ? `docker.io/${ref.path}` : `${ref.domain}/${ref.path}`}]` });
  const repo = ctx.registry.repository(ref.domain, ref.path, ['pull', 'push']);

  const sourceRepo = record.source?.startsWith(`${ref.domain}/`) ? record.source.slice(ref.domain.length + 1) : undefined;
  const mountFrom = sourceRepo && sourceRepo !== ref.path ? sourceRepo : undefined;
  const layers = [...image.manifest.layers].reverse(); // Docker lists the top layer first
  for (const l of layers) progress({ id: shortId(l.digest), status: 'Preparing' });
  const limit = limiter(options.maxConcurrentUploads ?? 5);
  await Promise.all(layers.map((l) => limit(() => pushOne(ctx, repo, l, mountFrom, progress))));
  await pushOne(ctx, repo, image.manifest.config, mountFrom, () => {});

  const manifestBytes = await ctx.content.readAll(image.manifestDescriptor.digest);
  const digest = await repo.putManifest(ref.tag!, image.manifestDescriptor.mediaType, manifestBytes);
  progress({ status: `${ref.tag}: digest: ${digest} size: ${manifestBytes.length}` });
  await ctx.images.put({ ...record, repoDigest: digest, source: `${ref.domain}/${ref.path}` });
  return { name, digest, size: manifestBytes.length };
}

async function pushOne(ctx: ImageContext, repo: RepositoryClient, desc: Descriptor, mountFrom: string | undefined, progress: ProgressSink): Promise<void> {
  const id = shortId(desc.digest);
  if (!(await ctx.content.has(desc.digest))) {
    throw new ImageError(`blob ${desc.digest} is not in the content store, so it cannot be pushed (pull the image again to restore it)`, 'NotFound');
  }
  let shown = -1;
  const step = Math.max(desc.size / 100, 256 << 10);
  try {
    const result = await repo.pushBlob({ digest: desc.digest, size: desc.size }, () => ctx.content.reader(desc.digest), {
      ...(mountFrom ? { mountFrom } : {}),
      onProgress: (current) => {
        if (current - shown >= step || current === desc.size) {
          shown = current;
          progress({ id, status: 'Pushing', progressDetail: { current, total: desc.size } });
        }
      },
    });
    progress({ id, status: result === 'exists' ? 'Layer already exists' : result === 'mounted' ? `Mounted from ${mountFrom}` : 'Pushed' });
  } catch (e) {
    if (isImageError(e)) throw new ImageError(`blob ${desc.digest}: ${e.message}`, e.kind, { cause: e });
    throw e;
  }
}
