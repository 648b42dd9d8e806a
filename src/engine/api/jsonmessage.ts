// Docker's jsonmessage streams (pull, push, load, import, build): one JSON object per line, `\r\n`
// separated; errors inside a stream carry `errorDetail` (the CLI ignores a bare `error`).
import type { Writable } from 'node:stream';
import { progressBar, type ProgressEvent, type ProgressSink } from '../../image/index.js';
import { messageOf } from './errors.js';

export const JSON_STREAM = 'application/json';

/** One line of a jsonmessage stream (moby's pkg/jsonmessage.JSONMessage). */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message: string };
}

/** The jsonmessage for an image-layer progress event; undefined for events Docker does not send. */
export function progressToMessage(e: ProgressEvent, mode: 'pull' | 'push' | 'load' = 'pull'): JsonMessage | undefined {
  if (e.error !== undefined) return errorMessage(e.error);
  if (mode === 'load') {
    // docker load prints whole-operation lines as `stream` text; per-layer "Loaded" lines are Berth's own.
    if (!e.id) return { stream: `${e.status}\n` };
    if (e.status === 'Loaded') return undefined;
  }
  const m: JsonMessage = { status: e.status };
  if (e.id !== undefined) {
    m.id = e.id;
    // Layer lines always carry progressDetail ({} without numbers), as dockerd sends them.
    m.progressDetail = e.progressDetail ? { ...e.progressDetail } : {};
    if (e.progressDetail) m.progress = progressBar(e.progressDetail.current, e.progressDetail.total);
  }
  return m;
}

/** An error line: `error` for old clients, `errorDetail` for the CLI. */
export function errorMessage(err: unknown, code?: number): JsonMessage {
  const message = typeof err === 'string' ? err : messageOf(err);
  return { errorDetail: code === undefined ? { message } : { code, message }, error: message };
}

/** Writes jsonmessage lines to a response stream; writes after the client went away are dropped. */
export class JsonMessageWriter {
  constructor(private readonly out: Writable) {}

  /** Writes one message. */
  write(m: JsonMessage): void {
    if (this.out.destroyed || this.out.writableEnded) return;
    this.out.write(JSON.stringify(m) + '\r\n');
  }

  /** A `status` line (with a layer id when given). */
  status(status: string, id?: string): void {
    this.write(id === undefined ? { status } : { status, id });
  }

  /** A `stream` line (build output, "Loaded image: …"); a newline is added when missing. */
  stream(text: string): void {
    this.write({ stream: text.endsWith('\n') ? text : `${text}\n` });
  }

  /** An `aux` line (push's digest, build's image id). */
  aux(value: unknown): void {
    this.write({ progressDetail: {}, aux: value });
  }

  /** The error line that ends a failed operation. */
  error(err: unknown, code?: number): void {
    this.write(errorMessage(err, code));
  }

  /** A ProgressSink that forwards image-layer events in Docker's form. */
  progress(mode: 'pull' | 'push' | 'load' = 'pull'): ProgressSink {
    return (e) => {
      const m = progressToMessage(e, mode);
      if (m) this.write(m);
    };
  }

  /** Ends the stream. */
  end(): void {
    if (!this.out.destroyed && !this.out.writableEnded) this.out.end();
  }
}
