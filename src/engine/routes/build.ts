// POST /build: Docker's legacy builder protocol (`DOCKER_BUILDKIT=0 docker build`). The body is the context tar
// (maybe gzip), unpacked with the image layer's applyLayer (which refuses hostile entries) into a temp dir under
// <runRoot>/build; the build runs through src/build with RUN steps as runtime containers, on the default bridge
// through the engine's networking; its output goes back as jsonmessage `stream` lines. As with dockerd, a build
// that fails before any output is an HTTP error, after that an `errorDetail` line in the stream.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import {
  BuildError, ContainerRunStep, DockerfileError, buildImage,
  type BuildNetworkAttachment, type BuildNetworkMode, type BuildOptions,
} from '../../build/index.js';
import {
  applyLayer, normalizeAuthKey, parsePlatform, parseReference, pullImage, type FsOps, type ImageContext,
} from '../../image/index.js';
import type { RuntimeContext } from '../../runtime/index.js';
import { JSON_STREAM, JsonMessageWriter, errorMessage, progressToMessage, type JsonMessage } from '../api/jsonmessage.js';
import { credentialsOf, withCredentials, type AuthConfig } from '../api/registry-auth.js';
import type { ApiRequest, ApiResponse, Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { EventBus } from '../services.js';

export interface BuildRouteDeps {
  images: ImageContext;
  events: EventBus;
  fsops: () => Promise<FsOps>;
  runtime: RuntimeContext;
  /** The daemon's run dir: contexts and RUN steps' bundles live under <runRoot>/build. */
  runRoot: string;
  /** The default bridge for RUN steps (EngineNetworking.attachBuildContainer). */
  bridge: (id: string) => Promise<BuildNetworkAttachment>;
}

/** The /build route. */
export function buildRoutes(deps: BuildRouteDeps): Route[] {
  return [{ method: 'POST', path: '/build', handler: (req, res) => build(deps, req, res) }];
}

function jsonQuery<T>(req: ApiRequest, name: string, check: (v: unknown) => v is T): T | undefined {
  const text = req.query.get(name);
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new EngineError(`build: the ${name} parameter is not valid JSON (${(e as Error).message}); send a JSON object`, 'InvalidArgument');
  }
  if (!check(v)) throw new EngineError(`build: the ${name} parameter must be a JSON object of strings`, 'InvalidArgument');
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isArgs = (v: unknown): v is Record<string, string | null> => isObject(v) && Object.values(v).every((x) => x === null || typeof x === 'string');
const isLabels = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function networkModeOf(text: string | null): BuildNetworkMode {
  if (!text || text === 'default' || text === 'bridge') return 'default';
  if (text === 'none' || text === 'host') return text;
  throw new EngineError(`build: network mode "${text}" is not supported; use the default bridge, none or host`, 'InvalidArgument');
}

/** The Dockerfile's path inside the context: relative, no `..` (the CLI sends one it put into the tar). */
function dockerfileOf(text: string | null): string {
  const rel = path.posix.normalize((text || 'Dockerfile').replace(/^\/+/, ''));
  if (rel === '..' || rel.startsWith('../') || rel === '.') {
    throw new EngineError(`build: the dockerfile parameter "${text}" must name a file inside the build context`, 'InvalidArgument');
  }
  return rel;
}

/** X-Registry-Config: base64url JSON { registry: AuthConfig }, for pulls of FROM images. */
function registryConfigs(header: string | undefined): Record<string, AuthConfig> {
  if (!header || header.trim() === '') return {};
  try {
    const doc = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8')) as unknown;
    if (isObject(doc)) return doc as Record<string, AuthConfig>;
  } catch {
    /* refused below */
  }
  throw new EngineError('invalid X-Registry-Config header: expected base64url-encoded JSON {"registry": {"username", "password"}}', 'InvalidArgument');
}

/** Everything the query asks, checked before the body is read (a bad parameter is a 400). */
function parseOptions(req: ApiRequest): { options: Omit<BuildOptions, 'contextDir'>; quiet: boolean } {
  if (req.query.get('remote')) {
    throw new EngineError('build: remote contexts (URLs, git) are not supported; send the context as a tar body', 'InvalidArgument');
  }
  const platform = req.query.get('platform') || undefined;
  if (platform) {
    try {
      parsePlatform(platform);
    } catch (e) {
      throw new EngineError(`build: invalid platform "${platform}": ${(e as Error).message}`, 'InvalidArgument');
    }
  }
  const buildArgs = jsonQuery(req, 'buildargs', isArgs);
  const labels = jsonQuery(req, 'labels', isLabels);
  const target = req.query.get('target') || undefined;
  // dockerd takes pull=1 and also pull=<anything non-empty>.
  const pullText = req.query.get('pull');
  const options: Omit<BuildOptions, 'contextDir'> = {
    dockerfile: { path: dockerfileOf(req.query.get('dockerfile')) },
    tags: req.query.getAll('t').filter((t) => t !== ''),
    ...(buildArgs ? { buildArgs } : {}),
    ...(labels ? { labels } : {}),
    ...(target ? { target } : {}),
    noCache: req.bool('nocache'),
    ...(platform ? { platform } : {}),
    networkMode: networkModeOf(req.query.get('networkmode')),
    pull: !!pullText && req.bool('pull'),
  };
  return { options, quiet: req.bool('q') };
}

/** Unpacks the context tar; a hostile or broken tar is a 400 naming the entry, with the rest of the body drained. */
async function extractContext(req: ApiRequest, dir: string, fsops: FsOps): Promise<void> {
  const body = req.body() as Readable;
  // applyLayer destroys its input on error: a pass-through keeps the request (and the socket) usable for the answer.
  const input = new PassThrough();
  body.pipe(input);
  try {
    await applyLayer(input, dir, { whiteouts: 'delete', fsops });
  } catch (e) {
    body.unpipe(input);
    body.resume();
    throw new EngineError(`build: unpacking the build context: ${(e as Error).message}`, 'InvalidArgument');
  }
}

/** The Dockerfile must be a file in the context, also after symlinks (never a host file). */
function checkDockerfile(dir: string, rel: string): void {
  let real: string;
  try {
    real = fs.realpathSync(path.join(dir, rel));
  } catch {
    throw new BuildError(`Cannot locate specified Dockerfile: ${rel}`);
  }
  const root = fs.realpathSync(dir);
  if (real !== root && !real.startsWith(`${root}/`)) throw new BuildError(`the Dockerfile ${rel} is a symlink that leaves the build context`);
}

async function build(deps: BuildRouteDeps, req: ApiRequest, res: ApiResponse): Promise<void> {
  const { options, quiet } = parseOptions(req);
  const auths = registryConfigs(req.header('x-registry-config'));
  const fsops = await deps.fsops();
  const buildRoot = path.join(deps.runRoot, 'build');
  fs.mkdirSync(buildRoot, { recursive: true, mode: 0o700 });
  const contextDir = path.join(buildRoot, `ctx-${randomBytes(8).toString('hex')}`);
  // 0755 like any directory docker would send: `COPY . /dst/` copies the context root's mode (its parent is 0700).
  fs.mkdirSync(contextDir, { mode: 0o755 });
  fs.chmodSync(contextDir, 0o755);
  let writer: JsonMessageWriter | undefined;
  const held: JsonMessage[] = []; // quiet: the output, sent only when the build fails (as dockerd does)
  const emit = (m: JsonMessage) => {
    if (quiet) return void held.push(m);
    writer ??= new JsonMessageWriter(res.stream(JSON_STREAM));
    writer.write(m);
  };
  try {
    await extractContext(req, contextDir, fsops);
    checkDockerfile(contextDir, (options.dockerfile as { path: string }).path);
    const runStep = new ContainerRunStep({ runtime: deps.runtime, bundleRoot: buildRoot, bridge: deps.bridge });
    const pull = async (reference: string) => {
      const ref = parseReference(reference);
      const entry = Object.entries(auths).find(([k]) => normalizeAuthKey(k) === normalizeAuthKey(ref.domain));
      await withCredentials(deps.images, ref.domain, credentialsOf(entry?.[1]), (c) => pullImage(c, reference, {
        progress: (e) => {
          const m = progressToMessage(e);
          if (m) emit(m);
        },
      }));
    };
    const result = await buildImage({ image: deps.images, fsops, runStep, pull }, { ...options, contextDir }, (text) => emit({ stream: text }));
    for (const tag of result.tags) deps.events.publish('image', 'tag', result.id, { name: tag });
    if (quiet) {
      writer = new JsonMessageWriter(res.stream(JSON_STREAM));
      writer.write({ stream: `${result.id}\n` });
    } else {
      writer ??= new JsonMessageWriter(res.stream(JSON_STREAM));
      writer.aux({ ID: result.id });
    }
    writer.end();
  } catch (e) {
    // Nothing sent yet (a parse error, a bad context): dockerd answers with an HTTP error.
    if (!writer && !(quiet && held.length)) throw httpError(e);
    writer ??= new JsonMessageWriter(res.stream(JSON_STREAM));
    for (const m of held) writer.write(m);
    // A failing RUN carries its exit code, which the CLI exits with (dockerd's JSONError code).
    writer.write(errorMessage(e, e instanceof BuildError && e.code ? e.code : 1));
    writer.end();
  } finally {
    fs.rmSync(contextDir, { recursive: true, force: true });
  }
}

function httpError(e: unknown): unknown {
  if (e instanceof DockerfileError || e instanceof BuildError) return new EngineError(e.message, 'InvalidArgument');
  return e;
}
