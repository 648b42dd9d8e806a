// Watch fan-out: one etcd watch per resource prefix, shared by any number of API watch clients. Each shared
// watcher keeps a bounded window of recent events, so a client resuming from a recent revision is replayed
// from memory. A client asking for history older than the window is served by a private etcd watch from
// its revision until that catches up with the window, then joins the shared stream (so etcd, not the cache,
// decides whether the revision was compacted: Expired → HTTP 410). Every subscriber sees every change once,
// in order: the source delivers each revision whole and in order, and a subscriber only takes events above
// its own threshold.
import { StorageError } from './errors.js';
import type { StoreWatchEvent } from './object-store.js';

/** What a subscriber receives: changes, progress marks (for BOOKMARK events), or a terminal error. */
export type CacheEvent = StoreWatchEvent | { type: 'BOOKMARK'; revision: number } | { type: 'ERROR'; error: StorageError };

/** The part of ObjectStore the cache needs. */
export interface WatchSource {
  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (e: StoreWatchEvent) => void,
    onError: (err: StorageError) => void,
    onProgress?: (revision: number) => void,
  ): () => void;
}

export interface WatchCacheOptions {
  source: WatchSource;
  /** Events kept per shared watcher for replay (default 256: values are whole objects, and memory counts). */
  windowSize?: number;
  /** Maps a subscribed prefix to the prefix watched in etcd, e.g. `/registry/pods/ns/` → `/registry/pods/`,
   *  so namespace-scoped clients share the resource's watch (default: the prefix itself). */
  watchPrefixOf?: (prefix: string) => string;
}

interface Subscriber {
  prefix: string;
  send: (e: CacheEvent) => void;
  /** Live events are delivered only above this revision. */
  after: number;
  live: boolean;
  cancelPrivate?: () => void;
  closed: boolean;
}

interface SharedWatcher {
  prefix: string;
  cancel: () => void;
  buffer: StoreWatchEvent[];
  /** The buffer holds every event above this revision (undefined until the watch knows where it starts). */
  windowStart: number | undefined;
  /** Every event up to this revision has arrived. */
  position: number;
  subscribers: Set<Subscriber>;
}

/** Shares etcd watches among subscribers, with replay and bookmarks. */
export class WatchCache {
  private readonly source: WatchSource;
  private readonly windowSize: number;
  private readonly watchPrefixOf: (prefix: string) => string;
  private readonly watchers = new Map<string, SharedWatcher>();
  private privateWatches = 0;

  constructor(opts: WatchCacheOptions) {
    this.source = opts.source;
    this.windowSize = Math.max(1, opts.windowSize ?? 256);
    this.watchPrefixOf = opts.watchPrefixOf ?? ((p) => p);
  }

  /** Sends send() every change under prefix after fromRevision (0: from now on); returns unsubscribe. */
  subscribe(prefix: string, fromRevision: number, send: (e: CacheEvent) => void): () => void {
    const w = this.watcherFor(this.watchPrefixOf(prefix), fromRevision);
    const sub: Subscriber = { prefix, send, after: 0, live: false, closed: false };
    const unsubscribe = () => {
      if (sub.closed) return;
      sub.closed = true;
      w.subscribers.delete(sub);
      this.stopPrivate(sub);
    };
    w.subscribers.add(sub);
    if (fromRevision <= 0) {
      this.goLive(sub, w.position);
    } else if (w.windowStart !== undefined && fromRevision >= w.windowStart) {
      this.replay(w, sub, fromRevision);
      this.goLive(sub, fromRevision);
    } else {
      this.backfill(w, sub, fromRevision);
    }
    return unsubscribe;
  }

  /** The revision up to which every change under prefix has been seen (undefined: not watched yet). */
  progress(prefix: string): number | undefined {
    return this.watchers.get(this.watchPrefixOf(prefix))?.position;
  }

  /** Counts for tests and metrics: shared etcd watches, private catch-up watches, subscribers. */
  stats(): { sharedWatches: number; privateWatches: number; subscribers: number } {
    let subscribers = 0;
    for (const w of this.watchers.values()) subscribers += w.subscribers.size;
    return { sharedWatches: this.watchers.size, privateWatches: this.privateWatches, subscribers };
  }

  /** Stops every watch; subscribers get no further events. */
  close(): void {
    for (const w of [...this.watchers.values()]) {
      for (const sub of w.subscribers) {
        sub.closed = true;
        this.stopPrivate(sub);
      }
      this.drop(w);
    }
  }

  private watcherFor(prefix: string, fromRevision: number): SharedWatcher {
    const existing = this.watchers.get(prefix);
    if (existing) return existing;
    const start = Math.max(0, fromRevision);
    const w: SharedWatcher = {
      prefix,
      cancel: () => undefined,
      buffer: [],
      windowStart: start > 0 ? start : undefined,
      position: start,
      subscribers: new Set(),
    };
    this.watchers.set(prefix, w);
    w.cancel = this.source.watch(
      prefix,
      start,
      (e) => this.onSharedEvent(w, e),
      (err) => this.onSharedError(w, err),
      (rev) => this.onSharedProgress(w, rev),
    );
    return w;
  }

  private onSharedEvent(w: SharedWatcher, e: StoreWatchEvent): void {
    w.buffer.push(e);
    w.position = Math.max(w.position, e.revision);
    if (w.windowStart === undefined) w.windowStart = e.revision - 1;
    if (w.buffer.length > this.windowSize) {
      const evicted = w.buffer.splice(0, w.buffer.length - this.windowSize);
      w.windowStart = evicted[evicted.length - 1]!.revision;
    }
    for (const sub of [...w.subscribers]) {
      if (sub.live && !sub.closed && e.revision > sub.after && e.object.key.startsWith(sub.prefix)) this.deliver(sub, e);
    }
  }

  private onSharedProgress(w: SharedWatcher, revision: number): void {
    if (revision < w.position) return;
    w.position = revision;
    if (w.windowStart === undefined) w.windowStart = revision;
    for (const sub of [...w.subscribers]) {
      if (sub.live && !sub.closed && revision > sub.after) this.deliver(sub, { type: 'BOOKMARK', revision });
    }
  }

  private onSharedError(w: SharedWatcher, error: StorageError): void {
    // The shared stream is over (its resume point was compacted): everyone relists, like kube's 410.
    this.drop(w);
    for (const sub of [...w.subscribers]) this.fail(sub, error);
  }

  private drop(w: SharedWatcher): void {
    if (this.watchers.get(w.prefix) === w) this.watchers.delete(w.prefix);
    w.cancel();
  }

  private fail(sub: Subscriber, error: StorageError): void {
    if (sub.closed) return;
    sub.closed = true;
    this.stopPrivate(sub);
    try {
      sub.send({ type: 'ERROR', error });
    } catch {
      // it is being dropped anyway
    }
  }

  /** Sends e to sub; a subscriber whose send throws is dropped, so it cannot break delivery to the rest. */
  private deliver(sub: Subscriber, e: CacheEvent): void {
    try {
      sub.send(e);
    } catch {
      sub.closed = true;
      this.stopPrivate(sub);
      for (const w of this.watchers.values()) w.subscribers.delete(sub);
    }
  }

  /** Sends buffered events above revision. */
  private replay(w: SharedWatcher, sub: Subscriber, revision: number): void {
    for (const e of w.buffer) {
      if (sub.closed) return;
      if (e.revision > revision && e.object.key.startsWith(sub.prefix)) this.deliver(sub, e);
    }
  }

  private goLive(sub: Subscriber, after: number): void {
    sub.after = after;
    sub.live = true;
  }

  /** Serves sub from a private watch until it reaches the shared window, then hands over to the window. */
  private backfill(w: SharedWatcher, sub: Subscriber, fromRevision: number): void {
    this.privateWatches++;
    let handedOver = false;
    const handOver = (upTo: number) => {
      handedOver = true;
      this.stopPrivate(sub);
      this.replay(w, sub, upTo);
      this.goLive(sub, Math.max(upTo, w.position));
    };
    // Hand over at a revision boundary h: the private stream has delivered every revision ≤ h and the
    // window holds every event above its start, so the window (then the live stream) continues from h.
    const reached = (h: number) => w.windowStart !== undefined && h >= w.windowStart && this.watchers.get(w.prefix) === w;
    sub.cancelPrivate = this.source.watch(
      w.prefix,
      fromRevision,
      (e) => {
        if (handedOver || sub.closed) return;
        if (reached(e.revision - 1)) return handOver(e.revision - 1);
        if (e.object.key.startsWith(sub.prefix)) this.deliver(sub, e);
      },
      (err) => !handedOver && this.fail(sub, err),
      (rev) => {
        if (handedOver || sub.closed) return;
        if (reached(rev)) handOver(rev);
      },
    );
  }

  private stopPrivate(sub: Subscriber): void {
    if (!sub.cancelPrivate) return;
    const cancel = sub.cancelPrivate;
    sub.cancelPrivate = undefined;
    this.privateWatches--;
    cancel();
  }
}
