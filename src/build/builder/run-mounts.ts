// RUN --mount, BuildKit's semantics on the builder's side: each mount's target (relative ones under WORKDIR), the
// parts it adds to the step's cache key, and, only when the step really runs, the host paths to mount:
//   bind   a file or directory of the context (default), or of an earlier stage or an image (`from=`), confined to
//          that root; read-only unless `rw`, whose writes go to a throw-away copy. The key holds the content
//          checksum of a context source, or the id of the stage's/image's image (its content cannot change under it).
//   cache  a persistent directory per id (run/cache-mounts.ts), optionally seeded from `from=`/`source=` when new;
//          only its settings are in the key, never its content.
//   tmpfs  an empty tmpfs (`size=`).
// secret and ssh mounts are refused: the legacy build API that Berth serves has no channel to forward a client's
// secrets or SSH agent.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunMount } from '../dockerfile/index.js';
import { acquireCacheMount, type HeldCacheMount } from '../run/cache-mounts.js';
import { copyContents, copyTree } from '../run/tree-copy.js';
import { contentChecksum, includedBelow, type SourceRoot } from './copy-sources.js';
import { BuildError } from './errors.js';
import { withView } from './layer-step.js';
import { isWithin, resolveInRoot } from './scoped-path.js';
import type { BuildDeps, ImageState, RunStepMount } from './types.js';

/** What resolving a step's mounts needs from the build. */
export interface RunMountEnv {
  deps: BuildDeps;
  stateDir: string;
  contextDir: string;
  /** The context's entries after .dockerignore. */
  included: ReadonlySet<string>;
  /** The image `from=` names: an earlier stage's, or an image (pulled when missing). */
  image(from: string): Promise<ImageState>;
  /** The RUN's line, for messages. */
  line: number;
}

/** A step's mounts: key parts now, host paths when the step runs. */
export interface PlannedMounts {
  /** One entry per mount, in target order; empty without mounts. */
  key: Record<string, unknown>[];
  /** Prepares the host side of every mount; `release` undoes it all (views, copies, cache locks). */
  open(): Promise<OpenedMounts>;
}

export interface OpenedMounts {
  mounts: RunStepMount[];
  release(): Promise<void>;
}

/** What one step's open() holds until release. */
class Held {
  private readonly undo: (() => Promise<void> | void)[] = [];
  private readonly views = new Map<string, Promise<string>>();
  readonly caches = new Map<string, HeldCacheMount>();

  constructor(readonly env: RunMountEnv) {}

  onRelease(fn: () => Promise<void> | void): void {
    this.undo.push(fn);
  }

  /** A read-only view of an image's filesystem, mounted once per step however many mounts use it. */
  view(state: ImageState): Promise<string> {
    const key = state.id ?? 'scratch';
    let v = this.views.get(key);
    if (!v) {
      v = holdView(this.env, state).then((h) => {
        this.onRelease(h.release);
        return h.dir;
      });
      this.views.set(key, v);
    }
    return v;
  }

  /** A scratch directory path under the build's tmp dir, removed on release. */
  scratch(): string {
    const dir = path.join(this.env.stateDir, 'tmp', `run-mount-${randomBytes(8).toString('hex')}`);
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    this.onRelease(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async release(): Promise<void> {
    for (const c of this.caches.values()) c.release();
    const errors: unknown[] = [];
    for (const fn of this.undo.reverse()) await Promise.resolve().then(fn).catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }
}

/** Keeps `withView`'s mount until release() is called. */
function holdView(env: RunMountEnv, state: ImageState): Promise<{ dir: string; release: () => Promise<void> }> {
  return new Promise((ready, fail) => {
    let done!: () => void;
    const finished = withView(env.deps, env.stateDir, state, (dir) => new Promise<void>((resolve) => {
      done = resolve;
      ready({ dir, release: () => (done(), finished) });
    }));
    finished.catch(fail);
  });
}

interface PlannedMount {
  target: string;
  key: Record<string, unknown>;
  /** Cache mounts are opened last, in id order, so two steps never wait on each other's locks crosswise. */
  cacheId?: string;
  open(held: Held): Promise<RunStepMount>;
}

function fail(line: number, message: string): BuildError {
  return new BuildError(`RUN --mount on line ${line}: ${message}`, line);
}

/** The absolute mount point: a relative target is under WORKDIR; `/` and a missing target are refused. */
export function mountTarget(target: string | undefined, workdir: string, line: number): string {
  if (!target) throw fail(line, 'target is required (add target=/path/in/the/container)');
  const abs = path.posix.resolve('/', workdir || '/', target);
  if (abs === '/') throw fail(line, `invalid mount target "${target}": the root cannot be a mount point`);
  return abs;
}

/** A source as a path relative to its root (`.` for the root); `..` that leaves the root is refused. */
export function cleanSource(source: string | undefined, line: number, where: string): string {
  const rel = path.posix.normalize((source ?? '').replace(/^\/+/, '') || '.').replace(/\/+$/, '') || '.';
  if (rel === '..' || rel.startsWith('../')) {
    throw fail(line, `source ${source} is outside ${where}: a mount source must stay inside its root (use a path inside it, or from= another stage)`);
  }
  return rel;
}

/** A context source: its real path, refused when missing, excluded by .dockerignore, or a link leading out. */
export function contextSource(contextDir: string, included: ReadonlySet<string>, source: string | undefined, line: number): { abs: string; rel: string } {
  const rel = cleanSource(source, line, 'the build context');
  const notFound = () => fail(line, `source ${source} was not found in the build context (or .dockerignore excludes it)`);
  if (rel !== '.' && !included.has(rel)) throw notFound();
  const rootReal = fs.realpathSync(contextDir);
  let real: string;
  try {
    real = fs.realpathSync(path.join(contextDir, rel));
  } catch {
    throw notFound();
  }
  if (!isWithin(rootReal, real)) {
    throw fail(line, `source ${source} is a symbolic link leading outside the build context (to ${fs.readlinkSync(path.join(contextDir, rel))}): bind sources must stay inside the context`);
  }
  const realRel = path.relative(rootReal, real) || '.';
  if (realRel !== '.' && !included.has(realRel)) throw notFound();
  return { abs: real, rel: realRel };
}

/** Whether anything below a context directory is left out by .dockerignore (then it is mounted through a copy). */
function hasExcluded(root: SourceRoot, abs: string): boolean {
  if (!fs.lstatSync(abs).isDirectory()) return false;
  for (const name of fs.readdirSync(abs)) {
    const child = path.join(abs, name);
    if (!includedBelow(root, child) || hasExcluded(root, child)) return true;
  }
  return false;
}

function refuseUnsupported(m: RunMount, line: number): void {
  if (m.type === 'secret' || m.type === 'ssh') {
    throw fail(line, `type=${m.type} is not supported: Berth serves the legacy build API, which has no channel to forward ${m.type === 'secret' ? 'secrets' : 'an SSH agent'} from the client (remove the mount, or pass what the step needs with --build-arg or COPY)`);
  }
}

async function planBind(env: RunMountEnv, m: RunMount, target: string): Promise<PlannedMount> {
  const { line } = env;
  const readOnly = m.readOnly;
  // rw: the step may write, but what it writes is discarded with the copy
  const mountPath = (held: Held, abs: string, filter?: (p: string) => boolean): RunStepMount => {
    if (readOnly && !filter) return { type: 'bind', source: abs, target, readOnly };
    const copy = held.scratch();
    copyTree(abs, copy, filter);
    return { type: 'bind', source: copy, target, readOnly };
  };
  if (m.from === undefined) {
    const root: SourceRoot = { dir: env.contextDir, included: env.included, verb: 'RUN --mount' };
    const { abs, rel } = contextSource(env.contextDir, env.included, m.source, line);
    const checksum = contentChecksum(root, [{ abs, name: rel, isDir: fs.statSync(abs).isDirectory() }]);
    return {
      target,
      key: { type: 'bind', target, source: rel, readOnly, checksum },
      open: (held) => Promise.resolve(mountPath(held, abs, hasExcluded(root, abs) ? (p) => includedBelow(root, p) : undefined)),
    };
  }
  const state = await env.image(m.from);
  const rel = cleanSource(m.source, line, `from=${m.from}`);
  return {
    target,
    key: { type: 'bind', target, source: rel, readOnly, from: state.id ?? 'scratch' },
    open: async (held) => {
      const view = await held.view(state);
      const abs = resolveInRoot(view, rel);
      if (!fs.lstatSync(abs, { throwIfNoEntry: false })) throw fail(line, `source ${m.source} was not found in from=${m.from}`);
      return mountPath(held, abs);
    },
  };
}

async function planCache(env: RunMountEnv, m: RunMount, target: string): Promise<PlannedMount> {
  const { line } = env;
  // BuildKit's default id is the target as written (cleaned), not the one resolved under WORKDIR
  const id = m.id || path.posix.normalize(m.target!);
  const sharing = m.sharing ?? 'shared';
  if (m.source !== undefined && m.from === undefined) throw fail(line, `source=${m.source} on a cache mount needs from= (the stage or image to seed the cache from)`);
  const seedFrom = m.from === undefined ? undefined : await env.image(m.from);
  const seedRel = cleanSource(m.source, line, `from=${m.from}`);
  return {
    target,
    cacheId: id,
    key: { type: 'cache', target, id, sharing, readOnly: m.readOnly },
    open: async (held) => {
      let seed: ((dir: string) => void) | undefined;
      if (seedFrom) {
        const abs = resolveInRoot(await held.view(seedFrom), seedRel);
        if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw fail(line, `cache seed ${m.source ?? '/'} is not a directory in from=${m.from}`);
        seed = (dir) => copyContents(abs, dir);
      }
      let cache = held.caches.get(id);
      if (!cache) {
        cache = await acquireCacheMount(env.stateDir, { id, sharing, mode: m.mode ?? 0o755, uid: m.uid ?? 0, gid: m.gid ?? 0, ...(seed ? { seed } : {}) });
        held.caches.set(id, cache);
      }
      return { type: 'bind', source: cache.dir, target, readOnly: m.readOnly };
    },
  };
}

/** Resolves a RUN's (expanded) mounts; throws a BuildError naming the line for anything it cannot mount. */
export async function planRunMounts(env: RunMountEnv, mounts: readonly RunMount[], workdir: string): Promise<PlannedMounts> {
  const planned: PlannedMount[] = [];
  for (const m of mounts) {
    refuseUnsupported(m, env.line);
    const target = mountTarget(m.target, workdir, env.line);
    if (planned.some((p) => p.target === target)) throw fail(env.line, `two mounts have the target ${target} (give each mount its own target)`);
    if (m.type === 'bind') planned.push(await planBind(env, m, target));
    else if (m.type === 'cache') planned.push(await planCache(env, m, target));
    else {
      const size = m.size;
      planned.push({
        target,
        key: { type: 'tmpfs', target, size: size ?? 0, readOnly: m.readOnly },
        open: () => Promise.resolve({ type: 'tmpfs', target, readOnly: m.readOnly, ...(size ? { size } : {}) }),
      });
    }
  }
  // parents before the mounts nested in them
  const depth = (t: string) => t.split('/').length;
  planned.sort((a, b) => depth(a.target) - depth(b.target) || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return {
    key: planned.map((p) => p.key),
    async open() {
      const held = new Held(env);
      try {
        const byTarget = new Map<string, RunStepMount>();
        for (const p of planned) if (p.cacheId === undefined) byTarget.set(p.target, await p.open(held));
        const caches = planned.filter((p) => p.cacheId !== undefined).sort((a, b) => (a.cacheId! < b.cacheId! ? -1 : a.cacheId! > b.cacheId! ? 1 : 0));
        for (const p of caches) byTarget.set(p.target, await p.open(held));
        return { mounts: planned.map((p) => byTarget.get(p.target)!), release: () => held.release() };
      } catch (e) {
        await held.release().catch(() => undefined);
        throw e;
      }
    },
  };
}
