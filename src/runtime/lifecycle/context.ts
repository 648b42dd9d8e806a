// What every lifecycle verb needs: the state store, cgroup settings, and how to look a container up.
import fs from 'node:fs';
import { StateStore, type PersistedState } from '../state/store.js';
import { deriveStatus, type Status } from '../state/status.js';
import { isSameLiveProcess } from '../../common/process-probe.js';
import { createCgroupManager, DisabledCgroupManager, type CgroupManager } from '../cgroup/index.js';
import type { ContainerState } from '../spec/types.js';
import { RuntimeError } from '../errors.js';
import { defaultHelperPath, HelperLauncher } from '../native/index.js';

export interface RuntimeOptions {
  /** State root (runc's --root). */
  root: string;
  /** Parent for relative cgroupsPath values (default "berth"). */
  cgroupParent?: string;
  /** runc's --rootless: cgroups the caller may not create are skipped (with a warning) instead of failing. */
  rootless?: boolean;
  /** Path of the C helper (default native/build/berth-helper, or $BERTH_HELPER). */
  helperPath?: string;
  /**
   * Start helpers through a resident launcher process instead of forking this one per launch (for long-lived
   * callers such as the engine: forking a large Node process costs milliseconds per container).
   */
  launcher?: boolean;
}

export interface RuntimeContext {
  store: StateStore;
  options: RuntimeOptions;
  /** The resident launcher, once started (see launcherOf). */
  launcher?: HelperLauncher;
}

/** A container as the kernel shows it now. */
export interface LoadedContainer {
  state: PersistedState;
  status: Status;
  cgroup: CgroupManager;
}

export function newContext(options: RuntimeOptions): RuntimeContext {
  return { store: new StateStore(options.root), options };
}

/** The context's resident launcher when options.launcher asks for one, started on first use (again if it died). */
export function launcherOf(ctx: RuntimeContext): HelperLauncher | undefined {
  if (!ctx.options.launcher) return undefined;
  if (!ctx.launcher?.alive) ctx.launcher = new HelperLauncher(ctx.options.helperPath ?? defaultHelperPath());
  return ctx.launcher;
}

/** Reads a container's state and derives its current status. */
export function loadContainer(ctx: RuntimeContext, id: string): LoadedContainer {
  const state = ctx.store.read(id);
  const cgroup = state.cgroupless
    ? new DisabledCgroupManager(state.cgroupPath, () => state.pid)
    : createCgroupManager(state.cgroupPath, { created: state.cgroupCreated ?? [] });
  const status = deriveStatus({
    alive: isSameLiveProcess(state.pid, state.pidStartTime),
    creating: state.creating === true,
    frozen: () => safeFrozen(cgroup),
    fifoExists: () => fs.existsSync(ctx.store.fifo(id)),
  });
  return { state, status, cgroup };
}

function safeFrozen(cgroup: CgroupManager): boolean {
  try {
    return cgroup.isFrozen();
  } catch {
    return false;
  }
}

/** The runtime-spec state object (`state` command output). */
export function specState(c: LoadedContainer): ContainerState {
  return {
    ociVersion: c.state.config.ociVersion,
    id: c.state.id,
    pid: c.status === 'stopped' ? 0 : c.state.pid,
    status: c.status,
    bundle: c.state.bundle,
    rootfs: c.state.rootfs,
    created: c.state.created,
    annotations: c.state.annotations ?? {},
    owner: c.state.owner,
  };
}

/** Throws FailedPrecondition unless the container is in one of the given states. */
export function requireStatus(c: LoadedContainer, allowed: Status[], action: string): void {
  if (!allowed.includes(c.status)) {
    throw new RuntimeError(
      `cannot ${action} container "${c.state.id}": it is ${c.status} (needs ${allowed.join(' or ')})`,
      'FailedPrecondition',
    );
  }
}

/** RFC3339 with nanoseconds, as runc writes `created` (milliseconds from the clock, the rest from hrtime). */
export function rfc3339Nano(d = new Date(), hr = process.hrtime.bigint()): string {
  const sub = String(Number(hr % 1_000_000n)).padStart(6, '0');
  return d.toISOString().replace(/(\.\d{3})Z$/, `$1${sub}Z`);
}

/** Synchronous sleep for short polling loops in CLI verbs. */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
