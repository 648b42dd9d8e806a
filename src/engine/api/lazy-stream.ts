// Streams whose status line waits for the operation to really start. dockerd answers a pull of a missing
// image, a push of an unknown tag or a save of an unknown name with an HTTP error (404 → `docker run`
// pulls, the CLI prints "Error response from daemon"), and only reports failures inside the stream once
// output has begun. These writers hold the response back until the first real output.
import { Writable } from 'node:stream';
import type { ProgressEvent, ProgressSink } from '../../image/index.js';
import { JsonMessageWriter, progressToMessage, type JsonMessage, JSON_STREAM } from './jsonmessage.js';
import type { ApiResponse } from './router.js';

/** A jsonmessage stream that starts at the first message `starts` accepts (earlier ones are held). */
export class LazyJsonStream {
  private writer: JsonMessageWriter | undefined;
  private held: JsonMessage[] = [];

  constructor(
    private readonly res: ApiResponse,
    private readonly starts: (m: JsonMessage) => boolean = () => true,
  ) {}

  get started(): boolean {
    return this.writer !== undefined;
  }

  /** Writes (or holds) one message. */
  write(m: JsonMessage): void {
    if (!this.writer) {
      this.held.push(m);
      if (!this.starts(m)) return;
      this.start();
      return;
    }
    this.writer.write(m);
  }

  /** A ProgressSink for image-layer events; `keep` drops events the client did not ask for (load -q). */
  progress(mode: 'pull' | 'push' | 'load', keep: (e: ProgressEvent) => boolean = () => true): ProgressSink {
    return (e) => {
      if (!keep(e)) return;
      const m = progressToMessage(e, mode);
      if (m) this.write(m);
    };
  }

  /** Success: sends anything held and ends the stream. */
  finish(last?: JsonMessage): void {
    if (last) this.held.push(last);
    if (!this.writer) this.start();
    else if (last) this.writer.write(last);
    this.writer!.end();
  }

  /** Failure: before the stream started, rethrows (the caller's HTTP error); after, an error line and the end. */
  fail(err: unknown): never | void {
    if (!this.writer) throw err;
    this.writer.error(err);
    this.writer.end();
  }

  private start(): void {
    this.writer = new JsonMessageWriter(this.res.stream(JSON_STREAM));
    for (const m of this.held) this.writer.write(m);
    this.held = [];
  }
}

/** A byte stream (save's tar) whose response starts with its first byte, or at its end when empty. */
export function lazyByteStream(res: ApiResponse, contentType: string): Writable {
  let out: Writable | undefined;
  const open = () => (out ??= res.stream(contentType));
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const o = open();
      if (o.write(chunk)) return cb();
      // Wait for the client to catch up, or fail when it has gone away.
      const onDrain = () => {
        o.off('close', onClose);
        cb();
      };
      const onClose = () => {
        o.off('drain', onDrain);
        cb(new Error('the client closed the connection'));
      };
      o.once('drain', onDrain);
      o.once('close', onClose);
    },
    final(cb) {
      open().end(() => cb());
    },
    destroy(err, cb) {
      if (err && out && !out.writableEnded) out.destroy(err); // a cut-off tar must not look complete
      cb(err);
    },
  });
}
