// Reads a container's json-file log (with rotated files), optionally following what the monitor appends.
import path from 'node:path';
import { parseEntry, timeSeconds, type LogEntry } from './log-entry.js';
import { inodeOf, openLogChain, type OpenLogFile } from './log-files.js';
import { tailStart } from './tail.js';
import { FileCursor } from './file-cursor.js';
import { ChangeWaiter } from './change-waiter.js';

export interface ReadLogsOptions {
  stdout: boolean;
  stderr: boolean;
  /** Only entries at or after this time (unix seconds, fractional). */
  since?: number;
  /** Only entries at or before this time; when following, also stop once the clock passes it. */
  until?: number;
  /** The last N entries of all files together (before the stream and time filters, as Docker counts). */
  tail?: number | 'all';
  /** Keep reading what is appended, across rotations, until `signal` aborts or `until` passes. */
  follow?: boolean;
  /** The end of following (the container exited, or the reader is done): what is already written is still
   * emitted, then the iteration ends. Breaking out of the loop stops at once. */
  signal?: AbortSignal;
}

/** Entries of the log at `file`, oldest first (PATH.N … PATH.1, PATH). */
export async function* readLogs(file: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const chain = await openLogChain(file);
  const waiter = opts.follow ? new ChangeWaiter(path.dirname(file), opts.signal) : undefined;
  let cur: FileCursor | undefined;
  let ended = false; // an entry past `until` was seen
  const accept = (line: Buffer): LogEntry | undefined => {
    const e = parseEntry(line.toString('utf8'));
    if (!e) return undefined;
    const t = timeSeconds(e.time);
    if (opts.until !== undefined && t > opts.until) {
      ended = true;
      return undefined;
    }
    if (opts.since !== undefined && t < opts.since) return undefined;
    return (e.stream === 'stdout' ? opts.stdout : opts.stderr) ? e : undefined;
  };
  async function* drain(c: FileCursor): AsyncGenerator<LogEntry> {
    for await (const line of c.lines()) {
      const e = accept(line);
      if (ended) return;
      if (e) yield e;
    }
  }

  try {
    const start = opts.tail === undefined || opts.tail === 'all'
      ? { index: 0, offset: 0 }
      : await tailStart(chain.map((f) => f.handle), Math.max(0, Math.floor(opts.tail)));
    for (let i = 0; i < chain.length; i++) {
      if (i < start.index) continue;
      const c = new FileCursor(chain[i]!.handle, chain[i]!.ino, i === start.index ? start.offset : 0);
      if (i === chain.length - 1) cur = c; // the live file: kept open when following
      yield* drain(c);
      if (ended) return;
    }
    if (!opts.follow || !waiter) return;

    for (;;) {
      const stopping = opts.signal?.aborted === true || (opts.until !== undefined && Date.now() / 1000 > opts.until);
      if (cur) yield* drain(cur);
      if (ended) return;
      // Rotated? Read the old file to its end first (nothing is written to it after the rename), then the
      // files that came after it, oldest first: none is skipped or read twice.
      const next = await successors(file, cur?.ino);
      if (next.length) {
        if (cur) {
          yield* drain(cur);
          await cur.close();
        }
        cur = undefined;
        for (let i = 0; i < next.length; i++) {
          const c = new FileCursor(next[i]!.handle, next[i]!.ino);
          if (i === next.length - 1) cur = c;
          yield* drain(c);
          if (i < next.length - 1) await c.close();
          if (ended) return;
        }
        continue;
      }
      if (cur && (await cur.rewindIfTruncated())) continue;
      if (stopping) return;
      const untilMs = opts.until !== undefined ? opts.until * 1000 - Date.now() + 1 : undefined;
      await waiter.wait(untilMs);
    }
  } finally {
    waiter?.close();
    await cur?.close();
    for (const f of chain) await f.handle.close().catch(() => {});
  }
}

/** Files newer than the one with inode `ino`, opened oldest first; [] while `ino` is still the live file. */
async function successors(file: string, ino: number | undefined): Promise<OpenLogFile[]> {
  const live = inodeOf(file);
  if (live === undefined || live === ino) return [];
  return openLogChain(file, ino);
}
