// Reads /proc to tell whether a recorded pid is still the container's process.
import fs from 'node:fs';

/** Start time (field 22) and state letter of /proc/<pid>/stat, or null if the pid does not exist. */
export function readProcStat(pid: number): { startTime: string; state: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, startTime: fields[19]! };
}

/** True when pid is alive (not a zombie) and started at startTime. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  if (pid <= 0) return false;
  const st = readProcStat(pid);
  return st !== null && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}
