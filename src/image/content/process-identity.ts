// Who holds a lock or a lease: a pid alone is not enough (pids are reused), so records carry the process
// start time too (field 22 of /proc/<pid>/stat) and a holder counts as alive only when both still match.
import { isRunning, readProcStat } from '../../common/process-probe.js';

export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/** Start time (field 22 of /proc/<pid>/stat) of a live, non-zombie process, or null. */
export function processStartTime(pid: number): string | null {
  return isRunning(pid) ? (readProcStat(pid)?.startTime ?? null) : null;
}

let self: ProcessIdentity | undefined;

/** This process's identity (cached: it cannot change). */
export function currentProcess(): ProcessIdentity {
  self ??= { pid: process.pid, startTime: processStartTime(process.pid) ?? '0' };
  return self;
}

/** True when the recorded process is still running (same pid and same start time). */
export function isAlive(holder: ProcessIdentity): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  return processStartTime(holder.pid) === holder.startTime;
}

/** The text a lock file holds: "<pid> <starttime>". */
export function formatHolder(p: ProcessIdentity): string {
  return `${p.pid} ${p.startTime}\n`;
}

/** Parses a lock file's text; null when it is not in the expected form (e.g. written half-way). */
export function parseHolder(text: string): ProcessIdentity | null {
  const m = /^(\d+) (\d+)\n?$/.exec(text);
  return m ? { pid: Number(m[1]), startTime: m[2]! } : null;
}
