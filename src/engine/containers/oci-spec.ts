// A container's OCI config.json: the hardened default spec (Docker's defaults) with its record applied —
// process, hostname, namespaces, mounts, resources and security flags.
import { hardenedSpec, type Spec } from '../../runtime/index.js';
import type { Mount } from '../../runtime/spec/types.js';
import { EngineError } from '../errors.js';
import { commandOf } from './merge-config.js';
import { resourcesFromHostConfig, rlimitsFromUlimits } from './resources.js';
import { applySecurity, type DeviceInfo } from './security.js';
import type { ContainerRecord } from './types.js';
import type { ResolvedUser } from './user.js';

/** Where a shared namespace comes from: a new one, the host's (none in the spec), or an existing path. */
export type NamespaceSource = { kind: 'new' } | { kind: 'host' } | { kind: 'path'; path: string };

export interface SpecInputs {
  rootfs: string;
  user: ResolvedUser;
  cgroupsPath: string;
  network: NamespaceSource;
  pid: NamespaceSource;
  ipc: NamespaceSource;
  uts: NamespaceSource;
  /** Volumes, binds, tmpfs and the generated /etc files, already resolved to host paths. */
  mounts: Mount[];
  /** Host path of the init binary for --init (bind-mounted at /sbin/docker-init). */
  initPath?: string;
  lastCap: number;
  swapAccounting: boolean;
  hostDevice: (path: string) => DeviceInfo;
}

const INIT_IN_CONTAINER = '/sbin/docker-init';

/** Builds the spec for `record`. */
export function buildSpec(record: ContainerRecord, inputs: SpecInputs): Spec {
  const cfg = record.Config;
  const host = record.HostConfig;
  const { path: prog, args } = commandOf(cfg);
  const spec = hardenedSpec({ args: [prog, ...args] });
  const proc = spec.process!;
  if (host.Init) proc.args = [INIT_IN_CONTAINER, '--', ...proc.args!];
  proc.terminal = cfg.Tty === true;
  // The terminal's size from the first moment (the CLI sends it at create), not only after the first resize.
  const size = host.ConsoleSize as [number, number] | undefined;
  if (proc.terminal && Array.isArray(size) && size[0]! > 0 && size[1]! > 0) proc.consoleSize = { height: size[0]!, width: size[1]! };
  proc.cwd = cfg.WorkingDir || '/';
  if (!proc.cwd.startsWith('/')) throw new EngineError(`the working directory '${cfg.WorkingDir}' is invalid: it needs to be an absolute path`, 'InvalidArgument');
  const env = [...(cfg.Env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.splice(1, 0, `HOSTNAME=${hostnameOf(record)}`);
  if (cfg.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${inputs.user.home || '/'}`);
  proc.env = env;
  proc.user = { uid: inputs.user.uid, gid: inputs.user.gid, ...(inputs.user.additionalGids.length ? { additionalGids: inputs.user.additionalGids } : {}) };
  if (host.Ulimits?.length) proc.rlimits = rlimitsFromUlimits(host.Ulimits);

  spec.root = { path: inputs.rootfs, readonly: false };
  if (inputs.uts.kind === 'host') delete spec.hostname;
  else spec.hostname = hostnameOf(record);
  if (cfg.Domainname) spec.domainname = cfg.Domainname;

  const linux = spec.linux!;
  linux.cgroupsPath = inputs.cgroupsPath;
  linux.namespaces = namespaces(inputs);
  linux.resources = { ...resourcesFromHostConfig(host, inputs.swapAccounting), devices: linux.resources?.devices ?? [] };
  if (host.Sysctls && Object.keys(host.Sysctls).length) linux.sysctl = { ...host.Sysctls };
  applySecurity(spec, host, inputs.lastCap, inputs.hostDevice);

  const mounts = (spec.mounts ?? []).map((m) => (m.destination === '/dev/shm' && host.ShmSize ? shmMount(host.ShmSize) : m));
  if (inputs.network.kind === 'host') {
    // sysfs needs a private network namespace to be mounted fresh; share the host's read-only instead.
    const i = mounts.findIndex((m) => m.destination === '/sys');
    if (i >= 0) mounts[i] = { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
  }
  const user = inputs.mounts.filter((m) => !mounts.some((d) => d.destination === m.destination));
  const overridden = inputs.mounts.filter((m) => mounts.some((d) => d.destination === m.destination));
  spec.mounts = [...mounts.map((d) => overridden.find((m) => m.destination === d.destination) ?? d), ...sortByDepth(user)];
  if (host.Init && inputs.initPath) {
    spec.mounts.push({ destination: INIT_IN_CONTAINER, type: 'bind', source: inputs.initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  }
  if (host.ReadonlyRootfs) spec.root.readonly = true;
  return spec;
}

/** The container's hostname: Config.Hostname or the first 12 characters of its id. */
export function hostnameOf(record: ContainerRecord): string {
  return record.Config.Hostname || record.Id.slice(0, 12);
}

function namespaces(inputs: SpecInputs): { type: string; path?: string }[] {
  const out: { type: string; path?: string }[] = [];
  const add = (type: string, src: NamespaceSource) => {
    if (src.kind === 'new') out.push({ type });
    else if (src.kind === 'path') out.push({ type, path: src.path });
  };
  add('pid', inputs.pid);
  add('network', inputs.network);
  add('ipc', inputs.ipc);
  add('uts', inputs.uts);
  out.push({ type: 'mount' });
  out.push({ type: 'cgroup' });
  return out;
}

function shmMount(size: number): Mount {
  return { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`] };
}

/** Parents before children (/data before /data/logs), as Docker sorts mounts. */
function sortByDepth(mounts: Mount[]): Mount[] {
  const depth = (m: Mount) => m.destination.replace(/\/+$/, '').split('/').length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}
