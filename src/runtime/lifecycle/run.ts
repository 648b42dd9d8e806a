// run: create + start; in the foreground wait for the process, report its status and delete the container.
import { RuntimeError } from '../errors.js';
import { createContainer, type CreateOptions } from './create.js';
import { startContainer } from './start.js';
import { deleteContainer } from './kill.js';
import { loadContainer, type RuntimeContext } from './context.js';

export interface RunResult {
  pid: number;
  /** Exit code (128 + signal for a killed process); undefined when detached. */
  exitCode?: number;
  /** The kernel's OOM killer killed a process of the container. */
  oomKilled?: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Runs a container; detached returns once started, otherwise after the process exits (then deletes it). */
export async function runContainer(
  ctx: RuntimeContext,
  id: string,
  opts: CreateOptions & { detach?: boolean; keep?: boolean },
): Promise<RunResult> {
  if (opts.detach) {
    const c = await createContainer(ctx, id, { ...opts, wait: false });
    await startWithCleanup(ctx, id, opts.warn);
    return { pid: c.pid };
  }
  const c = await createContainer(ctx, id, { ...opts, wait: true, foreground: true });
  // The helper is the container's parent: signals to us go to it, and it forwards them to the container.
  const forward = (sig: NodeJS.Signals) => c.helper.signal(sig);
  for (const s of FORWARDED) process.on(s, forward);
  try {
    await startWithCleanup(ctx, id, opts.warn);
    const exit = await c.helper.exited;
    const exitCode = exit.code ?? 128 + 9;
    let oomKilled = false;
    try {
      oomKilled = loadContainer(ctx, id).cgroup.oomKills() > 0;
    } catch {
      /* cgroup already gone */
    }
    if (!opts.keep) await deleteContainer(ctx, id, true, opts.warn);
    return { pid: c.pid, exitCode, oomKilled };
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
  }
}

async function startWithCleanup(ctx: RuntimeContext, id: string, warn?: (message: string) => void): Promise<void> {
  try {
    await startContainer(ctx, id);
  } catch (e) {
    try {
      await deleteContainer(ctx, id, true, warn);
    } catch {
      /* keep the original error */
    }
    throw e instanceof RuntimeError ? e : new RuntimeError(`run container "${id}": ${(e as Error).message}`);
  }
}
