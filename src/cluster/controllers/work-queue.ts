// A keyed work queue for controllers: adding a key that is already waiting does nothing (work is
// level-triggered: the worker reads the latest state), a key is never processed by two workers at once
// (re-added while running: it runs again afterwards), and failures retry with per-key exponential backoff.

export interface WorkQueueOptions {
  /** Processes one key; a thrown error retries it later. Returning a number re-runs it after that many ms. */
  process: (key: string) => Promise<void | number>;
  /** Parallel workers (default 2). */
  concurrency?: number;
  /** First retry delay (default 100 ms), doubled per failure up to maxBackoffMs (default 10 s). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (key: string, err: unknown) => void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/** A deduplicating, retrying queue of string keys. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();
  private active = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  /** Schedules key now. */
  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Schedules key after ms (an earlier pending delay for the same key is kept). */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const setT = this.opts.setTimeout ?? ((fn, t) => setTimeout(fn, t).unref());
    this.timers.set(key, setT(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms));
  }

  /** Keys waiting or running (for tests and metrics). */
  get length(): number {
    return this.queue.length + this.running.size;
  }

  /** Resolves when nothing is queued or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    const clearT = this.opts.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    for (const t of this.timers.values()) clearT(t);
    this.timers.clear();
    this.notifyIdle();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 2;
    while (!this.stopped && this.active < limit && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.running.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const again = await this.opts.process(key);
      this.failures.delete(key);
      if (typeof again === 'number') this.addAfter(key, again);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.opts.onError?.(key, err);
      const delay = Math.min((this.opts.baseBackoffMs ?? 100) * 2 ** (n - 1), this.opts.maxBackoffMs ?? 10_000);
      this.addAfter(key, delay);
    } finally {
      this.running.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.active > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
