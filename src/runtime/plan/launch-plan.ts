// The launch plan: the only thing the C helper knows about a container (docs/launch-plan.md).

export type NamespaceType = 'user' | 'pid' | 'mount' | 'uts' | 'ipc' | 'net' | 'cgroup' | 'time';
export type CapSet = 'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient';

export interface IdMap { inside: number; outside: number; count: number }

export interface PlanMount {
  source: string;
  /** Absolute path inside the container. */
  destination: string;
  fstype: string;
  /** MS_* flags applied when mounting (MS_BIND, MS_REC, MS_RDONLY, …). */
  flags: number;
  /** Propagation flags applied after the mount (MS_SHARED, MS_SLAVE, … possibly | MS_REC). */
  propagation: number;
  data: string;
}

export interface PlanDevice {
  path: string;
  type: 'c' | 'b' | 'p' | 'u';
  major: number;
  minor: number;
  /** Permission bits, e.g. 0o666. */
  mode: number;
  uid: number;
  gid: number;
}

export interface PlanRlimit { resource: number; soft: bigint; hard: bigint }

/** Wire names of the seccomp actions (SCMP_ACT_KILL is kill-thread, as in libseccomp). */
export type SeccompAction = 'kill-thread' | 'kill-process' | 'trap' | 'errno' | 'trace' | 'allow' | 'log' | 'notify';
export type SeccompOp = 'ne' | 'lt' | 'le' | 'eq' | 'ge' | 'gt' | 'masked-eq';

/** One argument condition; values are u64, hence bigint. */
export interface PlanSeccompArg { index: number; op: SeccompOp; value: bigint; valueTwo: bigint }

/** One libseccomp rule: conditions are ANDed; `errno` is the return data for errno/trace, else 0. */
export interface PlanSeccompRule { action: SeccompAction; errno: number; name: string; args: PlanSeccompArg[] }

export interface PlanSeccomp {
  defaultAction: SeccompAction;
  defaultErrno: number;
  /** libseccomp architecture names (`x86_64`, `x86`, `aarch64`, …); the native one is always present. */
  arches: string[];
  flags: ('tsync' | 'log' | 'spec-allow')[];
  rules: PlanSeccompRule[];
  /** Set only when the filter has NOTIFY rules: where the notification fd goes, and its `metadata`. */
  listenerPath?: string;
  listenerMetadata?: string;
  /** The filter compiled once (seccomp-export), as hex: the helper loads it instead of building it again. */
  bpf?: string;
}

/** The process half of a plan: shared by launch and exec. */
export interface PlanProcess {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  umask?: number;
  caps?: Partial<Record<CapSet, bigint>>;
  noNewPrivileges?: boolean;
  rlimits: PlanRlimit[];
  oomScoreAdj?: number;
  terminal?: boolean;
  consoleSize?: { rows: number; cols: number };
  consoleSocket?: string;
  /** The container's filter: exec'd processes get it too, as with runc. */
  seccomp?: PlanSeccomp;
}

/** An OCI hook the helper runs inside the container (the runtime-namespace kinds are run by Node). */
export interface PlanHook {
  kind: 'createContainer' | 'startContainer';
  path: string;
  /** The full argv, argv[0] included (the OCI default [path] is filled in by the compiler). */
  args: string[];
  env: string[];
  /** Seconds; 0 = none. */
  timeout: number;
}

export interface LaunchPlan {
  mode: 'launch' | 'exec';
  newNamespaces: NamespaceType[];
  joinNamespaces: { type: NamespaceType; path: string }[];
  uidMappings: IdMap[];
  gidMappings: IdMap[];
  setgroupsDeny?: boolean;
  timeOffsets: { clock: 'monotonic' | 'boottime'; secs: bigint; nanos: number }[];
  cgroupProcs: string[];
  rootfs?: string;
  rootfsPropagation?: string;
  readonlyRoot?: boolean;
  noPivot?: boolean;
  mounts: PlanMount[];
  devices: PlanDevice[];
  deviceBinds: string[];
  symlinks: { target: string; link: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  hostname?: string;
  domainname?: string;
  sysctls: { key: string; value: string }[];
  loopbackUp?: boolean;
  /** personality(2) execution domain (PER_LINUX 0, PER_LINUX32 8). */
  personality?: number;
  process: PlanProcess;
  execFifo?: string;
  wait?: boolean;
  /** The helper goes on after `created` without waiting for `continue` (nothing for Node to do in between). */
  noHold?: boolean;
  /** Node makes the cgroups while the helper starts and sends their cgroup.procs files in a `cgroups` line. */
  cgroupWait?: boolean;
  /** In order of kind, then of the spec's list. */
  hooks?: PlanHook[];
}

const SAFE = /^[A-Za-z0-9._~/:=,+@-]$/;
// Most arguments (paths, ids, a seccomp program's hex) need no escaping: one test instead of one per byte.
const ALL_SAFE = /^[A-Za-z0-9._~/:=,+@-]+$/;

/** Percent-encodes one plan argument (never empty on the wire: '' becomes '%'). */
export function encodeArg(value: string): string {
  if (value === '') return '%';
  if (ALL_SAFE.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of encodeArg. */
export function decodeArg(value: string): string {
  if (value === '%') return '';
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '%') {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function line(op: string, ...args: (string | number | bigint)[]): string {
  return [op, ...args.map((a) => encodeArg(String(a)))].join(' ');
}

/** Serializes a plan to the wire format, ending with the `end` line. */
export function serializePlan(plan: LaunchPlan): string {
  const out: string[] = ['berth-plan 1'];
  for (const t of plan.newNamespaces) out.push(line('ns-new', t));
  // user namespace first: joining it grants the capabilities needed to join the others.
  const joins = [...plan.joinNamespaces].sort((a, b) => (a.type === 'user' ? -1 : b.type === 'user' ? 1 : 0));
  for (const j of joins) out.push(line('ns-join', j.type, j.path));
  for (const m of plan.uidMappings) out.push(line('uidmap', m.inside, m.outside, m.count));
  for (const m of plan.gidMappings) out.push(line('gidmap', m.inside, m.outside, m.count));
  if (plan.setgroupsDeny) out.push(line('setgroups', 'deny'));
  for (const t of plan.timeOffsets) out.push(line('timens', t.clock, t.secs, t.nanos));
  for (const p of plan.cgroupProcs) out.push(line('cgroup-procs', p));
  if (plan.rootfs !== undefined) out.push(line('rootfs', plan.rootfs));
  if (plan.rootfsPropagation) out.push(line('rootfs-propagation', plan.rootfsPropagation));
  if (plan.readonlyRoot) out.push('readonly-root');
  if (plan.noPivot) out.push('no-pivot');
  for (const m of plan.mounts) {
    out.push(line('mount', m.source, m.destination, m.fstype, m.flags, m.propagation, m.data));
  }
  for (const d of plan.devices) out.push(line('device', d.path, d.type, d.major, d.minor, d.mode, d.uid, d.gid));
  for (const p of plan.deviceBinds) out.push(line('device-bind', p));
  for (const s of plan.symlinks) out.push(line('symlink', s.target, s.link));
  for (const p of plan.maskedPaths) out.push(line('masked-path', p));
  for (const p of plan.readonlyPaths) out.push(line('readonly-path', p));
  if (plan.hostname !== undefined) out.push(line('hostname', plan.hostname));
  if (plan.domainname !== undefined) out.push(line('domainname', plan.domainname));
  for (const s of plan.sysctls) out.push(line('sysctl', s.key, s.value));
  if (plan.loopbackUp) out.push('loopback-up');
  if (plan.personality !== undefined) out.push(line('personality', plan.personality));
  const p = plan.process;
  for (const r of p.rlimits) out.push(line('rlimit', r.resource, r.soft, r.hard));
  if (p.oomScoreAdj !== undefined) out.push(line('oom-score-adj', p.oomScoreAdj));
  out.push(line('cwd', p.cwd));
  out.push(line('user', p.uid, p.gid));
  if (p.groups.length) out.push(line('groups', ...p.groups));
  if (p.umask !== undefined) out.push(line('umask', p.umask.toString(8).padStart(4, '0')));
  if (p.caps) {
    for (const [set, mask] of Object.entries(p.caps)) out.push(line('caps', set, mask.toString(16)));
  }
  if (p.noNewPrivileges) out.push('no-new-privileges');
  if (p.seccomp) out.push(...seccompLines(p.seccomp));
  for (const e of p.env) out.push(line('env', e));
  for (const a of p.args) out.push(line('arg', a));
  if (p.terminal) out.push('terminal');
  if (p.consoleSize) out.push(line('console-size', p.consoleSize.rows, p.consoleSize.cols));
  if (p.consoleSocket) out.push(line('console-socket', p.consoleSocket));
  for (const h of plan.hooks ?? []) {
    out.push(line('hook', h.kind, h.timeout, h.path));
    for (const a of h.args) out.push(line('hook-arg', a));
    for (const e of h.env) out.push(line('hook-env', e));
  }
  if (plan.execFifo) out.push(line('exec-fifo', plan.execFifo));
  if (plan.wait) out.push('wait');
  if (plan.noHold) out.push('no-hold');
  if (plan.cgroupWait) out.push('cgroup-wait');
  out.push('end');
  return out.join('\n') + '\n';
}

/** The plan lines of a seccomp filter: the compiled program when there is one, else the rules to compile. */
export function seccompLines(s: PlanSeccomp): string[] {
  if (s.bpf && !s.listenerPath) return [line('seccomp-bpf', s.bpf), ...s.flags.map((f) => line('seccomp-flag', f))];
  const out = [line('seccomp-default', s.defaultAction, s.defaultErrno)];
  for (const a of s.arches) out.push(line('seccomp-arch', a));
  for (const f of s.flags) out.push(line('seccomp-flag', f));
  for (const r of s.rules) {
    const args = r.args.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo}`);
    out.push(line('seccomp-rule', r.action, r.errno, r.name, ...args));
  }
  if (s.listenerPath) out.push(line('seccomp-listener', s.listenerPath));
  return out;
}

/** An empty plan of the given mode, to be filled by the compiler. */
export function emptyPlan(mode: LaunchPlan['mode'], process: PlanProcess): LaunchPlan {
  return {
    mode, newNamespaces: [], joinNamespaces: [], uidMappings: [], gidMappings: [], timeOffsets: [],
    cgroupProcs: [], mounts: [], devices: [], deviceBinds: [], symlinks: [], maskedPaths: [],
    readonlyPaths: [], sysctls: [], process,
  };
}
