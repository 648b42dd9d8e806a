// docker's "Are you sure you want to continue? [y/N]" for prune commands (skipped with -f/--force).
import type { Io } from './context.js';

/** Asks on stderr/stdout and reads one line of stdin; true only for "y"/"yes". EOF counts as no. */
export function confirm(io: Io, warning: string): Promise<boolean> {
  io.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  return new Promise((resolve) => {
    let buf = '';
    const done = (answer: boolean) => {
      io.stdin.removeListener('data', onData);
      io.stdin.removeListener('end', onEnd);
      io.stdin.pause();
      if (!io.stdin.isTTY) io.stdin.destroy();
      resolve(answer);
    };
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(/^\s*y(es)?\s*$/i.test(buf.slice(0, nl)));
    };
    const onEnd = () => {
      io.stdout.write('\n');
      done(/^\s*y(es)?\s*$/i.test(buf));
    };
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.resume();
  });
}
