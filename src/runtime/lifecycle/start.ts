// start: release a created container's process by opening its exec fifo for reading.
import fs from 'node:fs';
import { RuntimeError } from '../errors.js';
import { isSameLiveProcess } from '../../common/process-probe.js';
import { loadContainer, requireStatus, sleepMs, specState, type RuntimeContext } from './context.js';
import { runHooks } from './hooks.js';
import type { Hook } from '../spec/types.js';
import { killContainer } from './kill.js';

/** Beyond the hooks' own timeouts: the exec itself, and a hook without a timeout (it may then still run). */
const START_HOOK_GRACE_MS = 5000;
const NO_TIMEOUT_WAIT_MS = 30_000;
/** Short in-place waits for init's byte before polling from the event loop (about 1 ms in all). */
const SPIN_ATTEMPTS = 8;
const SPIN_WAIT_MS = 0.05;

/**
 * The process runs its startContainer hooks after it wrote its byte and before execve. It keeps the fifo open
 * until then: EOF means it exec'd (close-on-exec) or died, and a failing hook is described down the fifo
 * before it exits. Bounded: a hook still running past its timeouts (or without one) is left to it.
 */
function awaitStartHooks(id: string, fd: number, hooks: Hook[]): void {
  const budget = hooks.reduce((ms, h) => ms + (h.timeout ? h.timeout * 1000 : NO_TIMEOUT_WAIT_MS), START_HOOK_GRACE_MS);
  const deadline = Date.now() + budget;
  const buf = Buffer.alloc(4096);
  let message = '';
  while (Date.now() < deadline) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleepMs(2);
      continue;
    }
    if (n === 0) break;
    message += buf.toString('utf8', 0, n);
  }
  if (message) {
    throw new RuntimeError(`start container "${id}": ${message.trim()} (the process did not run its program)`);
  }
}

/** Lets the container's process exec its program (only from `created`), then runs poststart hooks. */
export async function startContainer(ctx: RuntimeContext, id: string): Promise<void> {
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
    for (let attempt = 0; ; attempt++) {
      try {
        // init writes one byte once it has opened the fifo; 0 bytes means no writer yet (or a dead one).
        if (fs.readSync(fd, buf, 0, 1, null) === 1) break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      // A live init blocked in its open wakes with ours and writes within ~0.1 ms: wait that long in place
      // before falling back to the event loop's 1 ms timer (a whole timer tick was most of a start).
      if (attempt < SPIN_ATTEMPTS) {
        sleepMs(SPIN_WAIT_MS);
        continue;
      }
      if (!isSameLiveProcess(c.state.pid, c.state.pidStartTime)) {
        // It may have written its byte, exec'd and exited between our read and the liveness check: read once more.
        try {
          if (fs.readSync(fd, buf, 0, 1, null) === 1) break;
        } catch {
          /* EAGAIN: no byte was written */
        }
        throw new RuntimeError(`start container "${id}": its process exited before it could be started`, 'FailedPrecondition');
      }
      // Asynchronously: a daemon starting many containers must not block its event loop on one of them.
      await new Promise((r) => setTimeout(r, 1));
    }
    const hooks = c.state.config.hooks?.startContainer;
    if (hooks?.length) awaitStartHooks(id, fd, hooks);
  } finally {
    fs.closeSync(fd);
    try {
      fs.unlinkSync(fifo); // not rmSync: Node 20 routes it through a slow JS rimraf
    } catch {
      /* already removed by a concurrent start */
    }
  }
  const poststart = c.state.config.hooks?.poststart;
  if (!poststart?.length) return;
  try {
    await runHooks('poststart', poststart, specState(loadContainer(ctx, id)));
  } catch (e) {
    // runc kills the container when a poststart hook fails (the spec only asks for a warning): the caller
    // asked for a container with its hooks run, and a half-set-up one must not keep running unnoticed.
    let killed = 'the container was killed';
    try {
      killContainer(ctx, id, 'KILL', true);
    } catch (k) {
      killed = k instanceof RuntimeError && k.kind === 'FailedPrecondition'
        ? 'the container had already stopped'
        : `killing the container failed too: ${(k as Error).message}`;
    }
    throw new RuntimeError(`start container "${id}": ${(e as Error).message} (${killed})`);
  }
}
