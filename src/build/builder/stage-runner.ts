// One build stage, instruction by instruction: FROM (an image, scratch or an earlier stage, then the base's ONBUILD
// triggers), config-only steps, WORKDIR, COPY/ADD and RUN. Every step is looked up in the cache first; a miss makes
// a new image (history entry, and a layer for filesystem changes) that becomes the next step's parent.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { resolveImage, type ImageConfig } from '../../image/index.js';
import {
  expandInstruction, parseOnbuildTrigger, resolveStageRef, type AddInstruction, type CopyInstruction, type Dockerfile,
  type Instruction, type PlannedStage, type RunInstruction, type StageArgs,
} from '../dockerfile/index.js';
import { BuildCache, stepKey } from './cache.js';
import { prepareCopy } from './copy-step.js';
import { planRunMounts } from './run-mounts.js';
import { CopyFromMemo, type CopyFromResolution } from './copy-from-memo.js';
import { mkdirAllInRoot } from './copy-write.js';
import type { SourceRoot } from './copy-sources.js';
import { BuildError } from './errors.js';
import { withLayer, withView, type LayerResult } from './layer-step.js';
import { applyMetadata, commandArgv, isMetadataInstruction, nopCreatedBy, nopStringCreatedBy, type StageScope } from './metadata.js';
import { heredocScript } from './run-heredoc.js';
import { storeImage } from './store-image.js';
import type { BuildDeps, BuildNetworkMode, BuildOptions, BuildProgress, ImageState } from './types.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What every stage of one build shares. */
export interface BuildSession {
  deps: BuildDeps;
  options: BuildOptions;
  progress: BuildProgress;
  file: Dockerfile;
  cache: BuildCache;
  /** Keeps an image's blobs and snapshots from garbage collection until the build ends (the build's lease). */
  hold(state: ImageState): Promise<void>;
  /** COPY --from resolutions per source image, so cached steps need no mount. */
  copyFromMemo: CopyFromMemo;
  stateDir: string;
  /** The context's entries after .dockerignore. */
  included: ReadonlySet<string>;
  /** Finished stages' images, by stage index. */
  stages: Map<number, ImageState>;
  /** `Step N/M`: the next N and M. */
  step: { next: number; total: number };
}

const short = (id: string | undefined) => (id ?? '').replace(/^sha256:/, '').slice(0, 12);

function cloneState(s: ImageState): ImageState {
  return { ...s, config: structuredClone(s.config), layers: [...s.layers], chain: [...s.chain] };
}

/** The image a FROM or COPY --from names, pulled first when it is missing (or when --pull asks). */
export async function imageState(session: BuildSession, ref: string): Promise<ImageState> {
  const { deps, options, progress } = session;
  let found = options.pull ? undefined : await resolveImage(deps.image, ref).catch(() => undefined);
  if (!found) {
    if (!deps.pull) throw new BuildError(`No such image: ${ref} (pull or load it first)`);
    await deps.pull(ref, progress);
    found = await resolveImage(deps.image, ref);
  }
  const image = found.group.image;
  for (const c of image.chainIds) {
    await deps.image.snapshots.stat(c).catch(() => {
      throw new BuildError(`image ${ref}: layer ${c} is not unpacked (pull the image again)`);
    });
  }
  return { id: image.id, target: image.manifestDescriptor, config: structuredClone(image.config), layers: [...image.manifest.layers], chain: [...image.chainIds] };
}

function scratchState(session: BuildSession): ImageState {
  const { architecture, os, variant } = session.deps.image.platform;
  const config: ImageConfig = { architecture, os, ...(variant ? { variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
  return { config, layers: [], chain: [] };
}

export class StageRunner {
  private state!: ImageState;
  private readonly scope: StageScope;

  constructor(private readonly session: BuildSession, private readonly planned: PlannedStage, args: StageArgs) {
    this.scope = { args, cmdSet: false };
  }

  private print(text: string): void {
    this.session.progress(text);
  }

  private stepLine(i: Instruction): void {
    const { step } = this.session;
    this.print(`Step ${step.next++}/${step.total} : ${i.original}\n`);
  }

  /** Runs the stage; returns its image. */
  async run(extra: Instruction[] = []): Promise<ImageState> {
    const stage = this.session.file.stages[this.planned.index]!;
    this.stepLine(stage.from);
    await this.from();
    for (const i of [...stage.instructions, ...extra]) {
      this.stepLine(i);
      await this.dispatch(i);
    }
    return this.state;
  }

  private async from(): Promise<void> {
    const base = this.planned.base;
    if (base.kind === 'scratch') this.state = scratchState(this.session);
    else if (base.kind === 'stage') {
      const s = this.session.stages.get(base.index);
      if (!s) throw new BuildError(`internal: stage ${base.index} was not built before stage ${this.planned.index}`);
      this.state = cloneState(s);
    } else {
      this.state = await imageState(this.session, base.ref);
      // A child image starts with the base's config, but not its author, comment or builder bookkeeping.
      const c = this.state.config as ImageConfig & { comment?: string };
      delete c.author;
      delete c.comment;
      delete c.container;
      delete c.container_config;
      delete c.docker_version;
    }
    await this.session.hold(this.state);
    // dockerd's beginStage → setDefaultPath: every stage's config gets PATH if its base has none (scratch too).
    const runConfig = (this.state.config.config ??= {});
    if (!(runConfig.Env ?? []).some((kv) => kv.startsWith('PATH='))) runConfig.Env = [...(runConfig.Env ?? []), DEFAULT_PATH];
    if (this.state.id) this.print(` ---> ${short(this.state.id)}\n`);
    const triggers = this.state.config.config?.OnBuild ?? [];
    if (triggers.length > 0) {
      this.print(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      this.state.config.config!.OnBuild = null;
      for (const expression of triggers) await this.dispatch(parseOnbuildTrigger(expression));
    }
  }

  private env(): string[] {
    return this.state.config.config?.Env ?? [];
  }

  private async dispatch(raw: Instruction): Promise<void> {
    const instruction = expandInstruction(raw, this.scope.args.expansionEnv(this.env()), this.session.file.directives.escape);
    if (isMetadataInstruction(instruction)) {
      const next = cloneState(this.state);
      const comment = applyMetadata(next.config, instruction, this.scope);
      const config = next.config.config ?? {};
      await this.step(nopCreatedBy(config, comment), { config, author: next.config.author }, next, undefined);
      return;
    }
    switch (instruction.kind) {
      case 'WORKDIR': {
        const next = cloneState(this.state);
        const config = (next.config.config ??= {});
        config.WorkingDir = path.posix.resolve(config.WorkingDir || '/', instruction.path);
        const dir = config.WorkingDir;
        await this.step(nopStringCreatedBy(config, `WORKDIR ${dir}`), { config }, next, (rootfs) => {
          mkdirAllInRoot(rootfs, dir, { uid: 0, gid: 0 });
          return Promise.resolve();
        });
        return;
      }
      case 'COPY':
      case 'ADD':
        return this.copy(instruction);
      case 'RUN':
        return this.runStep(instruction);
      case 'FROM':
        throw new BuildError('FROM in an ONBUILD trigger is not allowed', instruction.startLine);
      default:
        throw new BuildError(`internal: unhandled instruction ${instruction.kind}`, instruction.startLine);
    }
  }

  private async copy(instruction: CopyInstruction | AddInstruction): Promise<void> {
    const from = instruction.kind === 'COPY' ? instruction.from : undefined;
    const scratch = path.join(this.session.stateDir, 'tmp');
    const workdir = this.state.config.config?.WorkingDir;
    const doCopy = async (root: SourceRoot, fromId: string | undefined, remember?: (r: CopyFromResolution) => void) => {
      const prepared = await prepareCopy(instruction, root, workdir, scratch);
      try {
        remember?.({ key: prepared.key, comment: prepared.comment });
        const next = cloneState(this.state);
        const config = next.config.config ?? {};
        await this.step(nopStringCreatedBy(config, prepared.comment), { ...prepared.key, fromId }, next, (rootfs) => prepared.apply(rootfs, this.session.deps.fsops));
      } finally {
        prepared.cleanup();
      }
    };
    if (from === undefined) {
      return doCopy({ dir: this.session.options.contextDir, included: this.session.included, verb: instruction.kind }, undefined);
    }
    const ref = resolveStageRef(this.session.file.stages, from, this.planned.index, instruction);
    const source = ref.kind === 'stage' ? this.session.stages.get(ref.index) : await imageState(this.session, ref.ref);
    if (!source) throw new BuildError(`COPY --from=${from}: stage ${from} was not built`, instruction.startLine);
    await this.session.hold(source);
    const fromId = source.id ?? 'scratch';
    // The source image cannot change under its id: a remembered resolution lets a cache hit skip mounting it.
    const memoInput = source.id ? { instruction: { ...instruction, startLine: 0, endLine: 0, original: '' }, workdir } : undefined;
    const memo = this.session.copyFromMemo;
    if (memoInput && !this.session.options.noCache) {
      const known = memo.get(fromId, memoInput);
      if (known && await this.cached(stepKey(this.state.id, { createdBy: nopStringCreatedBy(this.state.config.config ?? {}, known.comment), ...known.key, fromId }))) return;
    }
    await withView(this.session.deps, this.session.stateDir, source, (dir) => doCopy({ dir, verb: instruction.kind }, fromId, memoInput && ((r) => memo.set(fromId, memoInput, r))));
  }

  private async runStep(instruction: RunInstruction): Promise<void> {
    const config = this.state.config.config ?? {};
    let argv = commandArgv(instruction.command, config);
    if (instruction.heredocs.length > 0) {
      argv = [...commandArgv({ form: 'shell', args: [] }, config), heredocScript(instruction.command.args.join(' '), instruction.heredocs)];
    }
    const historyArgs = this.scope.args.historyArgs(this.env());
    const createdBy = (historyArgs.length > 0 ? [`|${historyArgs.length}`, ...historyArgs, ...argv] : argv).join(' ');
    const network: BuildNetworkMode = instruction.network !== 'default' ? instruction.network : (this.session.options.networkMode ?? 'default');
    const env = [...this.env(), ...this.scope.args.runEnv(this.env())];
    if (!env.some((kv) => kv.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
    const { session } = this;
    const mounts = await planRunMounts({
      deps: session.deps, stateDir: session.stateDir, contextDir: session.options.contextDir, included: session.included, line: instruction.startLine,
      image: async (from) => {
        const ref = resolveStageRef(session.file.stages, from, this.planned.index, instruction);
        const source = ref.kind === 'stage' ? session.stages.get(ref.index) : await imageState(session, ref.ref);
        if (!source) throw new BuildError(`RUN --mount from=${from}: stage ${from} was not built`, instruction.startLine);
        return source;
      },
    }, instruction.mounts, config.WorkingDir || '/');
    const next = cloneState(this.state);
    // Without mounts the key stays as it was, so existing cache entries keep matching.
    await this.step(createdBy, { run: argv, createdBy, network, ...(mounts.key.length > 0 ? { mounts: mounts.key } : {}) }, next, async (rootfs) => {
      const id = randomBytes(32).toString('hex');
      const cwd = config.WorkingDir || '/';
      mkdirAllInRoot(rootfs, cwd, { uid: 0, gid: 0 });
      this.print(` ---> Running in ${id.slice(0, 12)}\n`);
      const opened = await mounts.open();
      let code: number;
      try {
        code = await this.session.deps.runStep.run({
          id, rootfs, argv, env, user: config.User ?? '', cwd, network, volumes: Object.keys(config.Volumes ?? {}),
          ...(opened.mounts.length > 0 ? { mounts: opened.mounts } : {}),
          output: (chunk) => this.print(chunk.toString('utf8')),
        });
      } finally {
        await opened.release();
      }
      if (code !== 0) {
        throw new BuildError(`The command '${argv.join(' ')}' returned a non-zero code: ${code}`, instruction.startLine, { code });
      }
      this.print(`Removing intermediate container ${id.slice(0, 12)}\n`);
    });
  }

  /** A cache hit for the step (unless --no-cache): prints Docker's lines and moves the stage onto the cached image. */
  private async cached(key: string): Promise<boolean> {
    const { deps, cache, options } = this.session;
    if (options.noCache) return false;
    const hit = await cache.lookup(deps.image, key);
    if (!hit) return false;
    await this.session.hold(hit);
    this.print(` ---> Using cache\n ---> ${short(hit.id)}\n`);
    this.state = hit;
    return true;
  }

  /**
   * One step: a cache hit reuses the stored image; a miss applies `change` in a new layer (if any), appends the
   * history entry, stores the image and records it in the cache.
   */
  private async step(createdBy: string, keyParts: Record<string, unknown>, next: ImageState, change: ((rootfs: string) => Promise<void>) | undefined): Promise<void> {
    const { deps, cache } = this.session;
    const parentId = this.state.id;
    const key = stepKey(parentId, { createdBy, ...keyParts });
    if (await this.cached(key)) return;
    let result: LayerResult = {};
    if (change) result = await withLayer(deps, this.session.stateDir, this.state, change);
    // From here until the image record exists, only the lease keeps a concurrent prune off the new layer.
    if (result.layer) await this.session.hold({ ...next, layers: [result.layer.descriptor], chain: [result.layer.chainId] });
    const created = (deps.now ?? (() => new Date()))().toISOString();
    next.config.created = created;
    const entry: NonNullable<ImageConfig['history']>[number] = { created, created_by: createdBy };
    if (next.config.author) entry.author = next.config.author;
    if (result.layer) {
      next.config.rootfs = { type: 'layers', diff_ids: [...next.config.rootfs.diff_ids, result.layer.diffId] };
      next.layers.push(result.layer.descriptor);
      next.chain.push(result.layer.chainId);
    } else entry.empty_layer = true;
    next.config.history = [...(next.config.history ?? []), entry];
    this.state = await storeImage(deps.image, next, parentId);
    await this.session.hold(this.state);
    await cache.store(key, { id: this.state.id!, target: this.state.target! });
    this.print(` ---> ${short(this.state.id)}\n`);
  }
}
