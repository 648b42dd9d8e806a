// Validation of an OCI config before it is compiled: every refusal names the field and how to fix it.
import type { Linux, Mount, Namespace, Process, Spec } from './types.js';
import { SpecError } from './errors.js';
import { validateResources } from './validate-resources.js';
import { capMask } from '../plan/capabilities.js';
import { rlimitNumber, rlimitValue } from '../plan/rlimits.js';
import { PROPAGATION_MODES, MS_BIND, parseMountOptions } from '../plan/mount-options.js';

/** The OCI namespace types Berth knows, in runtime-spec spelling. */
export const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
export type OciNamespaceType = (typeof NAMESPACE_TYPES)[number];

/** Throws a SpecError naming the first problem found in `spec`; returns normally when it can be run. */
export function validateSpec(spec: Spec): void {
  if (!isObject(spec)) throw new SpecError('', 'config.json must contain a JSON object');
  validateVersion(spec.ociVersion);
  if (spec.process === undefined) {
    throw new SpecError('process', 'missing (a container needs a process: add "process" with "args", "cwd" and "user")');
  }
  validateProcess(spec.process, 'process');
  if (!isObject(spec.root) || typeof spec.root.path !== 'string' || spec.root.path === '') {
    throw new SpecError('root.path', 'missing (set it to the root filesystem directory, e.g. "rootfs")');
  }
  optionalBoolean(spec.root.readonly, 'root.readonly');
  optionalString(spec.hostname, 'hostname');
  optionalString(spec.domainname, 'domainname');
  arrayOf(spec.mounts, 'mounts').forEach((m, i) => validateMount(m as Mount, `mounts[${i}]`));
  const linux = spec.linux ?? {};
  if (!isObject(linux)) throw new SpecError('linux', 'must be an object');
  const ns = validateNamespaces(linux);
  if ((spec.hostname || spec.domainname) && !ns.has('uts')) {
    const field = spec.hostname ? 'hostname' : 'domainname';
    throw new SpecError(field, 'cannot be set without a private uts namespace (add {"type": "uts"} to linux.namespaces)');
  }
  validateIdMappings(linux, ns);
  validateTimeOffsets(linux, ns);
  validateSysctls(linux.sysctl, ns);
  validateDevices(linux);
  if (linux.personality !== undefined) {
    if (!isObject(linux.personality) || !['LINUX', 'LINUX32'].includes(linux.personality.domain)) {
      throw new SpecError('linux.personality.domain', 'must be "LINUX" or "LINUX32"');
    }
    if ((linux.personality.flags ?? []).length > 0) {
      throw new SpecError('linux.personality.flags', 'no flags are defined by the runtime spec: leave the list empty');
    }
  }
  if (linux.rootfsPropagation !== undefined && linux.rootfsPropagation !== '' &&
      !PROPAGATION_MODES.includes(linux.rootfsPropagation)) {
    throw new SpecError('linux.rootfsPropagation',
      `unknown propagation ${JSON.stringify(linux.rootfsPropagation)} (use one of ${PROPAGATION_MODES.join(', ')})`);
  }
  arrayOf(linux.maskedPaths, 'linux.maskedPaths').forEach((p, i) => absolute(p, `linux.maskedPaths[${i}]`));
  arrayOf(linux.readonlyPaths, 'linux.readonlyPaths').forEach((p, i) => absolute(p, `linux.readonlyPaths[${i}]`));
  if (linux.resources !== undefined) validateResources(linux.resources, 'linux.resources');
}

function validateVersion(version: unknown): void {
  if (typeof version !== 'string' || version === '') {
    throw new SpecError('ociVersion', 'missing (set it to the runtime-spec version, e.g. "1.2.0")');
  }
  if (!/^1\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(version)) {
    throw new SpecError('ociVersion', `unsupported version ${JSON.stringify(version)} (Berth runs runtime-spec 1.x, e.g. "1.2.0")`);
  }
}

/** Checks a process object: the `process` of config.json, or an `exec --process` file (field = its path). */
export function validateProcess(p: Process, field: string): void {
  if (!isObject(p)) throw new SpecError(field, 'must be an object');
  const args = arrayOf(p.args, `${field}.args`);
  if (args.length === 0) {
    throw new SpecError(`${field}.args`, 'must name the program to run (e.g. ["sh"])');
  }
  args.forEach((a, i) => requireString(a, `${field}.args[${i}]`));
  arrayOf(p.env, `${field}.env`).forEach((e, i) => {
    if (typeof e !== 'string' || !e.includes('=')) {
      throw new SpecError(`${field}.env[${i}]`, `invalid entry ${JSON.stringify(e)} (write it as "KEY=value")`);
    }
  });
  if (typeof p.cwd !== 'string' || !p.cwd.startsWith('/')) {
    throw new SpecError(`${field}.cwd`, `must be an absolute path inside the container (got ${JSON.stringify(p.cwd)}; e.g. "/")`);
  }
  if (!isObject(p.user)) throw new SpecError(`${field}.user`, 'missing (add {"uid": 0, "gid": 0})');
  id(p.user.uid, `${field}.user.uid`);
  id(p.user.gid, `${field}.user.gid`);
  arrayOf(p.user.additionalGids, `${field}.user.additionalGids`).forEach((g, i) => id(g, `${field}.user.additionalGids[${i}]`));
  if (p.user.umask !== undefined && !(Number.isInteger(p.user.umask) && p.user.umask >= 0 && p.user.umask <= 0o777)) {
    throw new SpecError(`${field}.user.umask`, `must be an integer from 0 to 511 (0o777), e.g. 18 for 022 (got ${p.user.umask})`);
  }
  optionalBoolean(p.terminal, `${field}.terminal`);
  optionalBoolean(p.noNewPrivileges, `${field}.noNewPrivileges`);
  if (p.consoleSize !== undefined) {
    if (!isObject(p.consoleSize)) throw new SpecError(`${field}.consoleSize`, 'must be {"height": rows, "width": cols}');
    uint(p.consoleSize.height, `${field}.consoleSize.height`);
    uint(p.consoleSize.width, `${field}.consoleSize.width`);
  }
  if (p.oomScoreAdj !== undefined && !(Number.isInteger(p.oomScoreAdj) && p.oomScoreAdj >= -1000 && p.oomScoreAdj <= 1000)) {
    throw new SpecError(`${field}.oomScoreAdj`, `must be an integer from -1000 to 1000 (got ${p.oomScoreAdj})`);
  }
  if (p.capabilities !== undefined) {
    if (!isObject(p.capabilities)) throw new SpecError(`${field}.capabilities`, 'must be an object of capability sets');
    for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const) {
      const names = arrayOf(p.capabilities[set], `${field}.capabilities.${set}`);
      names.forEach((n, i) => requireString(n, `${field}.capabilities.${set}[${i}]`));
      capMask(names as string[], `${field}.capabilities.${set}`);
    }
  }
  validateRlimits(p, field);
}

function validateRlimits(p: Process, field: string): void {
  const seen = new Set<string>();
  arrayOf(p.rlimits, `${field}.rlimits`).forEach((r, i) => {
    const f = `${field}.rlimits[${i}]`;
    if (!isObject(r)) throw new SpecError(f, 'must be {"type": "RLIMIT_…", "soft": n, "hard": n}');
    if (typeof r.type !== 'string' || rlimitNumber(r.type) === undefined) {
      throw new SpecError(`${f}.type`, `unknown rlimit ${JSON.stringify(r.type)} (use an RLIMIT_* name from getrlimit(2), e.g. RLIMIT_NOFILE)`);
    }
    if (seen.has(r.type)) throw new SpecError(`${f}.type`, `duplicate rlimit ${r.type} (give each type once)`);
    seen.add(r.type);
    for (const k of ['soft', 'hard'] as const) {
      if (typeof r[k] !== 'number' || !Number.isInteger(r[k]) || r[k] < -1) {
        throw new SpecError(`${f}.${k}`, `must be a non-negative integer (got ${JSON.stringify(r[k])})`);
      }
    }
    const soft = rlimitValue(r.soft);
    const hard = rlimitValue(r.hard);
    // -1n is RLIM_INFINITY, the largest value of all.
    if (hard !== -1n && (soft === -1n || soft > hard)) {
      throw new SpecError(`${f}.soft`, `${r.type} soft limit ${r.soft} exceeds hard limit ${r.hard} (lower soft or raise hard)`);
    }
  });
}

function validateMount(m: Mount, field: string): void {
  if (!isObject(m)) throw new SpecError(field, 'must be an object with "destination", "type", "source"');
  if (typeof m.destination !== 'string' || !m.destination.startsWith('/')) {
    throw new SpecError(`${field}.destination`,
      `must be an absolute path inside the container (got ${JSON.stringify(m.destination)}; e.g. "/data")`);
  }
  optionalString(m.type, `${field}.type`);
  optionalString(m.source, `${field}.source`);
  const options = arrayOf(m.options, `${field}.options`);
  options.forEach((o, i) => requireString(o, `${field}.options[${i}]`));
  const bind = m.type === 'bind' || (parseMountOptions(options as string[]).flags & MS_BIND) !== 0;
  if (bind && !m.source) {
    throw new SpecError(`${field}.source`, 'a bind mount needs the host path to bind (set "source")');
  }
  if (!bind && !m.type) {
    throw new SpecError(`${field}.type`, 'missing filesystem type (e.g. "tmpfs"; for a bind mount add the "rbind" option)');
  }
}

function validateNamespaces(linux: Linux): Map<OciNamespaceType, Namespace> {
  const found = new Map<OciNamespaceType, Namespace>();
  arrayOf(linux.namespaces, 'linux.namespaces').forEach((n, i) => {
    const f = `linux.namespaces[${i}]`;
    if (!isObject(n)) throw new SpecError(f, 'must be {"type": …} with an optional "path"');
    const ns = n as Namespace;
    if (!(NAMESPACE_TYPES as readonly string[]).includes(ns.type)) {
      throw new SpecError(`${f}.type`, `unknown namespace ${JSON.stringify(ns.type)} (use one of ${NAMESPACE_TYPES.join(', ')})`);
    }
    const type = ns.type as OciNamespaceType;
    if (found.has(type)) throw new SpecError(`${f}.type`, `duplicate namespace "${type}" (list each type once)`);
    if (ns.path !== undefined && ns.path !== '') absolute(ns.path, `${f}.path`);
    found.set(type, ns);
  });
  return found;
}

const isNew = (ns: Map<OciNamespaceType, Namespace>, t: OciNamespaceType): boolean =>
  ns.has(t) && !ns.get(t)?.path;

function validateIdMappings(linux: Linux, ns: Map<OciNamespaceType, Namespace>): void {
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const maps = arrayOf(linux[key], `linux.${key}`);
    if (maps.length > 0 && !ns.has('user')) {
      throw new SpecError(`linux.${key}`, 'id mappings need a user namespace (add {"type": "user"} to linux.namespaces, or remove them)');
    }
    if (maps.length === 0 && isNew(ns, 'user')) {
      throw new SpecError(`linux.${key}`, 'a new user namespace needs id mappings (e.g. [{"containerID": 0, "hostID": 1000, "size": 1}])');
    }
    maps.forEach((m, i) => {
      const f = `linux.${key}[${i}]`;
      if (!isObject(m)) throw new SpecError(f, 'must be {"containerID", "hostID", "size"}');
      uint(m.containerID, `${f}.containerID`);
      uint(m.hostID, `${f}.hostID`);
      uint(m.size, `${f}.size`);
      if (m.size === 0) throw new SpecError(`${f}.size`, 'must be at least 1');
    });
  }
}

function validateTimeOffsets(linux: Linux, ns: Map<OciNamespaceType, Namespace>): void {
  if (linux.timeOffsets === undefined) return;
  if (!isObject(linux.timeOffsets)) throw new SpecError('linux.timeOffsets', 'must be an object keyed by clock');
  if (Object.keys(linux.timeOffsets).length > 0 && !isNew(ns, 'time')) {
    throw new SpecError('linux.timeOffsets', 'offsets need a new time namespace (add {"type": "time"} without a path to linux.namespaces)');
  }
  for (const [clock, off] of Object.entries(linux.timeOffsets)) {
    const f = `linux.timeOffsets.${clock}`;
    if (clock !== 'monotonic' && clock !== 'boottime') {
      throw new SpecError(f, `unknown clock ${JSON.stringify(clock)} (use "monotonic" or "boottime")`);
    }
    if (!isObject(off)) throw new SpecError(f, 'must be {"secs": n, "nanosecs": n}');
    if (off.secs !== undefined && !Number.isInteger(off.secs)) throw new SpecError(`${f}.secs`, 'must be an integer');
    if (off.nanosecs !== undefined && !(Number.isInteger(off.nanosecs) && off.nanosecs >= 0 && off.nanosecs < 1e9)) {
      throw new SpecError(`${f}.nanosecs`, 'must be an integer from 0 to 999999999');
    }
  }
}

const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall',
  'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** A sysctl key in dotted form: runc also accepts `net/ipv4/ip_forward`. */
export function normalizeSysctlKey(key: string): string {
  return key.replace(/\//g, '.');
}

function validateSysctls(sysctl: Record<string, string> | undefined, ns: Map<OciNamespaceType, Namespace>): void {
  if (sysctl === undefined) return;
  if (!isObject(sysctl)) throw new SpecError('linux.sysctl', 'must be an object of "key": "value"');
  for (const [raw, value] of Object.entries(sysctl)) {
    const f = `linux.sysctl.${raw}`;
    if (typeof value !== 'string') throw new SpecError(f, `value must be a string (got ${JSON.stringify(value)})`);
    const key = normalizeSysctlKey(raw);
    // Only namespaced sysctls: anything else would change the host kernel for everyone.
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      if (!ns.has('ipc')) throw new SpecError(f, 'needs a private ipc namespace (add {"type": "ipc"} to linux.namespaces)');
    } else if (key.startsWith('net.')) {
      if (!ns.has('network')) throw new SpecError(f, 'needs a private network namespace (add {"type": "network"} to linux.namespaces)');
    } else if (key === 'kernel.hostname' || key === 'kernel.domainname') {
      if (!ns.has('uts')) throw new SpecError(f, 'needs a private uts namespace (add {"type": "uts"}; better, use the "hostname"/"domainname" fields)');
    } else {
      throw new SpecError(f, 'is not namespaced and would change the host (only net.*, fs.mqueue.*, kernel.shm*/msg*/sem, kernel.hostname/domainname are allowed)');
    }
  }
}

function validateDevices(linux: Linux): void {
  arrayOf(linux.devices, 'linux.devices').forEach((d, i) => {
    const f = `linux.devices[${i}]`;
    if (!isObject(d)) throw new SpecError(f, 'must be {"path", "type", "major", "minor"}');
    absolute(d.path, `${f}.path`);
    if (!['c', 'b', 'u', 'p'].includes(d.type)) {
      throw new SpecError(`${f}.type`, `unknown device type ${JSON.stringify(d.type)} (use c, b, u or p)`);
    }
    if (d.type !== 'p') {
      if (d.major === undefined) throw new SpecError(`${f}.major`, `missing (a "${d.type}" device needs major and minor numbers)`);
      if (d.minor === undefined) throw new SpecError(`${f}.minor`, `missing (a "${d.type}" device needs major and minor numbers)`);
      uint(d.major, `${f}.major`);
      uint(d.minor, `${f}.minor`);
    }
    if (d.fileMode !== undefined) uint(d.fileMode, `${f}.fileMode`);
    if (d.uid !== undefined) id(d.uid, `${f}.uid`);
    if (d.gid !== undefined) id(d.gid, `${f}.gid`);
  });
}

// Small checks shared above: each throws a SpecError naming the field.

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: unknown, field: string): any[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SpecError(field, `must be an array (got ${JSON.stringify(v)})`);
  return v;
}

function requireString(v: unknown, field: string): void {
  if (typeof v !== 'string') throw new SpecError(field, `must be a string (got ${JSON.stringify(v)})`);
}

function optionalString(v: unknown, field: string): void {
  if (v !== undefined) requireString(v, field);
}

function optionalBoolean(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'boolean') throw new SpecError(field, `must be true or false (got ${JSON.stringify(v)})`);
}

function uint(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new SpecError(field, `must be a non-negative integer (got ${JSON.stringify(v)})`);
  }
}

function id(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xfffffffe) {
    throw new SpecError(field, `must be a numeric id from 0 to 4294967294 (got ${JSON.stringify(v)}; names are not resolved)`);
  }
}

function absolute(v: unknown, field: string): void {
  if (typeof v !== 'string' || !v.startsWith('/')) {
    throw new SpecError(field, `must be an absolute path (got ${JSON.stringify(v)})`);
  }
}
