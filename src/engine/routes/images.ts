// Image endpoints of the Docker Engine API over the image layer: list, inspect, history, pull and import
// (POST /images/create), push, tag, remove, save, load, prune. Every change publishes an image event.
import type { Readable } from 'node:stream';
import {
  familiarString,
  formatReference,
  imageGroups,
  imageHistory,
  importImage,
  isImageError,
  inspectImage,
  listImages,
  loadImages,
  parsePlatform,
  parseReference,
  pruneImages,
  pullImage,
  pushImage,
  removeImageWithResult,
  resolveImage,
  saveImages,
  tagImage,
  type ImageContext,
  type ImageReference,
} from '../../image/index.js';
import { sweepBuildCache } from '../../build/index.js';
import { filterImageList } from '../api/image-filters.js';
import { LazyJsonStream, lazyByteStream } from '../api/lazy-stream.js';
import { credentialsOf, decodeRegistryAuthHeader, withCredentials } from '../api/registry-auth.js';
import type { ApiRequest, ApiResponse, Route } from '../api/router.js';
import { parseBool } from '../api/request.js';
import { EngineError } from '../errors.js';
import type { EngineServices, EventBus } from '../services.js';

/** The /images/… routes. */
export function imageRoutes(services: EngineServices): Route[] {
  const ctx = services.images;
  const events = services.events;
  return [
    { method: 'GET', path: '/images/json', handler: (req, res) => list(ctx, req, res) },
    { method: 'POST', path: '/images/create', handler: (req, res) => (req.query.has('fromSrc') ? importFrom(ctx, events, req, res) : pull(ctx, events, req, res)) },
    { method: 'GET', path: '/images/get', handler: (req, res) => save(ctx, events, req.query.getAll('names'), res) },
    { method: 'POST', path: '/images/load', handler: (req, res) => load(ctx, events, req, res) },
    { method: 'POST', path: '/images/prune', handler: (req, res) => prune(ctx, events, req, res) },
    { method: 'GET', path: '/images/:name*/json', handler: async (req, res) => res.json(200, await inspectImage(ctx, req.params.name!)) },
    { method: 'GET', path: '/images/:name*/history', handler: async (req, res) => res.json(200, await imageHistory(ctx, req.params.name!)) },
    { method: 'GET', path: '/images/:name*/get', handler: (req, res) => save(ctx, events, [req.params.name!], res) },
    { method: 'POST', path: '/images/:name*/push', handler: (req, res) => push(ctx, events, req, res) },
    { method: 'POST', path: '/images/:name*/tag', handler: (req, res) => tag(ctx, events, req, res) },
    { method: 'DELETE', path: '/images/:name*', handler: (req, res) => remove(ctx, events, req, res) },
  ];
}

async function list(ctx: ImageContext, req: ApiRequest, res: ApiResponse): Promise<void> {
  const images = await filterImageList(ctx, await listImages(ctx, { all: req.bool('all') }), req.filters());
  // Before API 1.44 RepoDigests appeared only with digests=1; later clients always get them.
  const digests = req.versionAtLeast('1.44') || req.bool('digests');
  res.json(200, images.map((i) => (digests ? i : { ...i, RepoDigests: [] })));
}

// fromImage=busybox&tag=latest, tag=sha256:… (a digest), or the tag inside fromImage.
function pullReference(fromImage: string, tag: string): ImageReference {
  const ref = parseReference(fromImage);
  if (!tag) return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
  if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(tag)) {
    const { tag: _drop, ...rest } = ref;
    return { ...rest, digest: tag as NonNullable<ImageReference['digest']> };
  }
  return { ...ref, tag };
}

// Lines the image layer sends before it has talked to the registry: held back so that a missing image
// is a 404 the CLI can act on rather than an error inside a 200 stream.
const PREAMBLE = /^(Using default tag: |Pulling from |The push refers to repository )/;
const beyondPreamble = (m: { status?: string }) => !PREAMBLE.test(m.status ?? '');

async function pull(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const fromImage = req.query.get('fromImage');
  if (!fromImage) throw new EngineError('POST /images/create needs fromImage (pull) or fromSrc (import)', 'InvalidArgument');
  const ref = pullReference(fromImage, req.query.get('tag') ?? '');
  const platformText = req.query.get('platform');
  const platform = platformText ? parsePlatform(platformText) : undefined;
  const creds = credentialsOf(decodeRegistryAuthHeader(req.header('x-registry-auth')));
  const stream = new LazyJsonStream(res, beyondPreamble);
  await withCredentials(ctx, ref.domain, creds, async (c) => {
    try {
      await pullImage(c, formatReference(ref), { progress: stream.progress('pull'), ...(platform ? { platform } : {}) });
    } catch (e) {
      return stream.fail(stream.started ? e : translatePullError(e, ref));
    }
    const name = familiarString(ref);
    events.publish('image', 'pull', name, { name });
    stream.finish();
  });
}

// dockerd answers a pull the registry refuses with 404 "pull access denied" (not 401, which would make
// the CLI prompt for a login): `docker run` then reports it after "Unable to find image".
function translatePullError(e: unknown, ref: ImageReference): unknown {
  if (!isImageError(e, 'Unauthorized')) return e;
  const repo = familiarString({ domain: ref.domain, path: ref.path });
  return new EngineError(`pull access denied for ${repo}, repository does not exist or may require 'docker login': ${e.message}`, 'NotFound');
}

async function importFrom(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  if (req.query.get('fromSrc') !== '-') {
    throw new EngineError('importing from a URL is not supported: download the tar and send it as the request body with fromSrc=-', 'InvalidArgument');
  }
  const repo = req.query.get('repo') ?? '';
  const tagText = req.query.get('tag') ?? '';
  let reference: string | undefined;
  if (repo) {
    const ref = parseReference(repo);
    reference = formatReference(tagText ? { ...ref, tag: tagText } : ref);
  }
  const platformText = req.query.get('platform');
  const { id } = await importImage(ctx, req.body() as Readable, {
    ...(reference ? { reference } : {}),
    ...(req.query.has('message') ? { message: req.query.get('message')! } : {}),
    changes: req.query.getAll('changes').filter((c) => c !== ''),
    ...(platformText ? { platform: parsePlatform(platformText) } : {}),
    source: '-',
  });
  events.publish('image', 'import', id, { name: reference ? familiarString(parseReference(reference)) : id });
  const stream = new LazyJsonStream(res);
  stream.finish({ status: id });
}

async function push(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const base = parseReference(req.params.name!);
  const tagText = req.query.get('tag') ?? '';
  const ref: ImageReference = tagText ? { ...base, tag: tagText } : base;
  const creds = credentialsOf(decodeRegistryAuthHeader(req.header('x-registry-auth')));
  const stream = new LazyJsonStream(res, beyondPreamble);
  await withCredentials(ctx, ref.domain, creds, async (c) => {
    let result;
    try {
      result = await pushImage(c, formatReference(ref), { progress: stream.progress('push') });
    } catch (e) {
      return stream.fail(e);
    }
    const name = familiarString(ref.tag ? ref : { ...ref, tag: 'latest' });
    events.publish('image', 'push', name, { name });
    // The CLI reads the pushed digest from this aux line (content trust, `--quiet`).
    stream.finish({ progressDetail: {}, aux: { Tag: ref.tag ?? 'latest', Digest: result.digest, Size: result.size } });
  });
}

async function tag(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const repo = req.query.get('repo');
  if (!repo) throw new EngineError(`tag ${req.params.name}: the repo parameter is required (POST /images/{name}/tag?repo=NAME&tag=TAG)`, 'InvalidArgument');
  const tagText = req.query.get('tag') ?? '';
  const ref = parseReference(repo);
  const target: ImageReference = tagText ? { ...ref, tag: tagText } : ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
  const { group } = await resolveImage(ctx, req.params.name!);
  await tagImage(ctx, req.params.name!, formatReference(target));
  events.publish('image', 'tag', group.id, { name: familiarString(target) });
  res.status(201);
}

async function remove(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const { group } = await resolveImage(ctx, req.params.name!);
  const { items, deleted } = await removeImageWithResult(ctx, req.params.name!, { force: req.bool('force'), prune: !req.bool('noprune') });
  for (const item of items) if ('Untagged' in item) events.publish('image', 'untag', group.id, { name: item.Untagged });
  // The image and each build parent deleted with it, as dockerd reports them.
  for (const id of deleted) events.publish('image', 'delete', id, { name: id });
  if (deleted.length) await sweepCache(ctx);
  res.json(200, items);
}

/** Drops the build cache entries of deleted images (a failure only delays that to the next sweep). */
async function sweepCache(ctx: ImageContext): Promise<void> {
  await sweepBuildCache(ctx).catch(() => undefined);
}

async function save(ctx: ImageContext, events: EventBus, names: string[], res: ApiResponse): Promise<void> {
  if (names.length === 0) throw new EngineError('save: name at least one image (GET /images/get?names=NAME)', 'InvalidArgument');
  // Resolved first: an unknown name is a 404 before any byte of the tar.
  const ids = await Promise.all(names.map(async (n) => (await resolveImage(ctx, n).catch(() => undefined))?.group.id));
  await saveImages(ctx, names, lazyByteStream(res, 'application/x-tar'));
  names.forEach((n, i) => {
    if (ids[i]) events.publish('image', 'save', ids[i]!, { name: n });
  });
}

async function load(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const quiet = req.bool('quiet');
  const stream = new LazyJsonStream(res);
  let result;
  try {
    // Quiet keeps only the result lines ("Loaded image: …"), as dockerd does.
    result = await loadImages(ctx, req.body() as Readable, { progress: stream.progress('load', (e) => !quiet || !e.id) });
  } catch (e) {
    return stream.fail(e);
  }
  for (const name of result.names) {
    const id = (await resolveImage(ctx, name).catch(() => undefined))?.group.id ?? name;
    events.publish('image', 'load', id, { name });
  }
  if (result.names.length === 0) for (const id of result.ids) events.publish('image', 'load', id, { name: id });
  stream.finish();
}

async function prune(ctx: ImageContext, events: EventBus, req: ApiRequest, res: ApiResponse): Promise<void> {
  const filters = req.filters();
  for (const key of filters.keys()) {
    if (key === 'label' || key === 'label!' || key === 'until') {
      throw new EngineError(`image prune: the "${key}" filter is not supported by Berth yet; prune with dangling only`, 'InvalidArgument');
    }
    if (key !== 'dangling') throw new EngineError(`invalid filter '${key}'`, 'InvalidArgument');
  }
  const dangling = filters.get('dangling');
  const all = dangling?.length ? !parseBool(dangling[0]!) : false;
  const before = new Set((await imageGroups(ctx)).map((g) => g.id));
  const { items, reclaimed } = await pruneImages(ctx, { all });
  const after = new Set((await imageGroups(ctx)).map((g) => g.id));
  // pruneImages lists each image's Untagged items just before its Deleted id.
  let untagged: string[] = [];
  for (const item of items) {
    if ('Untagged' in item) {
      untagged.push(item.Untagged);
    } else if (before.has(item.Deleted) && !after.has(item.Deleted)) {
      for (const name of untagged) events.publish('image', 'untag', item.Deleted, { name });
      untagged = [];
      events.publish('image', 'delete', item.Deleted, { name: item.Deleted });
    }
  }
  if (after.size < before.size) await sweepCache(ctx);
  events.publish('image', 'prune', '', { reclaimed: String(reclaimed) });
  res.json(200, { ImagesDeleted: items.length ? items : null, SpaceReclaimed: reclaimed });
}
