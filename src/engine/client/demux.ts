// Copying attach/exec/logs output to the terminal: raw bytes with a TTY, else docker's multiplexed frames
// split back into stdout and stderr (stream 3 is the daemon's own error: shown, and the copy fails).
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../api/streams.js';

export interface OutputSinks {
  stdout: Writable;
  stderr: Writable;
}

/** Copies `src` to the sinks until it ends; rejects with the daemon's message after a system-error frame. */
export function copyOutput(src: Readable, sinks: OutputSinks, tty: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    const systemErrors: string[] = [];
    const write = (dst: Writable, data: Buffer) => {
      if (!dst.write(data)) {
        src.pause();
        dst.once('drain', () => src.resume());
      }
    };
    src.on('data', (chunk: Buffer) => {
      if (tty) return write(sinks.stdout, chunk);
      for (const f of decoder.push(chunk)) {
        if (f.stream === 2) write(sinks.stderr, f.data);
        else if (f.stream === 3) systemErrors.push(f.data.toString('utf8').trim());
        else write(sinks.stdout, f.data); // 0 and 1: old daemons framed stdout as 0
      }
    });
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) return reject(err);
      if (systemErrors.length) return reject(new Error(systemErrors.join('\n')));
      resolve();
    };
    src.on('end', () => finish());
    // A hijacked socket may just close (the daemon ended the container's stream): that is the end too.
    src.on('close', () => finish());
    src.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? undefined : e));
  });
}
