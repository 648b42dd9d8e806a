// buildImage: a Dockerfile and a context directory → an image, with Docker's legacy builder output. Parses and
// plans the build (stages the target needs), runs each stage (stage-runner.ts), adds the --label step, and names
// the result with every tag.
import fs from 'node:fs';
import path from 'node:path';
import {
  createLease, familiarString, parsePlatform, parseReference, tagImage, formatPlatform, type ImageContext, type Lease,
} from '../../image/index.js';
import { createMatcher, listContext } from '../context/index.js';
import { parseDockerfile, planBuild, type Instruction, type LabelInstruction } from '../dockerfile/index.js';
import { BuildCache } from './cache.js';
import { CopyFromMemo, copyFromMemoDir } from './copy-from-memo.js';
import { BuildError } from './errors.js';
import { StageRunner, type BuildSession } from './stage-runner.js';
import type { BuildDeps, BuildOptions, BuildProgress, BuildResult, ImageState } from './types.js';

/** Where the builder keeps its cache and mount points: `<berth root>/build` beside `<berth root>/image`. */
export function buildStateDir(ctx: ImageContext): string {
  return path.join(path.dirname(ctx.root), 'build');
}

function checkPlatform(ctx: ImageContext, platform: string | undefined, where: string): void {
  if (!platform) return;
  const want = parsePlatform(platform);
  const host = ctx.platform;
  if (want.os !== host.os || want.architecture !== host.architecture || (want.variant && host.variant && want.variant !== host.variant)) {
    throw new BuildError(`${where}platform ${platform} is not supported: this builder builds for the host platform ${formatPlatform(host)} only (leave --platform out or give ${formatPlatform(host)})`);
  }
}

function readDockerfile(options: BuildOptions): { text: string; inContext: string | null } {
  const spec = options.dockerfile ?? { path: 'Dockerfile' };
  if ('text' in spec) return { text: spec.text, inContext: null };
  const file = path.resolve(options.contextDir, spec.path);
  try {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(options.contextDir, file);
    return { text, inContext: rel.startsWith('..') ? null : rel.split(path.sep).join('/') };
  } catch {
    throw new BuildError(`Cannot locate specified Dockerfile: ${spec.path}`);
  }
}

/** The synthetic last step `--label k=v` adds to the target stage (keys sorted, as dockerd does). */
function labelStep(labels: Record<string, string> | undefined): Instruction[] {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return [];
  const pairs = keys.map((key) => ({ key, value: labels![key]! }));
  const original = `LABEL ${pairs.map((p) => `"${p.key}"='${p.value.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const step: LabelInstruction = { kind: 'LABEL', pairs: pairs.map((p) => ({ key: `'${p.key.replace(/'/g, `'\\''`)}'`, value: `'${p.value.replace(/'/g, `'\\''`)}'` })), startLine: 0, endLine: 0, original };
  return [step];
}

/** Builds an image; progress gets Docker's legacy output. Throws BuildError / DockerfileError with Docker's wording. */
export async function buildImage(deps: BuildDeps, options: BuildOptions, progress: BuildProgress): Promise<BuildResult> {
  const ctx = deps.image;
  checkPlatform(ctx, options.platform, '');
  const tags = (options.tags ?? []).map((t) => {
    try {
      const ref = parseReference(t);
      if (ref.digest) throw new Error('a tag cannot hold a digest');
      return familiarString(ref.tag ? ref : { ...ref, tag: 'latest' });
    } catch (e) {
      throw new BuildError(`invalid tag ${JSON.stringify(t)}: ${(e as Error).message}`);
    }
  });
  if (!fs.statSync(options.contextDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BuildError(`unable to prepare context: path ${JSON.stringify(options.contextDir)} not found`);
  }
  const { text, inContext } = readDockerfile(options);
  const file = parseDockerfile(text);
  const plan = planBuild(file, { ...(options.target ? { target: options.target } : {}), buildArgs: options.buildArgs ?? {} });
  for (const p of plan.stages) checkPlatform(ctx, p.platform, `FROM --platform: `);
  // dockerd's removeDockerfile: the Dockerfile and .dockerignore are sent always, but a .dockerignore that
  // matches them keeps them out of what COPY sees.
  const ignoreFile = path.join(options.contextDir, '.dockerignore');
  const ignore = fs.existsSync(ignoreFile) ? createMatcher(fs.readFileSync(ignoreFile, 'utf8')) : undefined;
  const included = new Set((await listContext(options.contextDir, { dockerfile: inContext }))
    .map((e) => e.path)
    .filter((p) => !(ignore && (p === '.dockerignore' || p === inContext) && ignore.matches(p))));
  const extra = labelStep(options.labels);
  const total = plan.stages.reduce((n, p) => n + 1 + file.stages[p.index]!.instructions.length, 0) + extra.length;
  const stateDir = deps.stateDir ?? buildStateDir(ctx);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const session: BuildSession = {
    deps, options, progress, file, stateDir, included, hold: () => Promise.resolve(),
    cache: new BuildCache(path.join(stateDir, 'cache')),
    copyFromMemo: new CopyFromMemo(copyFromMemoDir(stateDir)),
    stages: new Map<number, ImageState>(),
    step: { next: 1, total },
  };
  // The build's lease: a prune while the build runs may drop step images' records, but never the blobs and
  // snapshots this build stands on or has made, so the image it ends with is whole.
  const lease = createLease(ctx.contentRoot, `build ${tags.join(' ')}`.trim());
  session.hold = holder(lease);
  try {
    let final: ImageState | undefined;
    for (const planned of plan.stages) {
      const runner = new StageRunner(session, planned, plan.args.stageScope());
      final = await runner.run(planned.index === plan.target ? extra : []);
      session.stages.set(planned.index, final);
    }
    const warning = plan.args.unusedWarning();
    if (warning) progress(`${warning}\n`);
    if (!final?.id) throw new BuildError('No image was generated. Is your Dockerfile empty?');
    progress(`Successfully built ${final.id.slice(7, 19)}\n`);
    for (const tag of tags) {
      await tagImage(ctx, final.id, tag);
      progress(`Successfully tagged ${tag}\n`);
    }
    return { id: final.id, tags };
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** Adds an image's config, manifest, layer blobs and chain snapshots to the lease (each resource once). */
function holder(lease: Lease): (s: ImageState) => Promise<void> {
  const held = new Set<string>();
  return async (s) => {
    const fresh = [s.id, s.target?.digest, ...s.layers.map((l) => l.digest), ...s.chain].filter((r): r is string => !!r && !held.has(r));
    if (fresh.length === 0) return;
    for (const r of fresh) held.add(r);
    await lease.add(...fresh);
  };
}
