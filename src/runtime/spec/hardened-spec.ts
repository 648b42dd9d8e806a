// A config.json with Docker's defaults for a non-privileged container (DESIGN.md §4): its capability set,
// seccomp allowlist, masked and read-only paths, device allowlist and mounts. `berth runtime spec --hardened`
// writes it and the engine builds its containers from it, so it stays a pure library function.
import type { DeviceRule, Mount, Spec } from './types.js';
import { defaultSeccompProfile } from './seccomp-default.js';

export interface HardenedSpecOptions {
  /** The process argv (default ["sh"]). */
  args?: string[];
}

/** Docker's default capabilities: enough for a typical service running as root, nothing that administers the host. */
export const DOCKER_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Kernel files that leak host information or state (memory image, keys, timers, firmware); bind-masked. */
const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** Kernel knobs that would change the host if written (sysctls, sysrq, irq affinity); remounted read-only. */
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const rwm = (type: string, major: number, minor?: number): DeviceRule =>
  minor === undefined ? { allow: true, type, major, access: 'rwm' } : { allow: true, type, major, minor, access: 'rwm' };

/** Docker's device cgroup: deny everything, then mknod of any node and use of the standard /dev nodes. */
function deviceRules(): DeviceRule[] {
  return [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    rwm('c', 1, 3), rwm('c', 1, 5), rwm('c', 1, 7), rwm('c', 1, 8), rwm('c', 1, 9), // null zero full random urandom
    rwm('c', 5, 0), rwm('c', 5, 1), rwm('c', 5, 2), // tty console ptmx
    rwm('c', 136), // pts/*
    rwm('c', 10, 200), // net/tun
  ];
}

/** The mounts Docker gives every container; sysfs and cgroupfs are read-only so they cannot reconfigure the host. */
function hardenedMounts(): Mount[] {
  const nse = ['nosuid', 'noexec', 'nodev'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: [...nse] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts', type: 'devpts', source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...nse, 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', ...nse] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: [...nse] },
    // Docker's default --shm-size is 64m.
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [...nse, 'mode=1777', 'size=65536k'] },
  ];
}

/** A fresh Docker-equivalent hardened spec (a new object each call, safe to modify). */
export function hardenedSpec(opts: HardenedSpecOptions = {}): Spec {
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: opts.args ? [...opts.args] : ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      // Inheritable and ambient stay empty, as in Docker: a non-root program exec'd later gains nothing.
      capabilities: {
        bounding: [...DOCKER_CAPABILITIES], effective: [...DOCKER_CAPABILITIES], permitted: [...DOCKER_CAPABILITIES],
        inheritable: [], ambient: [],
      },
      // Docker's default: setuid programs inside the image (su, ping on some images) keep working.
      noNewPrivileges: false,
      // No rlimits: Docker sets none unless asked (--ulimit); the process keeps the runtime's own limits.
    },
    // Docker's default root is writable (its copy-on-write layer); --read-only is opt-in.
    root: { path: 'rootfs', readonly: false },
    hostname: 'berth',
    mounts: hardenedMounts(),
    linux: {
      resources: { devices: deviceRules() },
      // Docker shares the host cgroup namespace on cgroup v1 and makes a private one on v2; a private one
      // everywhere is the safer choice (the container cannot see or name the host's cgroup paths).
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      seccomp: defaultSeccompProfile(),
    },
  };
}
