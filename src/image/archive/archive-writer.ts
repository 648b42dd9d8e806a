// Streams a tar to a Writable entry by entry (tar-stream's pack), never holding a blob in memory. Headers
// are fixed (owner root, mtime 0) so saving the same images twice gives byte-identical archives.
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ImageError } from '../errors.js';

const EPOCH = new Date(0);

export class TarWriter {
  private readonly pack = tar.pack();
  private readonly finished: Promise<void>;

  constructor(out: Writable) {
    this.finished = pipeline(this.pack, out);
    this.finished.catch(() => {}); // surfaced by finish(); a failed entry ends the writer first
  }

  /** Adds a directory entry (`name/`). */
  async addDir(name: string): Promise<void> {
    await this.entry({ name: name.endsWith('/') ? name : `${name}/`, type: 'directory', mode: 0o755 }, Buffer.alloc(0));
  }

  /** Adds a small file from memory. */
  async addBuffer(name: string, data: Buffer): Promise<void> {
    await this.entry({ name, type: 'file', mode: 0o644, size: data.length }, data);
  }

  /** Adds a file streamed from `source`, which must yield exactly `size` bytes. */
  async addStream(name: string, size: number, source: Readable): Promise<void> {
    let settle!: (err?: Error | null) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
    done.catch(() => {}); // after a failure the error is the one thrown below
    const entry = this.pack.entry({ ...header(name), type: 'file', mode: 0o644, size }, (err) => settle(err));
    entry.on('error', () => {}); // reported through the entry callback
    let written = 0;
    try {
      for await (const chunk of source) {
        const c = chunk as Buffer;
        written += c.length;
        if (written > size) throw new ImageError(`${name}: source has more than the expected ${size} bytes`, 'DataLoss');
        if (!entry.write(c)) await Promise.race([once(entry, 'drain'), this.closed()]);
      }
      if (written !== size) throw new ImageError(`${name}: source ended after ${written} of ${size} bytes`, 'DataLoss');
      (entry as unknown as { end(): void }).end();
      await Promise.race([done, this.closed()]);
    } catch (e) {
      source.destroy();
      this.abort(e as Error);
      throw e;
    }
  }

  /** Writes the end-of-archive marker and waits until `out` has everything. */
  async finish(): Promise<void> {
    this.pack.finalize();
    await this.finished;
  }

  /** Stops writing (the output is left truncated, so a reader sees an error, not a short archive). */
  abort(err: Error): void {
    this.pack.destroy(err);
  }

  // Settles only when the output fails or closes early: a wait on the pack must not outlive it.
  private closed(): Promise<never> {
    return this.finished.then(
      () => Promise.reject(new ImageError('the archive output closed before the archive was complete', 'Unavailable')),
      (e: unknown) => Promise.reject(e),
    );
  }

  private entry(h: Partial<tar.Header> & { name: string }, data: Buffer): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.pack.entry({ ...header(h.name), ...h }, data, (err) => (err ? reject(err) : resolve()));
    });
    return Promise.race([written, this.closed()]);
  }
}

function header(name: string): Partial<tar.Header> & { name: string } {
  return { name, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
}
