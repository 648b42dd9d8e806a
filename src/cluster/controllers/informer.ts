// List-then-watch over the in-process ClusterClient, with a local cache: the building block of every
// controller (and of the RBAC cache). After a watch ends (410 Expired after compaction, etcd restart…) it
// relists and turns the difference with its cache into add/update/delete callbacks, so handlers see a
// consistent stream and never a gap.
import type { ClusterClient, GroupVersionResourceRef, WatchEventOut } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';

export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(old: KubeObject, obj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions extends InformerHandlers {
  client: ClusterClient;
  gvr: GroupVersionResourceRef;
  namespace?: string;
  /** Reduces what the cache keeps (e.g. metadata only); applied before handlers see the object. */
  transform?: (obj: KubeObject) => KubeObject;
  /** Delay before relisting after a failure (default 1 s, doubling to 30 s). */
  relistDelayMs?: number;
  log?: (message: string) => void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : String(obj.metadata?.name);
}

/** A cached list-and-watch of one resource. */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private stopWatch: (() => void) | undefined;
  private timer: unknown;
  private stopped = false;
  private started = false;
  private generation = 0; // bumps per (re)list: events of an abandoned watch are ignored
  private failures = 0;
  private resolveSynced!: () => void;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  private isSynced = false;

  constructor(private readonly opts: InformerOptions) {
    this.synced = new Promise((r) => (this.resolveSynced = r));
  }

  /** Starts listing and watching (once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.relist();
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /** Every cached object. */
  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** A cached object by namespace and name. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.stopWatch?.();
    this.stopWatch = undefined;
    if (this.timer !== undefined) (this.opts.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.stopWatch?.();
    this.stopWatch = undefined;
    let listed: { items: KubeObject[]; resourceVersion: string };
    try {
      listed = await this.opts.client.list(this.opts.gvr, this.opts.namespace);
    } catch (err) {
      this.retry(`list ${this.opts.gvr.resource} failed: ${(err as Error).message}`);
      return;
    }
    if (this.stopped || gen !== this.generation) return;
    this.replace(listed.items);
    this.failures = 0;
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
    this.stopWatch = this.opts.client.watch(
      this.opts.gvr,
      this.opts.namespace,
      listed.resourceVersion,
      (e) => gen === this.generation && this.onEvent(e),
      (err) => gen === this.generation && this.retry(`watch ${this.opts.gvr.resource} ended: ${err.message}`),
    );
  }

  private retry(why: string): void {
    if (this.stopped) return;
    this.generation++;
    this.stopWatch?.();
    this.stopWatch = undefined;
    const base = this.opts.relistDelayMs ?? 1000;
    const delay = Math.min(base * 2 ** this.failures, 30_000);
    this.failures++;
    this.opts.log?.(`${why}; relisting in ${delay} ms`);
    const setT = this.opts.setTimeout ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.timer = setT(() => {
      this.timer = undefined;
      void this.relist();
    }, delay);
  }

  private onEvent(e: WatchEventOut): void {
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(e.object);
        break;
      case 'DELETED': {
        const obj = this.shape(e.object);
        const key = objectKey(obj);
        const last = this.cache.get(key) ?? obj;
        this.cache.delete(key);
        this.opts.onDelete?.(e.object.metadata ? obj : last);
        break;
      }
      case 'ERROR':
        this.retry(`watch ${this.opts.gvr.resource}: ${e.object?.message ?? 'error event'}`);
        break;
      default:
        break; // BOOKMARK: nothing to do, the next list starts fresh anyway
    }
  }

  private shape(obj: KubeObject): KubeObject {
    return this.opts.transform ? this.opts.transform(obj) : obj;
  }

  private upsert(raw: KubeObject): void {
    const obj = this.shape(raw);
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) this.opts.onAdd?.(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion || old.metadata?.uid !== obj.metadata?.uid) {
      this.opts.onUpdate?.(old, obj);
    }
  }

  /** Makes the cache equal to a fresh list, reporting the differences. */
  private replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.shape(raw);
      seen.add(objectKey(obj));
      const old = this.cache.get(objectKey(obj));
      if (old && old.metadata?.uid !== obj.metadata?.uid) {
        // Deleted and recreated while we were not watching: two events, as a watch would have shown.
        this.cache.delete(objectKey(obj));
        this.opts.onDelete?.(old);
      }
      this.upsert(raw);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.opts.onDelete?.(old);
    }
  }
}
