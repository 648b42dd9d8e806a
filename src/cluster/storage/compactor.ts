// Periodic compaction of etcd history. Like the kube-apiserver (every 5 minutes), each tick compacts to the
// revision seen at the previous tick, so at least one interval of history stays available for watches to
// resume from; `minRetainedRevisions` additionally keeps a number of recent revisions however quiet it is.
// With several API servers on one etcd each compacts independently; that is harmless (compaction is
// idempotent and only ever moves forward).

/** What the compactor needs from the store. */
export interface CompactionTarget {
  currentRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
}

export interface CompactorOptions {
  store: CompactionTarget;
  /** Time between ticks (default 5 minutes). */
  intervalMs?: number;
  /** Never compact within this many revisions of the current one (default 0). */
  minRetainedRevisions?: number;
  /** Called after each compaction (for logs and tests). */
  onCompact?: (revision: number) => void;
  onError?: (err: unknown) => void;
  /** Injected timers for tests. */
  setInterval?: (fn: () => void, ms: number) => { unref?(): void };
  clearInterval?: (handle: unknown) => void;
}

export interface Compactor {
  /** One tick now: records the current revision and compacts to the previous tick's; returns the revision compacted to, if any. */
  tick(): Promise<number | undefined>;
  /** The revision last compacted to (0 if none). */
  readonly compacted: number;
  stop(): void;
}

/** Starts compacting every intervalMs. */
export function startCompactor(opts: CompactorOptions): Compactor {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const retain = Math.max(0, opts.minRetainedRevisions ?? 0);
  let previous = 0; // the revision observed at the previous tick
  let compacted = 0;
  let running: Promise<number | undefined> | undefined;

  const once = async (): Promise<number | undefined> => {
    const current = await opts.store.currentRevision();
    const target = Math.min(previous, current - retain);
    previous = current;
    if (target <= compacted || target <= 0) return undefined;
    await opts.store.compact(target);
    compacted = target;
    opts.onCompact?.(target);
    return target;
  };

  // Ticks never overlap: a slow compaction makes the next tick wait for it instead of racing it.
  const tick = (): Promise<number | undefined> => {
    const next = (running ?? Promise.resolve(undefined)).catch(() => undefined).then(once);
    running = next;
    return next;
  };

  const setI = opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const clearI = opts.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  const handle = setI(() => {
    tick().catch((err) => opts.onError?.(err));
  }, intervalMs);
  handle.unref?.();

  return {
    tick,
    get compacted() {
      return compacted;
    },
    stop() {
      clearI(handle);
    },
  };
}
