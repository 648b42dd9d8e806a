// Docker's jsonmessage streams (pull, push, load, build): one JSON object per line. Statuses and layer
// progress are drawn with the image layer's renderer (bars on a terminal, plain lines otherwise); `stream`
// text is copied as is; an `error`/`errorDetail` line ends the stream with that error.
import type { Readable } from 'node:stream';
import { renderProgress } from '../../image/progress/render.js';

export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

/** The error a jsonmessage stream ended with (the daemon's message, e.g. "manifest unknown"). */
export class JsonMessageError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'JsonMessageError';
  }
}

/** Shows a jsonmessage stream on `out` (nothing when quiet); resolves with the aux objects; rejects on an error line. */
export function displayJsonMessages(src: Readable, out: NodeJS.WritableStream & { isTTY?: boolean }, opts: { quiet?: boolean } = {}): Promise<unknown[]> {
  const sink = opts.quiet ? undefined : renderProgress(out);
  const aux: unknown[] = [];
  let failure: JsonMessageError | undefined;
  let pending = '';
  const handle = (line: string) => {
    if (!line.trim() || failure) return;
    let m: JsonMessage;
    try {
      m = JSON.parse(line) as JsonMessage;
    } catch {
      failure = new JsonMessageError(`the daemon sent an unreadable progress line: ${line.slice(0, 200)}`);
      return;
    }
    if (m.errorDetail || m.error) {
      failure = new JsonMessageError(m.errorDetail?.message || m.error || 'unknown error', m.errorDetail?.code);
      return;
    }
    if (m.aux !== undefined) aux.push(m.aux);
    if (!sink) return;
    if (m.stream !== undefined) return void out.write(m.stream);
    if (m.status === undefined) return;
    const detail = m.progressDetail && typeof m.progressDetail.current === 'number'
      ? { progressDetail: { current: m.progressDetail.current, ...(m.progressDetail.total ? { total: m.progressDetail.total } : {}) } }
      : {};
    sink({ status: m.status, ...(m.id ? { id: m.id } : {}), ...detail });
  };
  return new Promise((resolve, reject) => {
    src.setEncoding('utf8');
    src.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) handle(l.replace(/\r$/, ''));
    });
    src.on('end', () => {
      handle(pending);
      if (failure) reject(failure);
      else resolve(aux);
    });
    src.on('error', reject);
  });
}
