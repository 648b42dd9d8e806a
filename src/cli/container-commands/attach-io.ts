// The terminal side of attach, run -i/-t, start -a and exec: copy the hijacked stream to stdout/stderr,
// feed stdin into it (half-closing at EOF so the container sees it), put the terminal in raw mode for a
// TTY, keep the container's TTY the terminal's size (resize at start and on SIGWINCH), and forward signals.
import { spawnSync } from 'node:child_process';
import { copyOutput, type EngineClient, type Hijacked } from '../../engine/client/index.js';
import { DetachFilter, parseDetachKeys } from '../../engine/containers/detach-keys.js';
import type { Io } from './context.js';

export interface SessionOptions {
  /** The container (or exec) has a TTY: output is raw bytes. */
  tty: boolean;
  /** Send our stdin to it. */
  stdin: boolean;
  /** --detach-keys (default ctrl-p,ctrl-q): with a TTY, typing them ends the session and leaves it running. */
  detachKeys?: string;
}

/** Whether the stream is raw (TTY): from the daemon's content type when it says, else from the config. */
function isRaw(h: Hijacked, tty: boolean): boolean {
  if (h.contentType === 'application/vnd.docker.raw-stream') return true;
  if (h.contentType === 'application/vnd.docker.multiplexed-stream') return false;
  return tty;
}

/**
 * Runs the copy both ways; resolves when the daemon has ended the output, or when the user typed the detach keys
 * (TTY only, as the docker CLI does on its side too): then true, and the container keeps running.
 */
export async function pumpStreams(h: Hijacked, io: Io, opts: SessionOptions): Promise<boolean> {
  const restore = opts.stdin && opts.tty ? rawMode(io.stdin) : () => {};
  const filter = opts.stdin && opts.tty ? new DetachFilter(parseDetachKeys(opts.detachKeys)) : undefined;
  let onData: ((d: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  if (opts.stdin) {
    onData = (input: Buffer) => {
      if (!h.stream.writable) return;
      const d = filter ? filter.push(input) : input;
      if (filter?.detached) {
        if (d.length) h.stream.write(d);
        h.stream.destroy(); // ends the output copy below
        return;
      }
      if (!h.stream.write(d)) {
        io.stdin.pause();
        h.stream.once('drain', () => io.stdin.resume());
      }
    };
    // EOF on stdin: half-close so the container reads EOF while its output keeps coming.
    onEnd = () => {
      if (h.stream.writable) h.stream.end();
    };
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.resume();
  }
  try {
    await copyOutput(h.stream, { stdout: io.stdout, stderr: io.stderr }, isRaw(h, opts.tty)).catch((e: unknown) => {
      if (!filter?.detached) throw e;
    });
    return filter?.detached === true;
  } finally {
    restore();
    if (onData) {
      io.stdin.removeListener('data', onData);
      io.stdin.removeListener('end', onEnd!);
      io.stdin.pause();
      // A pipe or terminal still being read would keep the process alive after the container is gone.
      if (!io.stdin.isTTY) io.stdin.destroy();
    }
    h.stream.destroy();
  }
}

/** Raw mode on a terminal stdin (keys go to the container as typed); returns the restore function. */
function rawMode(stdin: NodeJS.ReadStream): () => void {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return () => {};
  stdin.setRawMode(true);
  // libuv's raw mode keeps output processing (ONLCR): the container's "\r\n" would reach the screen as
  // "\r\r\n". docker's raw mode turns it off; so do we. setRawMode(false) restores the saved settings.
  spawnSync('stty', ['-opost'], { stdio: [(stdin as unknown as { fd: number }).fd, 'ignore', 'ignore'] });
  return () => stdin.setRawMode(false);
}

/** Keeps a TTY's size in step with our terminal: now and on every SIGWINCH; returns the stop function. */
export function followTerminalSize(io: Io, resize: (h: number, w: number) => Promise<unknown>): () => void {
  if (!io.stdout.isTTY) return () => {};
  const send = () => {
    const h = io.stdout.rows;
    const w = io.stdout.columns;
    if (h && w) resize(h, w).catch(() => undefined); // a container that just exited cannot be resized: harmless
  };
  send();
  io.stdout.on('resize', send);
  return () => io.stdout.removeListener('resize', send);
}

/** The terminal size as exec's ConsoleSize ([height, width]) when stdout is a terminal. */
export function consoleSize(io: Io): [number, number] | undefined {
  return io.stdout.isTTY && io.stdout.rows && io.stdout.columns ? [io.stdout.rows, io.stdout.columns] : undefined;
}

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Forwards the signals this CLI receives to the container (docker's --sig-proxy); returns the stop function. */
export function proxySignals(client: EngineClient, containerId: string): () => void {
  let interrupts = 0;
  const handlers = PROXIED.map((sig) => {
    const h = () => {
      client.send('POST', `/containers/${encodeURIComponent(containerId)}/kill`, { query: { signal: sig.replace(/^SIG/, '') } }).catch(() => undefined);
      // A container that ignores them must not hold the terminal hostage: the third one ends berth, as docker.
      if ((sig === 'SIGINT' || sig === 'SIGTERM') && ++interrupts >= 3) {
        process.stderr.write('got 3 SIGTERM/SIGINTs, forcefully exiting\n');
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => handlers.forEach(([sig, h]) => process.removeListener(sig, h));
}
