// kill and delete: signal a container, and destroy a stopped (or, forced, a live) one.
import fs from 'node:fs';
import { RuntimeError } from '../errors.js';
import { isSameLiveProcess } from '../../common/process-probe.js';
import { loadContainer, sleepMs, specState, type LoadedContainer, type RuntimeContext } from './context.js';
import { parseSignal } from './signals.js';
import { runHooks } from './hooks.js';

/** Sends a signal to the container's init, or with all to every process in its cgroup. */
export function killContainer(ctx: RuntimeContext, id: string, signal = 'TERM', all = false): void {
  const sig = parseSignal(signal);
  const c = loadContainer(ctx, id);
  if (c.status === 'stopped') throw new RuntimeError(`container "${id}" is not running`, 'FailedPrecondition');
  if (all) {
    signalAll(c, sig.number);
    return;
  }
  try {
    process.kill(c.state.pid, sig.number);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw new RuntimeError(`container "${id}" is not running: no such process`, 'FailedPrecondition');
    throw e;
  }
}

function signalAll(c: LoadedContainer, signal: number): void {
  // Freeze first so no process forks a child that escapes the signal, as runc does.
  const freeze = c.status !== 'paused' && signal === 9;
  if (freeze) tryFreeze(c, true);
  for (const pid of c.cgroup.pids()) {
    try {
      process.kill(pid, signal);
    } catch {
      /* exited meanwhile */
    }
  }
  if (freeze || (c.status === 'paused' && signal === 9)) tryFreeze(c, false);
}

function tryFreeze(c: LoadedContainer, on: boolean): void {
  try {
    if (on) c.cgroup.freeze();
    else c.cgroup.thaw();
  } catch {
    /* no freezer: signal without it */
  }
}

/**
 * Destroys a container: stopped (or created) ones always, running or paused only with force; then runs its
 * poststop hooks, whose failures are only reported to warn (default: stderr).
 */
export async function deleteContainer(
  ctx: RuntimeContext,
  id: string,
  force = false,
  warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): Promise<void> {
  let c: LoadedContainer;
  try {
    c = loadContainer(ctx, id);
  } catch (e) {
    if (force && e instanceof RuntimeError && e.kind === 'NotFound') return;
    throw e;
  }
  if (!force && c.status !== 'stopped' && c.status !== 'created') {
    throw new RuntimeError(`cannot delete container "${id}": it is ${c.status} (stop it first, or use delete --force)`, 'FailedPrecondition');
  }
  if (c.status !== 'stopped') {
    signalAll(c, 9);
    waitGone(c);
  }
  destroyCgroup(ctx, c);
  // Between destroy and removing the state: poststop hooks get the (now stopped) state, as in the spec.
  await runHooks('poststop', c.state.config.hooks?.poststop, specState({ ...c, status: 'stopped' }), {
    onFailure: (e) => warn(`delete container "${id}": ${e.message} (ignored: poststop failures do not fail delete)`),
  });
  ctx.store.remove(c.state.id);
}

/** Waits until no process of the container remains (bounded: SIGKILL takes effect promptly). */
function waitGone(c: LoadedContainer): void {
  for (let i = 0; i < 1000; i++) {
    let pids: number[] = [];
    try {
      pids = c.cgroup.pids();
    } catch {
      /* cgroup gone */
    }
    if (pids.length === 0 && !isSameLiveProcess(c.state.pid, c.state.pidStartTime)) return;
    sleepMs(5);
  }
  throw new RuntimeError(`container "${c.state.id}": processes still alive 5 s after SIGKILL`);
}

function destroyCgroup(ctx: RuntimeContext, c: LoadedContainer): void {
  try {
    c.cgroup.destroy();
  } catch (e) {
    if (fs.existsSync(ctx.store.dir(c.state.id))) {
      throw new RuntimeError(`delete container "${c.state.id}": ${(e as Error).message}`);
    }
  }
}
