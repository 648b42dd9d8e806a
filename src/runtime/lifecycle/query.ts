// Read-only verbs: state, list, ps.
import { RuntimeError } from '../errors.js';
import type { ContainerState } from '../spec/types.js';
import { loadContainer, specState, type RuntimeContext } from './context.js';

/** runtime-spec state of one container. */
export function containerState(ctx: RuntimeContext, id: string): ContainerState {
  return specState(loadContainer(ctx, id));
}

/** State of every container under the root; unreadable ones are skipped. */
export function listContainers(ctx: RuntimeContext): ContainerState[] {
  const out: ContainerState[] = [];
  for (const id of ctx.store.list()) {
    try {
      out.push(containerState(ctx, id));
    } catch {
      /* removed meanwhile */
    }
  }
  return out;
}

/** Host pids of every process in the container's cgroup. */
export function containerPids(ctx: RuntimeContext, id: string): number[] {
  const c = loadContainer(ctx, id);
  if (c.status === 'stopped') return [];
  try {
    return c.cgroup.pids().sort((a, b) => a - b);
  } catch (e) {
    throw new RuntimeError(`ps container "${id}": ${(e as Error).message}`);
  }
}
