// OCI config → launch plan (docs/launch-plan.md). Pure: the spec is assumed validated (validateSpec);
// the few things only known at run time (cgroup files, exec fifo, console socket, wait) are filled by the caller.
import { isAbsolute, resolve } from 'node:path';
import type { Hooks, Mount, Namespace, Process, Spec } from '../spec/types.js';
import { SpecError } from '../spec/errors.js';
import { normalizeSysctlKey } from '../spec/validate.js';
import { emptyPlan } from './launch-plan.js';
import type { CapSet, LaunchPlan, NamespaceType, PlanHook, PlanMount, PlanProcess } from './launch-plan.js';
import { capMask, capNumber, capsBeyond } from './capabilities.js';
import { rlimitNumber, rlimitValue } from './rlimits.js';
import { MS_BIND, parseMountOptions } from './mount-options.js';
import { planDevices } from './devices.js';
import { compileSeccompFor } from './seccomp.js';

/** runtime-spec personality domains → personality(2) values. */
export const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

export interface ProcessOptions {
  /** /proc/sys/kernel/cap_last_cap: capabilities above it are dropped with a warning, as runc does. */
  lastCap?: number;
  /** Receives non-fatal notes (dropped capabilities, ignored mount extensions). */
  warn?: (message: string) => void;
}

export interface CompileOptions extends ProcessOptions {
  /** The bundle directory: relative bind-mount sources are resolved against it. */
  bundleDir?: string;
  /** Running unprivileged: `setgroups deny` is then required before gid_map can be written. */
  rootless?: boolean;
  /** `--no-pivot`: move + chroot instead of pivot_root. */
  noPivot?: boolean;
}

const NS_MAP: Readonly<Record<string, NamespaceType>> = {
  pid: 'pid', network: 'net', mount: 'mount', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time',
};

const CAP_SETS: readonly CapSet[] = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];

/** The plan namespace type of an OCI namespace type (`network` → `net`). */
export function planNamespaceType(ociType: string, field: string): NamespaceType {
  const t = NS_MAP[ociType];
  if (!t) throw new SpecError(field, `unknown namespace ${JSON.stringify(ociType)} (use one of ${Object.keys(NS_MAP).join(', ')})`);
  return t;
}

/** Compiles a validated spec into a `launch` plan; cgroupProcs, execFifo, wait and consoleSocket are left empty. */
export function compileLaunchPlan(spec: Spec, rootfs: string, opts: CompileOptions = {}): LaunchPlan {
  if (!spec.process) throw new SpecError('process', 'missing (a container needs a process)');
  const plan = emptyPlan('launch', compileExecProcess(spec.process, opts, 'process'));
  const linux = spec.linux ?? {};
  const seccomp = compileSeccompFor(spec);
  if (seccomp) plan.process.seccomp = seccomp;
  const namespaces: Namespace[] = linux.namespaces ?? [];
  namespaces.forEach((ns, i) => {
    const type = planNamespaceType(ns.type, `linux.namespaces[${i}].type`);
    if (ns.path) plan.joinNamespaces.push({ type, path: ns.path });
    else plan.newNamespaces.push(type);
  });
  const newNs = new Set(plan.newNamespaces);
  const userns = newNs.has('user') || plan.joinNamespaces.some((j) => j.type === 'user');
  if (newNs.has('user')) {
    const toMap = (m: { containerID: number; hostID: number; size: number }) =>
      ({ inside: m.containerID, outside: m.hostID, count: m.size });
    plan.uidMappings = (linux.uidMappings ?? []).map(toMap);
    plan.gidMappings = (linux.gidMappings ?? []).map(toMap);
    // An unprivileged writer may only map its own gid, and only after giving up setgroups(2).
    if (opts.rootless) plan.setgroupsDeny = true;
  }
  if (newNs.has('time')) {
    for (const [clock, off] of Object.entries(linux.timeOffsets ?? {})) {
      if (clock !== 'monotonic' && clock !== 'boottime') {
        throw new SpecError(`linux.timeOffsets.${clock}`, 'unknown clock (use "monotonic" or "boottime")');
      }
      plan.timeOffsets.push({ clock, secs: BigInt(Math.trunc(off.secs ?? 0)), nanos: off.nanosecs ?? 0 });
    }
  }
  if (newNs.has('net')) plan.loopbackUp = true;

  plan.rootfs = rootfs;
  if (linux.rootfsPropagation) plan.rootfsPropagation = linux.rootfsPropagation;
  if (spec.root?.readonly) plan.readonlyRoot = true;
  if (opts.noPivot) plan.noPivot = true;
  plan.mounts = (spec.mounts ?? []).map((m, i) => compileMount(m, `mounts[${i}]`, opts));

  const devpts = plan.mounts.some((m) => m.fstype === 'devpts' && m.destination === '/dev/pts');
  const hostDev = plan.mounts.some((m) => m.destination === '/dev' && (m.flags & MS_BIND) !== 0);
  const dev = planDevices(linux.devices, { userns, devpts, hostDev });
  plan.devices = dev.devices;
  plan.deviceBinds = dev.deviceBinds;
  plan.symlinks = dev.symlinks;

  plan.maskedPaths = [...(linux.maskedPaths ?? [])];
  plan.readonlyPaths = [...(linux.readonlyPaths ?? [])];
  if (spec.hostname) plan.hostname = spec.hostname;
  if (linux.personality) plan.personality = PERSONALITY_DOMAINS[linux.personality.domain]!;
  if (spec.domainname) plan.domainname = spec.domainname;
  plan.sysctls = Object.entries(linux.sysctl ?? {}).map(([key, value]) => ({ key: normalizeSysctlKey(key), value }));
  const hooks = compileHooks(spec.hooks);
  if (hooks.length) plan.hooks = hooks;
  return plan;
}

/** The in-container hook kinds, for the helper (checkHooks has validated path and timeout). */
export function compileHooks(hooks: Hooks | undefined): PlanHook[] {
  const out: PlanHook[] = [];
  for (const kind of ['createContainer', 'startContainer'] as const) {
    for (const h of hooks?.[kind] ?? []) {
      out.push({ kind, path: h.path, args: h.args?.length ? [...h.args] : [h.path], env: [...(h.env ?? [])], timeout: h.timeout ?? 0 });
    }
  }
  return out;
}

/** Compiles one OCI mount; `field` names it in errors (e.g. `mounts[3]`). */
export function compileMount(m: Mount, field: string, opts: CompileOptions = {}): PlanMount {
  const parsed = parseMountOptions(m.options ?? []);
  if (parsed.recursive) {
    throw new SpecError(`${field}.options`,
      'recursive mount attributes (rro, rnosuid, …) are not supported by Berth (use the non-recursive forms: ro, nosuid, …)');
  }
  for (const ext of parsed.extensions) {
    if (ext === 'idmap' || ext === 'ridmap') {
      throw new SpecError(`${field}.options`, `id-mapped mounts ("${ext}") are not supported by Berth (remove the option)`);
    }
    // tmpcopyup only pre-populates a tmpfs with the directory it hides; the mount works without it.
    opts.warn?.(`${field}: mount option "${ext}" is not supported and was ignored`);
  }
  let flags = parsed.flags;
  if (m.type === 'bind') flags |= MS_BIND;
  const bind = (flags & MS_BIND) !== 0;
  // A `cgroup` mount stays as is: plan/cgroup-mounts.ts expands it for the host's hierarchies.
  const fstype = m.type || (bind ? 'bind' : 'none');
  let source = m.source ?? fstype;
  if (bind && !isAbsolute(source)) {
    if (!opts.bundleDir) {
      throw new SpecError(`${field}.source`, `relative bind source ${JSON.stringify(source)} needs the bundle directory to resolve against (use an absolute path)`);
    }
    source = resolve(opts.bundleDir, source);
  }
  return { source, destination: m.destination, fstype, flags, propagation: parsed.propagation, data: parsed.data };
}

/** Compiles the process half shared by launch and exec (`field` names it in errors, e.g. `process`). */
export function compileExecProcess(p: Process, opts: ProcessOptions = {}, field = 'process'): PlanProcess {
  if (!p.args || p.args.length === 0) throw new SpecError(`${field}.args`, 'must name the program to run (e.g. ["sh"])');
  const out: PlanProcess = {
    args: [...p.args],
    env: [...(p.env ?? [])],
    cwd: p.cwd,
    uid: p.user.uid,
    gid: p.user.gid,
    groups: [...(p.user.additionalGids ?? [])],
    rlimits: (p.rlimits ?? []).map((r, i) => {
      const resource = rlimitNumber(r.type);
      if (resource === undefined) throw new SpecError(`${field}.rlimits[${i}].type`, `unknown rlimit ${JSON.stringify(r.type)} (use an RLIMIT_* name)`);
      return { resource, soft: rlimitValue(r.soft), hard: rlimitValue(r.hard) };
    }),
  };
  if (p.user.umask !== undefined) out.umask = p.user.umask;
  if (p.capabilities) out.caps = compileCaps(p.capabilities, opts, `${field}.capabilities`);
  if (p.noNewPrivileges) out.noNewPrivileges = true;
  if (p.oomScoreAdj !== undefined) out.oomScoreAdj = p.oomScoreAdj;
  if (p.terminal) out.terminal = true;
  if (p.consoleSize) out.consoleSize = { rows: p.consoleSize.height, cols: p.consoleSize.width };
  return out;
}

/**
 * Capability masks for all five sets. As in runc, a set missing from a present `capabilities` object is
 * empty (not "keep all"): the config lists what the process may have.
 */
function compileCaps(caps: NonNullable<Process['capabilities']>, opts: ProcessOptions, field: string): Record<CapSet, bigint> {
  const out = {} as Record<CapSet, bigint>;
  const dropped = new Set<string>();
  for (const set of CAP_SETS) {
    let names = caps[set] ?? [];
    capMask(names, `${field}.${set}`); // refuses unknown names with the field path
    if (opts.lastCap !== undefined) {
      const beyond = capsBeyond(names, opts.lastCap);
      beyond.forEach((n) => dropped.add(n));
      names = names.filter((n) => (capNumber(n) ?? 0) <= (opts.lastCap ?? Infinity));
    }
    out[set] = capMask(names, `${field}.${set}`);
  }
  if (dropped.size > 0) {
    opts.warn?.(`ignoring capabilities this kernel does not have (cap_last_cap ${opts.lastCap}): ${[...dropped].join(', ')}`);
  }
  return out;
}
