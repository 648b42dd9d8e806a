// start: release a created container's process by opening its exec fifo for reading.
import fs from 'node:fs';
import { RuntimeError } from '../errors.js';
import { isSameLiveProcess } from '../state/process-probe.js';
import { loadContainer, requireStatus, sleepMs, type RuntimeContext } from './context.js';

/** Lets the container's process exec its program; only from `created`. */
export function startContainer(ctx: RuntimeContext, id: string): void {
  const c = loadContainer(ctx, id);
  requireStatus(c, ['created'], 'start');
  const fifo = ctx.store.fifo(id);
  let fd: number;
  try {
    // Non-blocking: if init died, a blocking open would wait forever for a writer.
    fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new RuntimeError(`start container "${id}": open ${fifo}: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(1);
    for (;;) {
      try {
        // init writes one byte once it has opened the fifo; 0 bytes means no writer yet (or a dead one).
        if (fs.readSync(fd, buf, 0, 1, null) === 1) break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      if (!isSameLiveProcess(c.state.pid, c.state.pidStartTime)) {
        throw new RuntimeError(`start container "${id}": its process exited before it could be started`, 'FailedPrecondition');
      }
      sleepMs(1);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(fifo, { force: true });
  }
}
