// The monitor's control FIFO: one line per command, written without blocking.
import fs from 'node:fs';

function send(ctlPath: string, line: string): void {
  let fd: number;
  try {
    // Non-blocking: with no reader (the monitor is gone) open fails with ENXIO instead of waiting forever.
    fd = fs.openSync(ctlPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENXIO' || code === 'ENOENT' ? 'the container has exited' : (e as Error).message;
    throw Object.assign(new Error(`container monitor control ${ctlPath}: ${why}`), { code });
  }
  try {
    fs.writeSync(fd, `${line}\n`); // < PIPE_BUF: atomic, never interleaved with another writer's line
  } finally {
    fs.closeSync(fd);
  }
}

/** Sets the container's terminal size (TIOCSWINSZ on the pty master; the container gets SIGWINCH). */
export function resizeTty(ctlPath: string, rows: number, cols: number): void {
  if (![rows, cols].every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) {
    throw new Error(`resize ${rows}x${cols}: rows and cols must be integers 0-65535`);
  }
  send(ctlPath, `resize ${rows} ${cols}`);
}

/** Closes the container's stdin (a pipe; with a tty, sends ^D). */
export function closeStdin(ctlPath: string): void {
  send(ctlPath, 'close-stdin');
}
