// Docker's security flags applied to the hardened default spec: --privileged, --cap-add/--cap-drop,
// --security-opt (seccomp, no-new-privileges), --read-only, --device.
import fs from 'node:fs';
import type { Spec } from '../../runtime/index.js';
import { defaultSeccompProfile } from '../../runtime/index.js';
import { EngineError } from '../errors.js';
import type { DeviceMapping, HostConfig } from './types.js';

/** Every capability the kernel knows (0 … lastCap) that this process may still grant (its bounding set), by name. */
export function allCapabilities(lastCap: number, bounding: bigint = ownBoundingSet()): string[] {
  return CAP_NAMES.slice(0, lastCap + 1).filter((_, i) => (bounding >> BigInt(i)) & 1n);
}

let bnd: bigint | undefined;
/** CapBnd of this process: a capability outside it cannot be given to a container (capset fails with EPERM). */
export function ownBoundingSet(): bigint {
  if (bnd === undefined) {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    bnd = m ? BigInt(`0x${m[1]}`) : (1n << 64n) - 1n;
  }
  return bnd;
}

const CAP_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; unknown names are a clear error. */
export function normalizeCap(name: string, flag: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const cap = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!CAP_NAMES.includes(cap)) throw new EngineError(`invalid ${flag} value "${name}": unknown capability (e.g. NET_ADMIN, SYS_PTRACE)`, 'InvalidArgument');
  return cap;
}

/** Docker's capability arithmetic: start from the defaults, drop (ALL first), then add (ALL wins). */
export function effectiveCapabilities(defaults: readonly string[], capAdd: string[], capDrop: string[], lastCap: number): string[] {
  const add = capAdd.map((c) => normalizeCap(c, '--cap-add'));
  const drop = capDrop.map((c) => normalizeCap(c, '--cap-drop'));
  if (add.includes('ALL')) return allCapabilities(lastCap, (1n << 64n) - 1n).filter((c) => !drop.includes(c));
  let caps = drop.includes('ALL') ? [] : defaults.filter((c) => !drop.includes(c));
  for (const c of add) if (!caps.includes(c)) caps = [...caps, c];
  return caps;
}

export interface SecurityOptions {
  seccomp: 'default' | 'unconfined' | { profile: unknown };
  noNewPrivileges: boolean;
}

/** Parses --security-opt values (the CLI sends a seccomp profile file's JSON content inline). */
export function parseSecurityOpts(opts: string[]): SecurityOptions {
  const out: SecurityOptions = { seccomp: 'default', noNewPrivileges: false };
  for (const raw of opts) {
    const sep = raw.indexOf('=') >= 0 ? '=' : raw.indexOf(':') >= 0 ? ':' : '';
    const key = sep ? raw.slice(0, raw.indexOf(sep)) : raw;
    const value = sep ? raw.slice(raw.indexOf(sep) + 1) : '';
    switch (key) {
      case 'no-new-privileges':
        if (value !== '' && value !== 'true' && value !== 'false') {
          throw new EngineError(`invalid --security-opt "${raw}": no-new-privileges takes true or false`, 'InvalidArgument');
        }
        out.noNewPrivileges = value !== 'false';
        break;
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = 'unconfined';
        else if (value === 'builtin' || value === '') out.seccomp = 'default';
        else {
          try {
            out.seccomp = { profile: JSON.parse(value) };
          } catch (e) {
            throw new EngineError(`invalid --security-opt seccomp profile: ${(e as Error).message} (give seccomp=unconfined or a JSON profile file)`, 'InvalidArgument');
          }
        }
        break;
      case 'apparmor':
      case 'label':
      case 'systempaths':
        // No AppArmor/SELinux on these hosts; Docker ignores them where the LSM is absent too.
        break;
      default:
        throw new EngineError(`invalid --security-opt "${raw}": use seccomp=…, no-new-privileges, apparmor=… or label=…`, 'InvalidArgument');
    }
  }
  return out;
}

/** Applies the security flags of `host` to `spec` (which starts as hardenedSpec()). */
export function applySecurity(spec: Spec, host: HostConfig, lastCap: number, hostDevice: (path: string) => DeviceInfo): void {
  const proc = spec.process!;
  const linux = spec.linux!;
  const sec = parseSecurityOpts(host.SecurityOpt ?? []);
  const caps = host.Privileged
    ? allCapabilities(lastCap)
    : effectiveCapabilities(proc.capabilities?.bounding ?? [], host.CapAdd ?? [], host.CapDrop ?? [], lastCap);
  proc.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
  proc.noNewPrivileges = sec.noNewPrivileges;
  if (host.Privileged) {
    delete linux.seccomp;
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    linux.resources = { ...(linux.resources ?? {}), devices: [{ allow: true, access: 'rwm' }] };
    for (const m of spec.mounts ?? []) {
      if (m.type === 'sysfs' || m.type === 'cgroup') m.options = (m.options ?? []).filter((o) => o !== 'ro');
    }
  } else if (sec.seccomp === 'unconfined') {
    delete linux.seccomp;
  } else if (typeof sec.seccomp === 'object') {
    linux.seccomp = sec.seccomp.profile as NonNullable<typeof linux.seccomp>;
  } else {
    linux.seccomp = defaultSeccompProfile();
  }
  if (host.ReadonlyRootfs) spec.root = { ...spec.root!, readonly: true };
  for (const d of host.Devices ?? []) addDevice(spec, d, hostDevice);
}

export interface DeviceInfo { type: 'c' | 'b'; major: number; minor: number; mode: number; uid: number; gid: number }

function addDevice(spec: Spec, d: DeviceMapping, hostDevice: (path: string) => DeviceInfo): void {
  const info = hostDevice(d.PathOnHost);
  const perms = d.CgroupPermissions || 'rwm';
  if (!/^[rwm]+$/.test(perms)) throw new EngineError(`invalid --device permissions "${perms}" for ${d.PathOnHost}: use a combination of r, w and m`, 'InvalidArgument');
  const linux = spec.linux!;
  linux.devices = [...(linux.devices ?? []), {
    path: d.PathInContainer || d.PathOnHost, type: info.type, major: info.major, minor: info.minor,
    fileMode: info.mode & 0o7777, uid: info.uid, gid: info.gid,
  }];
  const rules = linux.resources?.devices ?? [];
  linux.resources = { ...(linux.resources ?? {}), devices: [...rules, { allow: true, type: info.type, major: info.major, minor: info.minor, access: perms }] };
}
