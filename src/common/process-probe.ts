// What /proc says about a process: whether a recorded pid is still the same process (pids are reused, so
// records carry the start time too), and stopping a process that is not our child.
import fs from 'node:fs';

export interface ProcStat {
  state: string;
  ppid: number;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot. */
  startTime: string;
}

/** State, parent and start time of /proc/<pid>/stat, or null if the pid does not exist. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: the fixed fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
}

/** True while pid runs; a zombie (not yet reaped) counts as gone. */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const st = readProcStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

/** True when pid is running and started at startTime. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  return isRunning(pid) && readProcStat(pid)?.startTime === startTime;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
export async function terminatePid(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (!isRunning(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited just now
  }
  while (isRunning(pid)) await sleep(20);
}
