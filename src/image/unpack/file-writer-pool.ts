// FileWriters on worker threads. Creating inodes is kernel CPU the main thread would otherwise spend
// blocked; here it runs on other cores while the main thread decompresses, hashes and parses.
//
// Scheduling: every layer writes through its own channel with a priority (its place in the chain), since
// layers commit in order and a lower layer waiting behind a higher one's thousands of files would hold
// up everything. Jobs gather into batches per worker and channel; a worker gets at most IN_FLIGHT batches
// at once (one being written, one waiting: it never idles for a round trip, and a new batch of a lower
// layer overtakes all that is still queued). Batches are answered as a whole; every message wakes a thread,
// so they are as large as a turn of the event loop (or a busy worker's round trip) makes them.
// Files of one directory go to the same worker while any of them is in flight: creations in one directory
// serialise on its lock in the kernel anyway; spreading directories over the workers runs them in parallel.
// File content travels through a SharedArrayBuffer cut into slabs that are reused: one memcpy per byte and
// no fresh memory (fresh pages cost a page fault and zeroing each).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EntryMeta, FileStream, FileWriter } from './file-writer.js';
import { WORKER_SOURCE, type Op, type Region, type Reply } from './file-worker.js';

/** A batch's bytes travel in one slab of the shared arena. */
const SLAB = 1 << 20;
const MAX_BATCH_OPS = 64;
const IN_FLIGHT = 2;
/** A worker idle this long ends (a daemon does not keep threads for a pull long gone). */
const IDLE_MS = 30_000;

export interface FileWriterPoolOptions {
  /** Worker threads (default: $BERTH_UNPACK_THREADS, else the available cores, 2 to 4). */
  threads?: number;
  /** Bytes a channel may have queued (not yet handed to a worker) before `ready()` waits (default 8 MiB). */
  maxQueued?: number;
  /** Jobs a channel may have unanswered before `ready()` waits (default 2048). */
  maxJobs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** One layer's view of the pool: its jobs go out in its priority (lower first). */
class Channel implements FileWriter {
  queuedBytes = 0;
  jobs = 0;
  readonly roomWaiters: (() => void)[] = [];

  constructor(private readonly pool: FileWriterPool, readonly priority: number, private readonly limits: { bytes: number; jobs: number }) {}

  writeFile(abs: string, meta: EntryMeta, data: Buffer[]): Promise<void> {
    return this.pool.writeFile(this, abs, meta, data);
  }

  openFile(abs: string, meta: EntryMeta): FileStream {
    return this.pool.openFile(this, abs, meta);
  }

  symlink(abs: string, target: string, meta: Omit<EntryMeta, 'mode'>): Promise<void> {
    return this.pool.symlink(this, abs, target, meta);
  }

  ready(): Promise<void> | undefined {
    if (!this.full()) return undefined;
    this.pool.sealAll();
    if (!this.full()) return undefined;
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  full(): boolean {
    return this.queuedBytes >= this.limits.bytes || this.jobs >= this.limits.jobs;
  }

  wake(): void {
    while (this.roomWaiters.length && !this.full()) this.roomWaiters.shift()!();
  }
}

/** Ops of one channel on their way to one worker, with the bytes they reference (copied into a slab when sent). */
class Batch {
  readonly ops: Op[] = [];
  readonly pieces: Buffer[][] = [];
  readonly regions: Region[] = [];
  readonly ids: number[] = [];
  bytes = 0;

  constructor(readonly channel: Channel, readonly order: number) {}
}

class Slot {
  worker: Worker | undefined;
  idle: NodeJS.Timeout | undefined;
  readonly open = new Map<Channel, Batch>();
  readonly queued: Batch[] = [];
  /** Jobs queued or sent and not yet answered (for balancing). */
  load = 0;
  readonly sent = new Map<number, { batch: Batch; slab: number }>();
}

/** Worker threads creating files; `channel(priority)` gives a FileWriter. Idle workers never keep the process alive. */
export class FileWriterPool {
  private readonly slots: Slot[];
  private readonly arena: SharedArrayBuffer;
  private readonly view: Uint8Array;
  private readonly freeSlabs: number[];
  private readonly waiters = new Map<number, Waiter>();
  private readonly dirs = new Map<string, { slot: Slot; n: number }>();
  private readonly jobDir = new Map<number, string>();
  private readonly limits: { bytes: number; jobs: number };
  private nextId = 1;
  private nextSeq = 1;
  private nextOrder = 1;
  private flushScheduled = false;

  constructor(options: FileWriterPoolOptions = {}) {
    const threads = options.threads ?? (Number(process.env['BERTH_UNPACK_THREADS']) || Math.min(4, Math.max(2, os.availableParallelism())));
    this.slots = Array.from({ length: Math.max(1, threads) }, () => new Slot());
    // Only IN_FLIGHT batches per worker hold a slab.
    const slabs = this.slots.length * IN_FLIGHT;
    this.arena = new SharedArrayBuffer(slabs * SLAB);
    this.view = new Uint8Array(this.arena);
    this.freeSlabs = Array.from({ length: slabs }, (_, i) => i);
    this.limits = { bytes: options.maxQueued ?? 8 << 20, jobs: options.maxJobs ?? 2048 };
  }

  /** A FileWriter whose jobs go before those of channels with a higher `priority` number. */
  channel(priority = 0): FileWriter {
    return new Channel(this, priority, this.limits);
  }

  /** Starts the worker threads ahead of use (their start-up then overlaps with other work). */
  warmUp(): void {
    for (const s of this.slots) {
      this.workerOf(s).unref();
      this.idleLater(s);
    }
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map(async (s) => {
      const w = s.worker;
      s.worker = undefined;
      if (w) await w.terminate();
    }));
  }

  /** @internal Channel.writeFile. */
  writeFile(ch: Channel, abs: string, meta: EntryMeta, data: Buffer[]): Promise<void> {
    // A region lives in one slab: anything larger goes piece by piece.
    if (data.reduce((n, p) => n + p.length, 0) > SLAB) {
      const stream = this.openFile(ch, abs, meta);
      for (const p of data) stream.write(p);
      return stream.end();
    }
    const id = this.nextId++;
    const slot = this.slotForDir(id, abs);
    const done = this.expect(id);
    this.add(ch, slot, { k: 'file', id, abs, meta, data: { off: 0, len: 0 } }, data, id);
    return done;
  }

  /** @internal Channel.openFile. */
  openFile(ch: Channel, abs: string, meta: EntryMeta): FileStream {
    const id = this.nextId++;
    const slot = this.slotForDir(id, abs);
    const done = this.expect(id);
    done.catch(() => {}); // reported through end()
    this.add(ch, slot, { k: 'open', id, abs, meta });
    return {
      write: (piece) => {
        for (let off = 0; off < piece.length; off += SLAB) this.append(ch, slot, id, piece.subarray(off, off + SLAB));
      },
      end: () => {
        this.add(ch, slot, { k: 'close', id, meta }, undefined, id);
        return done;
      },
    };
  }

  /** @internal Channel.symlink. */
  symlink(ch: Channel, abs: string, target: string, meta: Omit<EntryMeta, 'mode'>): Promise<void> {
    const id = this.nextId++;
    const slot = this.slotForDir(id, abs);
    const done = this.expect(id);
    this.add(ch, slot, { k: 'symlink', id, abs, target, meta }, undefined, id);
    return done;
  }

  /** @internal Seals every open batch (a channel waiting for room must not wait on its own unsent jobs). */
  sealAll(): void {
    for (const s of this.slots) for (const b of [...s.open.values()]) this.seal(s, b);
  }

  private expect(id: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
  }

  // The worker already handling this directory, else the least loaded one.
  private slotForDir(id: number, abs: string): Slot {
    const dir = abs.slice(0, abs.lastIndexOf('/'));
    let d = this.dirs.get(dir);
    if (!d) {
      let best = this.slots[0]!;
      for (const s of this.slots) if (s.load < best.load) best = s;
      d = { slot: best, n: 0 };
      this.dirs.set(dir, d);
    }
    d.n++;
    this.jobDir.set(id, dir);
    return d.slot;
  }

  // Consecutive pieces of one file in a batch share one region: one write(2) for them in the worker.
  private append(ch: Channel, slot: Slot, id: number, piece: Buffer): void {
    const b = slot.open.get(ch);
    const last = b?.ops[b.ops.length - 1];
    if (b && last?.k === 'append' && last.id === id && b.bytes + piece.length <= SLAB) {
      b.pieces[b.pieces.length - 1]!.push(piece);
      b.regions[b.regions.length - 1]!.len += piece.length;
      b.bytes += piece.length;
      ch.queuedBytes += piece.length;
      return;
    }
    this.add(ch, slot, { k: 'append', id, data: { off: 0, len: 0 } }, [piece]);
  }

  private add(ch: Channel, slot: Slot, op: Op, data?: Buffer[], answerId?: number): void {
    let n = 0;
    for (const p of data ?? []) n += p.length;
    let b = slot.open.get(ch);
    if (b && (b.bytes + n > SLAB || b.ops.length >= MAX_BATCH_OPS)) {
      this.seal(slot, b);
      b = undefined;
    }
    if (!b) slot.open.set(ch, (b = new Batch(ch, this.nextOrder++)));
    b.ops.push(op);
    if (data) {
      const region = (op as { data: Region }).data;
      region.len = n;
      b.pieces.push(data);
      b.regions.push(region);
      b.bytes += n;
      ch.queuedBytes += n;
    }
    if (answerId !== undefined) b.ids.push(answerId);
    slot.load++;
    ch.jobs++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private seal(slot: Slot, b: Batch): void {
    slot.open.delete(b.channel);
    slot.queued.push(b);
    this.pump(slot);
  }

  // Each turn of the event loop: batches go to workers with room for them; a busy worker's batches grow
  // until it answers one.
  private flush(): void {
    this.flushScheduled = false;
    for (const s of this.slots) if (s.sent.size < IN_FLIGHT) for (const b of [...s.open.values()]) this.seal(s, b);
  }

  // Sends a slot's sealed batches, most urgent first (lowest priority number, then oldest), while it has room.
  private pump(slot: Slot): void {
    while (slot.queued.length && slot.sent.size < IN_FLIGHT) {
      let at = 0;
      for (let i = 1; i < slot.queued.length; i++) {
        const a = slot.queued[at]!;
        const c = slot.queued[i]!;
        if (c.channel.priority < a.channel.priority || (c.channel.priority === a.channel.priority && c.order < a.order)) at = i;
      }
      const batch = slot.queued[at]!;
      let slab = -1;
      if (batch.bytes) {
        if (!this.freeSlabs.length) return;
        slab = this.freeSlabs.pop()!;
        let off = slab * SLAB;
        for (const [i, pieces] of batch.pieces.entries()) {
          batch.regions[i]!.off = off;
          for (const p of pieces) {
            this.view.set(p, off);
            off += p.length;
          }
        }
        batch.channel.queuedBytes -= batch.bytes;
        batch.pieces.length = 0;
        batch.channel.wake();
      }
      slot.queued.splice(at, 1);
      clearTimeout(slot.idle);
      const seq = this.nextSeq++;
      slot.sent.set(seq, { batch, slab });
      const worker = this.workerOf(slot);
      worker.ref(); // an answer is due: keep the process alive until it comes
      worker.postMessage({ seq, ops: batch.ops });
    }
  }

  private workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: this.arena });
    slot.worker = w;
    w.on('message', (r: Reply) => this.answer(slot, r));
    const fail = (err: Error) => {
      if (slot.worker !== w) return;
      slot.worker = undefined;
      for (const seq of [...slot.sent.keys()]) {
        const ids = slot.sent.get(seq)!.batch.ids;
        this.answer(slot, { seq, done: [], failed: ids.map((id) => [id, { message: err.message }]) });
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`unpack worker thread exited (status ${code})`)));
    return w;
  }

  private answer(slot: Slot, r: Reply): void {
    const sent = slot.sent.get(r.seq);
    if (!sent) return;
    slot.sent.delete(r.seq);
    if (sent.slab >= 0) this.freeSlabs.push(sent.slab);
    const { batch } = sent;
    slot.load -= batch.ops.length;
    batch.channel.jobs -= batch.ops.length;
    if (!slot.sent.size) {
      slot.worker?.unref();
      this.idleLater(slot);
    }
    for (const id of r.done) this.finish(id)?.resolve();
    for (const [id, e] of r.failed) this.finish(id)?.reject(Object.assign(new Error(e.message), e));
    // The worker has room again: what waits (or is still gathering) goes now.
    for (const b of [...slot.open.values()]) this.seal(slot, b);
    for (const s of this.slots) this.pump(s);
    batch.channel.wake();
  }

  // Ends the slot's worker once it has had nothing to do for IDLE_MS (a new one starts on demand).
  private idleLater(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      const w = slot.worker;
      if (!w || slot.sent.size || slot.queued.length || slot.open.size) return;
      slot.worker = undefined;
      void w.terminate();
    }, IDLE_MS);
    slot.idle.unref();
  }

  private finish(id: number): Waiter | undefined {
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    const dir = this.jobDir.get(id);
    this.jobDir.delete(id);
    const d = dir === undefined ? undefined : this.dirs.get(dir);
    if (d && --d.n <= 0) this.dirs.delete(dir!);
    return w;
  }
}

let shared: FileWriterPool | undefined;

/** The process-wide pool (workers start on first use and never keep the process alive when idle). */
export function sharedFileWriter(): FileWriterPool {
  shared ??= new FileWriterPool();
  return shared;
}
