// OCI `linux.seccomp` → the plan's seccomp lines (docs/launch-plan.md). All validation happens here so the
// helper only has to hand libseccomp what it gets; unknown syscall names are kept (the helper skips the ones
// its architecture does not know, as runc does, so one profile serves every kernel).
import path from 'node:path';
import type { Seccomp, Spec } from '../spec/types.js';
import { SPEC_VERSION } from '../version.js';
import { SpecError } from '../spec/errors.js';
import type { PlanSeccomp, PlanSeccompArg, PlanSeccompRule, SeccompAction, SeccompOp } from './launch-plan.js';

const EPERM = 1;
const U64_MAX = (1n << 64n) - 1n;

const ACTIONS: Readonly<Record<string, SeccompAction>> = {
  SCMP_ACT_KILL: 'kill-thread',
  SCMP_ACT_KILL_THREAD: 'kill-thread',
  SCMP_ACT_KILL_PROCESS: 'kill-process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_TRACE: 'trace',
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_LOG: 'log',
  SCMP_ACT_NOTIFY: 'notify',
};

/** OCI names → libseccomp 2.5 names; OCI's LOONGARCH64, M68K, SH and SHEB need a newer libseccomp. */
const ARCHES: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: 'x86', SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm', SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel', SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_PPC64: 'ppc64', SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390', SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc', SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
};

const FLAGS: Readonly<Record<string, PlanSeccomp['flags'][number]>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 'tsync',
  SECCOMP_FILTER_FLAG_LOG: 'log',
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 'spec-allow',
};

const OPS: Readonly<Record<string, SeccompOp>> = {
  SCMP_CMP_NE: 'ne', SCMP_CMP_LT: 'lt', SCMP_CMP_LE: 'le', SCMP_CMP_EQ: 'eq',
  SCMP_CMP_GE: 'ge', SCMP_CMP_GT: 'gt', SCMP_CMP_MASKED_EQ: 'masked-eq',
};

/** What features.ts reports: the OCI names Berth accepts. */
export const SECCOMP_ACTIONS = Object.keys(ACTIONS);
export const SECCOMP_ARCHES = Object.keys(ARCHES);
export const SECCOMP_OPERATORS = Object.keys(OPS);
export const SECCOMP_SUPPORTED_FLAGS = Object.keys(FLAGS);
export const SECCOMP_KNOWN_FLAGS = [...SECCOMP_SUPPORTED_FLAGS, 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'];

function action(name: unknown, field: string): SeccompAction {
  const a = typeof name === 'string' ? ACTIONS[name] : undefined;
  if (!a) throw new SpecError(field, `unknown action ${JSON.stringify(name)} (use ${SECCOMP_ACTIONS.join(', ')})`);
  return a;
}

function errnoValue(v: unknown, field: string): number {
  // SECCOMP_RET_DATA is 16 bits wide.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new SpecError(field, `must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The return data of an action: only errno and trace carry one (runc ignores errnoRet on the others). */
function dataFor(a: SeccompAction, ret: unknown, field: string): number {
  if (a !== 'errno' && a !== 'trace') return 0;
  return ret === undefined || ret === null ? EPERM : errnoValue(ret, field);
}

function u64(v: unknown, field: string): bigint {
  // JSON numbers past 2^53 arrive rounded; a bigint (from a bigint-aware parser) is taken exactly.
  const ok = (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
  const b = ok ? BigInt(v as number | bigint) : -1n;
  if (b < 0n || b > U64_MAX) throw new SpecError(field, `must be an unsigned 64-bit integer, got ${String(v)}`);
  return b;
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SpecError(field, 'must be an array');
  return v;
}

function compileArg(a: unknown, field: string): PlanSeccompArg {
  if (typeof a !== 'object' || a === null) throw new SpecError(field, 'must be an object');
  const { index, op, value, valueTwo } = a as Record<string, unknown>;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    throw new SpecError(`${field}.index`, `must be a syscall argument index from 0 to 5, got ${JSON.stringify(index)}`);
  }
  const o = typeof op === 'string' ? OPS[op] : undefined;
  if (!o) throw new SpecError(`${field}.op`, `unknown operator ${JSON.stringify(op)} (use ${SECCOMP_OPERATORS.join(', ')})`);
  return { index, op: o, value: u64(value, `${field}.value`), valueTwo: valueTwo === undefined ? 0n : u64(valueTwo, `${field}.valueTwo`) };
}

/**
 * libseccomp ANDs the conditions of one rule but allows one condition per argument index; like runc, a rule
 * naming an index twice becomes one rule per condition (ORed) instead.
 */
function argGroups(args: PlanSeccompArg[]): PlanSeccompArg[][] {
  const indexes = new Set(args.map((a) => a.index));
  return indexes.size === args.length ? [args] : args.map((a) => [a]);
}

/** Validates an OCI seccomp profile and compiles it to plan form; `field` names it in errors. */
export function compileSeccomp(s: Seccomp, field = 'linux.seccomp'): PlanSeccomp {
  if (typeof s !== 'object' || s === null) throw new SpecError(field, 'must be an object');
  const defaultAction = action(s.defaultAction, `${field}.defaultAction`);
  if (defaultAction === 'notify') {
    // Every syscall, the helper's own sendmsg of the fd included, would wait for an agent that has no fd yet (runc refuses it too).
    throw new SpecError(`${field}.defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action; use it in syscalls rules');
  }
  const defaultErrno = dataFor(defaultAction, s.defaultErrnoRet, `${field}.defaultErrnoRet`);
  const arches = list(s.architectures, `${field}.architectures`).map((a, i) => {
    const name = typeof a === 'string' ? ARCHES[a] : undefined;
    if (!name) throw new SpecError(`${field}.architectures[${i}]`, `unknown architecture ${JSON.stringify(a)} (use ${SECCOMP_ARCHES.join(', ')})`);
    return name;
  });
  const flags = list(s.flags, `${field}.flags`).map((f, i) => {
    const flag = typeof f === 'string' ? FLAGS[f] : undefined;
    if (flag) return flag;
    const why = f === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'
      ? 'is not supported by Berth (it only applies to a notify listener)'
      : `is unknown (use ${SECCOMP_SUPPORTED_FLAGS.join(', ')})`;
    throw new SpecError(`${field}.flags[${i}]`, `flag ${JSON.stringify(f)} ${why}`);
  });
  const rules: PlanSeccompRule[] = [];
  list(s.syscalls, `${field}.syscalls`).forEach((raw, i) => {
    const f = `${field}.syscalls[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new SpecError(f, 'must be an object');
    const call = raw as Record<string, unknown>;
    const names = list(call.names, `${f}.names`);
    if (names.length === 0) throw new SpecError(`${f}.names`, 'must name at least one syscall');
    names.forEach((n, j) => {
      if (typeof n !== 'string' || !/^[a-z0-9_]+$/.test(n)) {
        throw new SpecError(`${f}.names[${j}]`, `invalid syscall name ${JSON.stringify(n)}`);
      }
    });
    const a = action(call.action, `${f}.action`);
    const errno = dataFor(a, call.errnoRet, `${f}.errnoRet`);
    const args = list(call.args, `${f}.args`).map((x, j) => compileArg(x, `${f}.args[${j}]`));
    if (a === 'notify' && names.includes('sendmsg')) {
      // The helper sends the notification fd with sendmsg after loading the filter: it would wait on itself.
      throw new SpecError(`${f}.action`, 'SCMP_ACT_NOTIFY cannot apply to sendmsg (Berth sends the seccomp fd with it)');
    }
    // libseccomp refuses a rule whose action is the default one; it would change nothing anyway.
    if (a === defaultAction && errno === defaultErrno) return;
    for (const name of names as string[]) {
      for (const group of argGroups(args)) rules.push({ action: a, errno, name, args: group });
    }
  });
  const out: PlanSeccomp = { defaultAction, defaultErrno, arches, flags, rules };
  const { listenerPath, listenerMetadata } = s;
  if (listenerPath !== undefined && listenerPath !== null && (typeof listenerPath !== 'string' || !path.isAbsolute(listenerPath))) {
    throw new SpecError(`${field}.listenerPath`, `must be the absolute path of a unix socket, got ${JSON.stringify(listenerPath)}`);
  }
  if (listenerMetadata !== undefined && listenerMetadata !== null && typeof listenerMetadata !== 'string') {
    throw new SpecError(`${field}.listenerMetadata`, 'must be a string');
  }
  const notify = rules.some((r) => r.action === 'notify');
  if (notify && !listenerPath) {
    // Nobody would receive the notification fd: every matching syscall would fail with ENOSYS.
    throw new SpecError(`${field}.listenerPath`, 'SCMP_ACT_NOTIFY needs a seccomp agent: set listenerPath to the unix socket it listens on');
  }
  // runc sends the fd only when the filter notifies; a listener without NOTIFY rules gets nothing (as runc).
  if (notify && listenerPath) {
    out.listenerPath = listenerPath;
    out.listenerMetadata = listenerMetadata ?? '';
  }
  return out;
}

/** The runtime-spec `containerProcessState` the seccomp agent receives with the notification fd. */
export function containerProcessState(
  s: PlanSeccomp,
  pid: number,
  state: { ociVersion: string; id: string; status: string; pid: number; bundle: string; annotations?: Record<string, string> },
): string {
  const { ociVersion, id, status, bundle, annotations } = state;
  return JSON.stringify({
    ociVersion: SPEC_VERSION, fds: ['seccompFd'], pid, metadata: s.listenerMetadata ?? '',
    state: { ociVersion, id, status, pid: state.pid, bundle, annotations: annotations ?? {} },
  });
}

/** The filter a spec's processes (init and exec'd ones) run under, or undefined without `linux.seccomp`. */
export function compileSeccompFor(spec: Spec): PlanSeccomp | undefined {
  const s = spec.linux?.seccomp;
  return s === undefined || s === null ? undefined : compileSeccomp(s);
}
