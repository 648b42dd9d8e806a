// create: set up a container's namespaces, cgroups and rootfs, and leave its process blocked until start.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { loadBundle } from '../spec/load.js';
import { validateSpec } from '../spec/validate.js';
import { effectiveResources } from '../spec/device-rules.js';
import { compileLaunchPlan } from '../plan/compile.js';
import { containerProcessState } from '../plan/seccomp.js';
import { createCgroupManager, detectCgroupLayout, resolveCgroupsPath, DEFAULT_CGROUP_PARENT, DisabledCgroupManager, type CgroupManager } from '../cgroup/index.js';
import { expandCgroupMounts } from '../plan/cgroup-mounts.js';
import { defaultHelperPath, startHelper, withLauncher, type HelperHandle } from '../native/index.js';
import { withCompiledSeccomp } from '../plan/seccomp-bpf.js';
import { readProcStat } from '../../common/process-probe.js';
import type { PersistedState } from '../state/store.js';
import type { Spec } from '../spec/types.js';
import { RuntimeError } from '../errors.js';
import { launcherOf, loadContainer, rfc3339Nano, sleepMs, specState, type RuntimeContext } from './context.js';
import { checkHooks, runHooks } from './hooks.js';
import { writePidFile } from './pid-file.js';

export interface CreateOptions {
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  preserveFds?: number;
  /** fds 0-2 for the container; default inherit. */
  stdio?: ('inherit' | 'ignore' | 'pipe' | number)[];
  /** Keep the helper as the container's parent and report its exit (foreground run). */
  wait?: boolean;
  /** The caller will run the container in the foreground (terminal relayed by the helper). */
  foreground?: boolean;
  /** Spawn the helper through this command (e.g. the engine's container monitor); see StartHelperOptions. */
  helperWrapper?: string[];
  /** Receives warnings (capabilities the kernel lacks, ignored mount options). */
  warn?: (message: string) => void;
}

export interface CreatedContainer {
  id: string;
  pid: number;
  helper: HelperHandle;
  state: PersistedState;
}

const NS_FILE: Record<string, string> = {
  user: 'user', pid: 'pid', mount: 'mnt', uts: 'uts', ipc: 'ipc', network: 'net', cgroup: 'cgroup', time: 'time',
};

/** Creates container `id` from a bundle; on any failure removes everything it made and rethrows. */
export async function createContainer(ctx: RuntimeContext, id: string, opts: CreateOptions): Promise<CreatedContainer> {
  const dir = ctx.store.reserve(id);
  let cgroup: CgroupManager | undefined;
  let helper: HelperHandle | undefined;
  let pid = 0;
  try {
    const bundle = path.resolve(opts.bundle);
    const { spec, rootfs } = loadBundle(bundle);
    validateSpec(spec);
    checkHooks(spec.hooks);
    checkTerminal(spec, opts);

    const plan = compileLaunchPlan(spec, rootfs, {
      bundleDir: bundle, lastCap: lastCap(), rootless: ctx.options.rootless === true, ...(opts.warn ? { warn: opts.warn } : {}),
    });
    if (opts.noPivot) plan.noPivot = true;
    if (opts.consoleSocket) plan.process.consoleSocket = path.resolve(opts.consoleSocket);
    plan.execFifo = ctx.store.fifo(id);
    plan.wait = opts.wait === true;
    // Nothing to do between `created` and `continue`: let the process set up its rootfs meanwhile.
    plan.noHold = !spec.hooks?.prestart?.length && !spec.hooks?.createRuntime?.length && !plan.hooks?.length
      && !plan.process.seccomp?.listenerPath;

    const cgroupPath = resolveCgroupsPath(spec.linux?.cgroupsPath, id, ctx.options.cgroupParent);
    const ownCgroupns = plan.newNamespaces.includes('cgroup');
    const resources = effectiveResources(spec.linux?.resources, spec.linux?.devices);
    cgroup = createCgroupManager(cgroupPath);
    // The helper starts and clones the namespaces while the cgroups are made (cgroup-wait), except rootless:
    // there a refused cgroup changes the plan (no cgroup mounts), so the cgroups come first.
    const overlap = !ctx.options.rootless;
    let cgroupless = false;
    if (!overlap) {
      try {
        cgroup.create(resources);
      } catch (e) {
        if (!isPermissionError(e)) throw e;
        // runc's rootless rule: an unprivileged caller may run without cgroups, unless it asked for limits.
        if (spec.linux?.resources && Object.keys(spec.linux.resources).some((k) => k !== 'devices')) {
          throw new RuntimeError(`rootless: cannot create cgroup ${cgroupPath} for linux.resources: ${(e as Error).message} (remove linux.resources, or delegate a cgroup to this user)`, 'FailedPrecondition');
        }
        opts.warn?.(`rootless: running without a cgroup (${(e as Error).message})`);
        cgroup = new DisabledCgroupManager(cgroupPath, () => pid);
        cgroupless = true;
      }
      plan.cgroupProcs = cgroup.procsFiles();
    } else {
      plan.cgroupWait = true;
    }
    // Fresh cgroupfs mounts need privilege; a rootless container without cgroups keeps /sys's read-only view.
    plan.mounts = cgroupless
      ? plan.mounts.filter((m) => m.fstype !== 'cgroup')
      : expandCgroupMounts(plan.mounts, detectCgroupLayout(), rootfs, ownCgroupns ? undefined : { cgroupPath });

    await withCompiledSeccomp(plan.process.seccomp, ctx.options.helperPath ?? defaultHelperPath());
    helper = startHelper(plan, {
      stdio: opts.stdio ?? ['inherit', 'inherit', 'inherit'],
      preserveFds: opts.preserveFds ?? 0,
      ...(ctx.options.helperPath ? { helperPath: ctx.options.helperPath } : {}),
      ...(opts.helperWrapper ? { helperWrapper: opts.helperWrapper } : {}),
      ...withLauncher(launcherOf(ctx)),
    });
    if (overlap) {
      cgroup.create(resources);
      helper.cgroupsReady(cgroup.procsFiles());
    }
    const cgroupCreated = [...new Set([...cgroup.created(), ...ownedParents(cgroup, cgroupPath, ctx.options.cgroupParent ?? DEFAULT_CGROUP_PARENT)])];
    pid = await helper.created();
    const state: PersistedState = {
      id, bundle, rootfs, created: rfc3339Nano(), owner: os.userInfo().username, pid,
      pidStartTime: readProcStat(pid)?.startTime ?? '', annotations: spec.annotations ?? {}, creating: true,
      config: spec, cgroupPath, cgroupCreated, ...(cgroupless ? { cgroupless } : {}), namespaces: namespacePaths(spec, pid),
    };
    ctx.store.write(state);
    // runc's order: prestart (deprecated), then createRuntime, with the init parked in its namespaces.
    if (spec.hooks?.prestart?.length || spec.hooks?.createRuntime?.length) {
      const hookState = specState(loadContainer(ctx, id));
      await runHooks('prestart', spec.hooks.prestart, hookState);
      await runHooks('createRuntime', spec.hooks.createRuntime, hookState);
    }
    // The in-container hooks get the state of a created container (runc: status "created" for both kinds).
    const inContainer = plan.hooks?.length
      ? JSON.stringify({ ...specState(loadContainer(ctx, id)), status: 'created' })
      : undefined;
    // The seccomp agent's containerProcessState: runc sends it with status "creating" (the init is not ready yet).
    const sc = plan.process.seccomp;
    const seccompState = sc?.listenerPath
      ? containerProcessState(sc, pid, { ...specState(loadContainer(ctx, id)), status: 'creating' })
      : undefined;
    helper.continue(inContainer, seccompState);
    await helper.ready();
    delete state.creating;
    ctx.store.write(state);
    if (opts.pidFile) writePidFile(opts.pidFile, pid);
    return { id, pid, helper, state };
  } catch (err) {
    helper?.abort();
    cleanupFailedCreate(dir, pid, cgroup);
    throw contextualize(err, id);
  }
}

/**
 * Berth's own parent cgroup (e.g. /berth) in every hierarchy: recorded by each container so that whichever is
 * deleted last removes the parent, whoever created it.
 */
function ownedParents(cgroup: CgroupManager, cgroupPath: string, parent: string): string[] {
  const prefix = `/${parent.replace(/^\/+|\/+$/g, '')}`;
  if (!cgroupPath.startsWith(`${prefix}/`)) return [];
  return Object.values(cgroup.dirs())
    .filter((dir) => dir.endsWith(cgroupPath))
    .map((dir) => dir.slice(0, dir.length - cgroupPath.length) + prefix);
}

function checkTerminal(spec: Spec, opts: CreateOptions): void {
  const terminal = spec.process?.terminal === true;
  if (terminal && !opts.consoleSocket && !opts.foreground) {
    throw new RuntimeError(
      'process.terminal is true but no --console-socket was given: pass --console-socket, or set terminal to false',
      'InvalidArgument',
    );
  }
  if (!terminal && opts.consoleSocket) {
    throw new RuntimeError(
      '--console-socket was given but process.terminal is false: set process.terminal to true, or drop --console-socket',
      'InvalidArgument',
    );
  }
}

function namespacePaths(spec: Spec, pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of spec.linux?.namespaces ?? []) {
    const file = NS_FILE[ns.type];
    if (file) out[ns.type] = `/proc/${pid}/ns/${file}`;
  }
  return out;
}

/** Kills whatever create started and removes the cgroup and state dir. */
function cleanupFailedCreate(dir: string, pid: number, cgroup?: CgroupManager): void {
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (cgroup) {
    try {
      for (const p of cgroup.pids()) process.kill(p, 'SIGKILL');
    } catch {
      /* cgroup may not exist yet */
    }
    for (let i = 0; i < 100; i++) {
      try {
        if (cgroup.pids().length === 0) break;
      } catch {
        break;
      }
      sleepMs(10);
    }
    try {
      cgroup.destroy();
    } catch {
      /* reported by the leak checks in tests; nothing more to do here */
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function contextualize(err: unknown, id: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (!e.message.includes(`"${id}"`)) e.message = `create container "${id}": ${e.message}`;
  return e;
}

let cachedLastCap: number | undefined;
/** The kernel's highest capability number. */
export function lastCap(): number {
  if (cachedLastCap === undefined) {
    try {
      cachedLastCap = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    } catch {
      cachedLastCap = 40;
    }
  }
  return cachedLastCap;
}

function isPermissionError(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || /EACCES|EPERM|EROFS/.test((e as Error).message);
}
