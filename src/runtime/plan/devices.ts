// The device nodes and /dev symlinks a container gets, as runc creates them.
import type { Device } from '../spec/types.js';
import type { PlanDevice } from './launch-plan.js';

/** The nodes every container gets in its /dev (runc's specconv.AllowedDevices that are created). */
export const DEFAULT_DEVICES: readonly PlanDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0 },
];

/** runc's defaultSymlinks plus /dev/core (runc adds it when the host has /proc/kcore, which Linux hosts do). */
export const DEFAULT_SYMLINKS: readonly { target: string; link: string }[] = [
  { target: '/proc/self/fd', link: '/dev/fd' },
  { target: '/proc/self/fd/0', link: '/dev/stdin' },
  { target: '/proc/self/fd/1', link: '/dev/stdout' },
  { target: '/proc/self/fd/2', link: '/dev/stderr' },
  { target: '/proc/kcore', link: '/dev/core' },
];

export interface DeviceSetup {
  devices: PlanDevice[];
  deviceBinds: string[];
  symlinks: { target: string; link: string }[];
}

export interface DeviceContext {
  /** A user namespace is created or joined: mknod is refused there, so host nodes are bind-mounted. */
  userns: boolean;
  /** A devpts filesystem is mounted at /dev/pts, so /dev/ptmx can point into it. */
  devpts: boolean;
  /** /dev itself is a bind mount from the host: runc then leaves it alone (no nodes, no symlinks). */
  hostDev: boolean;
}

/** A spec device as a plan device (`u` is an unbuffered character device; fifos have no numbers). */
export function planDevice(d: Device): PlanDevice {
  return {
    path: d.path,
    type: d.type as PlanDevice['type'],
    major: d.type === 'p' ? 0 : d.major ?? 0,
    minor: d.type === 'p' ? 0 : d.minor ?? 0,
    // fileMode may carry S_IFMT bits; the type is already given separately.
    mode: d.fileMode !== undefined ? d.fileMode & 0o7777 : 0o666,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
  };
}

/** The default devices plus the spec's (a spec device replaces a default of the same path), and symlinks. */
export function planDevices(specDevices: readonly Device[] | undefined, ctx: DeviceContext): DeviceSetup {
  if (ctx.hostDev) return { devices: [], deviceBinds: [], symlinks: [] };
  const extra = (specDevices ?? []).map(planDevice);
  const overridden = new Set(extra.map((d) => d.path));
  const all = [...DEFAULT_DEVICES.filter((d) => !overridden.has(d.path)), ...extra];
  const symlinks = [...DEFAULT_SYMLINKS];
  if (ctx.devpts) symlinks.push({ target: 'pts/ptmx', link: '/dev/ptmx' });
  if (ctx.userns) return { devices: [], deviceBinds: all.map((d) => d.path), symlinks };
  return { devices: all.map((d) => ({ ...d })), deviceBinds: [], symlinks };
}
