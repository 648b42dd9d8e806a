// runc's pid-file contract: written atomically (temp + rename), digits only, no newline, only on success.
import fs from 'node:fs';
import path from 'node:path';

export function writePidFile(file: string, pid: number): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}`);
  fs.writeFileSync(tmp, String(pid));
  fs.renameSync(tmp, abs);
}
