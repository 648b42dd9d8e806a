// The worker-thread side of FileWriterPool: the messages it understands and the loop that runs them. The
// loop is a self-contained function whose source text is what the workers run (an eval worker), so the
// bundled CLI needs no separate worker file; the filesystem calls are file-writer.ts's, shared with the
// inline writer.
import type { MessagePort } from 'node:worker_threads';
import { fileCalls, type EntryMeta, type FileCalls } from './file-writer.js';

/** Where a job's bytes are in the shared arena. */
export interface Region {
  off: number;
  len: number;
}

export type Op =
  | { k: 'file'; id: number; abs: string; meta: EntryMeta; data: Region }
  | { k: 'open'; id: number; abs: string; meta: EntryMeta }
  | { k: 'append'; id: number; data: Region }
  | { k: 'close'; id: number; meta: EntryMeta }
  | { k: 'symlink'; id: number; abs: string; target: string; meta: Omit<EntryMeta, 'mode'> };

export interface WireError {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export interface Reply {
  seq: number;
  done: number[];
  failed: [number, WireError][];
}

/** The worker's side: runs each batch in order and reports which jobs finished or failed. Self-contained. */
function workerLoop(calls: FileCalls, port: MessagePort, arena: Uint8Array): void {
  const fds = new Map<number, number>();
  const broken = new Map<number, WireError>();
  const wire = (e: unknown): WireError => {
    const x = e as NodeJS.ErrnoException;
    return { message: String(x?.message ?? e), code: x?.code, errno: x?.errno, syscall: x?.syscall, path: x?.path };
  };
  const bytes = (r: Region): Uint8Array => arena.subarray(r.off, r.off + r.len);
  port.on('message', (msg: { seq: number; ops: Op[] }) => {
    const done: number[] = [];
    const failed: [number, WireError][] = [];
    for (const op of msg.ops) {
      try {
        if (op.k === 'file') {
          calls.writeFile(op.abs, op.meta, [bytes(op.data)]);
          done.push(op.id);
        } else if (op.k === 'symlink') {
          calls.symlink(op.abs, op.target, op.meta);
          done.push(op.id);
        } else if (op.k === 'open') {
          fds.set(op.id, calls.openFile(op.abs, op.meta));
        } else if (op.k === 'append') {
          const fd = fds.get(op.id);
          if (fd !== undefined && !broken.has(op.id)) calls.append(fd, bytes(op.data));
        } else {
          const fd = fds.get(op.id);
          fds.delete(op.id);
          const failure = broken.get(op.id);
          broken.delete(op.id);
          if (failure || fd === undefined) {
            if (fd !== undefined) calls.abandon(fd);
            failed.push([op.id, failure ?? { message: 'internal: file was never opened' }]);
          } else {
            calls.closeFile(fd, op.meta);
            done.push(op.id);
          }
        }
      } catch (e) {
        // A streamed file's failure is reported when it is closed; everything else right away.
        if (op.k === 'open' || op.k === 'append') {
          if (!broken.has(op.id)) broken.set(op.id, wire(e));
        } else failed.push([op.id, wire(e)]);
      }
    }
    port.postMessage({ seq: msg.seq, done, failed } satisfies Reply);
  });
}

/** What a worker thread runs (workerData: the SharedArrayBuffer arena). */
export const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
(${workerLoop.toString()})((${fileCalls.toString()})(require('node:fs')), parentPort, new Uint8Array(workerData));`;
