// exec: start another process inside a running container's namespaces and cgroups.
import path from 'node:path';
import { compileExecProcess } from '../plan/compile.js';
import { compileSeccompFor, containerProcessState } from '../plan/seccomp.js';
import { emptyPlan } from '../plan/launch-plan.js';
import type { NamespaceType } from '../plan/launch-plan.js';
import { defaultHelperPath, startHelper, withLauncher, type HelperHandle } from '../native/index.js';
import { withCompiledSeccomp } from '../plan/seccomp-bpf.js';
import type { Process } from '../spec/types.js';
import { RuntimeError } from '../errors.js';
import { validateProcess } from '../spec/validate.js';
import { launcherOf, loadContainer, requireStatus, specState, type RuntimeContext } from './context.js';
import { writePidFile } from './pid-file.js';
import { lastCap } from './create.js';

export interface ExecOptions {
  process: Process;
  detach?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds?: number;
  stdio?: ('inherit' | 'ignore' | 'pipe' | number)[];
  /** Spawn the helper through this wrapper (the engine's monitor), as CreateOptions.helperWrapper. */
  helperWrapper?: string[];
}

const PLAN_NS: Record<string, NamespaceType> = {
  user: 'user', pid: 'pid', mount: 'mount', uts: 'uts', ipc: 'ipc', network: 'net', cgroup: 'cgroup', time: 'time',
};

/** Starts the process; returns its host pid and the helper (whose exit is the process's, unless detached). */
export async function execInContainer(ctx: RuntimeContext, id: string, opts: ExecOptions): Promise<{ pid: number; helper: HelperHandle }> {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['running', 'created'], 'exec in');
  const proc = opts.process;
  if (!proc.args?.length) throw new RuntimeError('exec: process.args must name a program to run', 'InvalidArgument');
  if (proc.terminal && opts.detach && !opts.consoleSocket) {
    throw new RuntimeError('exec: terminal with --detach needs --console-socket', 'InvalidArgument');
  }
  if (!proc.terminal && opts.consoleSocket) {
    throw new RuntimeError('exec: --console-socket needs a terminal (--tty or process.terminal)', 'InvalidArgument');
  }
  validateProcess(proc, 'process');
  const planProcess = compileExecProcess(proc, { lastCap: lastCap() });
  // exec'd processes are filtered like the container's init (the config was validated at create).
  planProcess.seccomp = compileSeccompFor(c.state.config);
  if (opts.consoleSocket) planProcess.consoleSocket = path.resolve(opts.consoleSocket);
  const plan = emptyPlan('exec', planProcess);
  for (const [type, nsPath] of Object.entries(c.state.namespaces)) {
    const t = PLAN_NS[type];
    if (t) plan.joinNamespaces.push({ type: t, path: nsPath.replace(/^\/proc\/\d+\//, `/proc/${c.state.pid}/`) });
  }
  plan.cgroupProcs = c.cgroup.procsFiles();
  plan.wait = !opts.detach;
  plan.noHold = !planProcess.seccomp?.listenerPath;
  await withCompiledSeccomp(planProcess.seccomp, ctx.options.helperPath ?? defaultHelperPath());
  const helper = startHelper(plan, {
    stdio: opts.stdio ?? ['inherit', 'inherit', 'inherit'],
    preserveFds: opts.preserveFds ?? 0,
    ...(ctx.options.helperPath ? { helperPath: ctx.options.helperPath } : {}),
    ...(opts.helperWrapper ? { helperWrapper: opts.helperWrapper } : {}),
    ...withLauncher(launcherOf(ctx)),
  });
  try {
    const execPid = await helper.created();
    // An exec'd process loads its own filter, so the agent gets another fd (runc does the same).
    const sc = planProcess.seccomp;
    helper.continue(undefined, sc?.listenerPath ? containerProcessState(sc, execPid, specState(c)) : undefined);
    const pid = await helper.ready();
    if (opts.pidFile) writePidFile(opts.pidFile, pid);
    return { pid, helper };
  } catch (e) {
    helper.abort();
    const err = e instanceof Error ? e : new Error(String(e));
    err.message = `exec in container "${id}": ${err.message}`;
    throw err;
  }
}

/** The process to exec from the container's own process settings, with argv and overrides (runc exec). */
export function execProcessFromConfig(
  base: Process | undefined,
  args: string[],
  o: { cwd?: string; env?: string[]; user?: { uid: number; gid: number; additionalGids?: number[] }; tty?: boolean; noNewPrivs?: boolean; caps?: string[] },
): Process {
  const env = mergeEnv(base?.env ?? [], o.env ?? []);
  const proc: Process = {
    ...(base ?? { cwd: '/', user: { uid: 0, gid: 0 } }),
    args,
    env,
    cwd: o.cwd ?? base?.cwd ?? '/',
    user: o.user ?? base?.user ?? { uid: 0, gid: 0 },
    terminal: o.tty ?? false,
  };
  delete proc.consoleSize;
  if (o.noNewPrivs) proc.noNewPrivileges = true;
  if (o.caps?.length && proc.capabilities) {
    const add = (set?: string[]) => [...new Set([...(set ?? []), ...o.caps!])];
    proc.capabilities = {
      bounding: add(proc.capabilities.bounding), effective: add(proc.capabilities.effective),
      permitted: add(proc.capabilities.permitted), inheritable: add(proc.capabilities.inheritable),
      ...(proc.capabilities.ambient ? { ambient: proc.capabilities.ambient } : {}),
    };
  }
  return proc;
}

/** Later entries override earlier ones with the same key. */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...extra]) {
    const eq = e.indexOf('=');
    out.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return [...out.values()];
}
