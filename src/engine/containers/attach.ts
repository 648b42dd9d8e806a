// Attach: a client's hijacked connection joined to a container's monitor socket. Clients that attach before
// start (docker run does) wait here and are connected between the runtime's create and start, so they see
// every byte of output.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../api/streams.js';
import { DEFAULT_DETACH_KEYS, DetachFilter } from './detach-keys.js';

export interface AttachOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Runs when the monitor has closed (the process exited and its exit file is written), before the client ends. */
  onEnd?: () => void;
  /** With a TTY and stdin: the sequence that detaches the client (Docker's detach keys; default ctrl-p,ctrl-q). */
  detachKeys?: Buffer;
}

interface Pending { client: Duplex; opts: AttachOptions }

export class AttachHub {
  private readonly pending = new Map<string, Pending[]>();

  /** Queues a client until the container starts; a client that leaves first is dropped. */
  wait(id: string, client: Duplex, opts: AttachOptions): void {
    const list = this.pending.get(id) ?? [];
    const entry = { client, opts };
    list.push(entry);
    this.pending.set(id, list);
    client.once('close', () => {
      const l = this.pending.get(id);
      if (l) this.pending.set(id, l.filter((p) => p !== entry));
    });
  }

  /** Connects every queued client of `id` to the monitor's socket; resolves once all are connected. */
  async connectPending(id: string, socketPath: string): Promise<void> {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    await Promise.all(list.map((p) => joinMonitor(socketPath, p.client, p.opts).catch(() => p.client.destroy())));
  }

  /** Ends the queued clients of a container that will not start (removed). */
  drop(id: string): void {
    for (const p of this.pending.get(id) ?? []) p.client.end();
    this.pending.delete(id);
  }
}

/**
 * Joins a client to a monitor socket: the monitor's frames go to the client (as frames without a TTY, raw bytes
 * with one, filtered by stdout/stderr), the client's bytes go to the container's stdin. Resolves when connected.
 */
export function joinMonitor(socketPath: string, client: Duplex, opts: AttachOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const mon = net.connect(socketPath);
    mon.once('error', reject);
    mon.once('connect', () => {
      mon.off('error', reject);
      mon.on('error', () => client.destroy());
      const decoder = new FrameDecoder();
      mon.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if ((f.stream === 1 && !opts.stdout) || (f.stream === 2 && !opts.stderr)) continue;
          if (opts.tty) client.write(f.data);
          else client.write(frameOf(f.stream, f.data));
        }
      });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        opts.onEnd?.();
        client.end();
      };
      mon.on('end', end);
      mon.on('close', end);
      if (opts.stdin && opts.tty) {
        // Docker: with a TTY the detach keys end the session and the container keeps running (and its stdin open).
        const filter = new DetachFilter(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
        client.on('data', (d: Buffer) => {
          if (filter.detached) return;
          const pass = filter.push(d);
          if (pass.length) mon.write(pass);
          if (filter.detached) {
            ended = true; // not the container's end: no onEnd
            mon.destroy();
            client.end();
          }
        });
        client.on('end', () => mon.end());
      } else if (opts.stdin) {
        client.on('data', (d: Buffer) => mon.write(d));
        client.on('end', () => mon.end());
      } else {
        client.resume();
      }
      client.on('close', () => mon.destroy());
      client.on('error', () => mon.destroy());
      resolve();
    });
  });
}

/** joinMonitor for a monitor that is still starting: retries while its socket does not exist yet, until `gaveUp()`. */
export async function joinMonitorWhenReady(socketPath: string, client: Duplex, opts: AttachOptions, gaveUp: () => boolean): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await joinMonitor(socketPath, client, opts);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || gaveUp() || i > 2000) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function frameOf(stream: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
