// The exit file the monitor writes (atomically) when the container's init exits.
import fs from 'node:fs';

/** How the container's init ended: exitCode is 128+signo when killed (Docker's convention). */
export interface ExitRecord {
  pid: number;
  exitCode: number;
  signal: string | null;
  finishedAt: string;
}

/** The exit record at path, or undefined while there is none (the container runs, or never started). */
export function readExitFile(file: string): ExitRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let rec: Partial<ExitRecord>;
  try {
    rec = JSON.parse(text) as Partial<ExitRecord>;
  } catch (e) {
    throw new Error(`exit file ${file} is not JSON (${(e as Error).message}): remove it; the monitor writes it atomically, so something else wrote it`);
  }
  if (typeof rec.pid !== 'number' || typeof rec.exitCode !== 'number' || typeof rec.finishedAt !== 'string') {
    throw new Error(`exit file ${file} lacks pid, exitCode or finishedAt: ${text.trim()}`);
  }
  return { pid: rec.pid, exitCode: rec.exitCode, signal: rec.signal ?? null, finishedAt: rec.finishedAt };
}
