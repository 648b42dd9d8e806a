// pause, resume, update and stats: verbs that act on a live container's cgroup.
import type { LinuxResources } from '../spec/types.js';
import type { CgroupStats } from '../cgroup/index.js';
import { loadContainer, requireStatus, type RuntimeContext } from './context.js';

/** Freezes every process of the container. */
export function pauseContainer(ctx: RuntimeContext, id: string): void {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['running', 'created'], 'pause');
  c.cgroup.freeze();
}

/** Thaws a paused container. */
export function resumeContainer(ctx: RuntimeContext, id: string): void {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['paused'], 'resume');
  c.cgroup.thaw();
}

/** Applies new resource limits to a live container and records them in its state. */
export function updateContainer(ctx: RuntimeContext, id: string, patch: LinuxResources): void {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['running', 'created', 'paused'], 'update');
  c.cgroup.update(patch);
  const linux = (c.state.config.linux ??= {});
  linux.resources = mergeResources(linux.resources ?? {}, patch);
  ctx.store.write(c.state);
}

/** Cgroup statistics of a container that has not been deleted. */
export function containerStats(ctx: RuntimeContext, id: string): CgroupStats {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['running', 'created', 'paused'], 'get stats of');
  return c.cgroup.stats();
}

/** Shallow per-section merge: a patch replaces only the fields it sets. */
export function mergeResources(base: LinuxResources, patch: LinuxResources): LinuxResources {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? { ...prev, ...v }
      : v;
  }
  return out as LinuxResources;
}
