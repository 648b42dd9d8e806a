// HelperError: a helper `error <step> <errno> <detail>` line turned into a sentence.
import os from 'node:os';
import util from 'node:util';
import fs from 'node:fs';
import type { LaunchPlan } from '../plan/launch-plan.js';
import { RLIMITS } from '../plan/rlimits.js';

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(os.constants.errno).map(([name, no]) => [no, name] as [number, string]),
);

const SIGNALS = os.constants.signals as Record<string, number>;

/** Name of a signal number, e.g. 9 → SIGKILL. */
export function signalName(n: number): string {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === n) ?? `signal ${n}`;
}

/** 'ENOENT' for 2, or 'E<n>' for a number this platform does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

function errnoText(errno: number): string {
  const sys = util.getSystemErrorMap().get(-errno);
  return sys ? sys[1] : `error ${errno}`;
}

/** A failure reported by berth-helper while performing a launch plan. */
export class HelperError extends Error {
  readonly step: string;
  readonly errno: number;
  readonly errnoName: string;
  readonly detail: string;

  constructor(step: string, errno: number, detail: string, plan?: LaunchPlan) {
    super(describe(step, errno, detail, plan));
    this.name = 'HelperError';
    this.step = step;
    this.errno = errno;
    this.errnoName = errno ? errnoName(errno) : '';
    this.detail = detail;
  }
}

function describe(step: string, errno: number, detail: string, plan?: LaunchPlan): string {
  const reason = errno ? `${errnoName(errno)} (${errnoText(errno)})` : '';
  if (step === 'exec') {
    // Same wording as runc/Go's exec.LookPath, which users and tools already recognise.
    if (errno === os.constants.errno.ENOENT && !detail.includes('/')) {
      return `exec: "${detail}": executable file not found in $PATH`;
    }
    return `exec: "${detail}": ${reason}`;
  }
  // The helper words hook failures itself ("createContainer hook #0 (/x) exited with status 3; stderr: …").
  if (step === 'hook') return reason ? `${detail}: ${reason}` : detail;
  if (step === 'init') return `container process ${detail} before it was ready`;
  if (step === 'mount') {
    // The helper names the destination; the plan knows what was being mounted there.
    const m = plan?.mounts.find((x) => x.destination === detail);
    const what = m ? `mount "${m.source || m.fstype}" on "${detail}"` : `mount "${detail}"`;
    return `${what}: ${reason}`;
  }
  if (step === 'seccomp-listener') return `seccomp listener "${detail}": ${reason}`;
  if (step === 'rlimit') return describeRlimit(Number(detail), errno, reason, plan);
  const subject = detail ? `${step} "${detail}"` : step;
  return reason ? `${subject}: ${reason}` : subject;
}

/** /proc/self/limits row names, by resource number (the order the kernel prints them in). */
const LIMIT_ROWS = ['Max cpu time', 'Max file size', 'Max data size', 'Max stack size', 'Max core file size',
  'Max resident set', 'Max processes', 'Max open files', 'Max locked memory', 'Max address space',
  'Max file locks', 'Max pending signals', 'Max msgqueue size', 'Max nice priority', 'Max realtime priority',
  'Max realtime timeout'];

function describeRlimit(resource: number, errno: number, reason: string, plan?: LaunchPlan): string {
  const name = Object.keys(RLIMITS).find((k) => RLIMITS[k] === resource) ?? `resource ${resource}`;
  const asked = plan?.process.rlimits.find((r) => r.resource === resource);
  const values = asked ? ` soft=${asked.soft} hard=${asked.hard}` : '';
  let hint = '';
  if (errno === os.constants.errno.EPERM) {
    // Raising a hard limit needs CAP_SYS_RESOURCE in the initial namespace, and even root is capped here (DESIGN.md §5).
    const row = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(LIMIT_ROWS[resource] ?? '\0'));
    const hard = row?.trim().split(/\s{2,}/)[2];
    hint = `: the hard limit cannot be raised above the runtime's own${hard ? ` (${hard})` : ''}; lower it in process.rlimits`;
  }
  return `setrlimit ${name}${values}: ${reason}${hint}`;
}
