// An in-memory ClusterClient with the API semantics the controllers rely on: uid and resourceVersion on
// writes, optimistic concurrency (409 on a stale resourceVersion), finalizers (delete only marks an object
// that has some; Foreground/Orphan add `foregroundDeletion`/`orphan`; an update that empties the finalizers
// of a deleting object removes it), delete preconditions, and watch events in order.
import { ApiError, type ClusterClient, type GroupVersionResourceRef, type WatchEventOut } from '../../../../src/cluster/api/types.js';
import type { KubeObject } from '../../../../src/cluster/resources/types.js';

type Watcher = { gvr: string; namespace: string | undefined; send: (e: WatchEventOut) => void };

const gvrKey = (g: GroupVersionResourceRef) => `${g.group}/${g.resource}`;

export class FakeClusterClient implements ClusterClient {
  readonly objects = new Map<string, KubeObject>(); // gvr|ns|name → object
  readonly log: string[] = [];
  private rv = 1;
  private uid = 0;
  private watchers = new Set<Watcher>();
  /** Events per resource with their revision, for watches from a resourceVersion. */
  private history: Array<{ gvr: string; rv: number; event: WatchEventOut }> = [];

  private key(gvr: GroupVersionResourceRef, ns: string | undefined, name: string) {
    return `${gvrKey(gvr)}|${ns ?? ''}|${name}`;
  }

  private emit(gvr: GroupVersionResourceRef, type: WatchEventOut['type'], obj: KubeObject) {
    const event = { type, object: structuredClone(obj) };
    this.history.push({ gvr: gvrKey(gvr), rv: Number(obj.metadata.resourceVersion), event });
    for (const w of this.watchers) {
      if (w.gvr === gvrKey(gvr) && (!w.namespace || w.namespace === obj.metadata.namespace)) w.send(structuredClone(event));
    }
  }

  /** Test helper: store an object directly (as if created by someone). */
  seed(gvr: GroupVersionResourceRef, obj: KubeObject): KubeObject {
    const o = structuredClone(obj);
    o.metadata.uid ??= `uid-${++this.uid}`;
    o.metadata.resourceVersion = String(++this.rv);
    this.objects.set(this.key(gvr, o.metadata.namespace, o.metadata.name), o);
    this.emit(gvr, 'ADDED', o);
    return structuredClone(o);
  }

  async get(gvr: GroupVersionResourceRef, ns: string | undefined, name: string) {
    const o = this.objects.get(this.key(gvr, ns, name));
    return o ? structuredClone(o) : undefined;
  }

  async list(gvr: GroupVersionResourceRef, ns?: string) {
    const items = [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(`${gvrKey(gvr)}|`) && (!ns || o.metadata.namespace === ns))
      .map(([, o]) => structuredClone(o));
    return { items, resourceVersion: String(this.rv) };
  }

  async create(gvr: GroupVersionResourceRef, ns: string | undefined, obj: KubeObject) {
    const k = this.key(gvr, ns, obj.metadata.name);
    if (this.objects.has(k)) throw new ApiError(409, 'AlreadyExists', `${gvr.resource} "${obj.metadata.name}" already exists`);
    this.log.push(`create ${gvr.resource} ${obj.metadata.name}`);
    return this.seed(gvr, { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
  }

  async update(gvr: GroupVersionResourceRef, ns: string | undefined, obj: KubeObject, subresource?: string) {
    const k = this.key(gvr, ns, obj.metadata.name);
    const cur = this.objects.get(k);
    if (!cur) throw new ApiError(404, 'NotFound', `${gvr.resource} "${obj.metadata.name}" not found`);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    }
    this.log.push(`update${subresource ? `/${subresource}` : ''} ${gvr.resource} ${obj.metadata.name}`);
    const next = structuredClone(obj);
    next.metadata.uid = cur.metadata.uid;
    next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
    if (!next.metadata.deletionTimestamp) delete next.metadata.deletionTimestamp;
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && !this.held(gvr, next)) {
      this.objects.delete(k);
      this.emit(gvr, 'DELETED', next);
      return next;
    }
    this.objects.set(k, next);
    this.emit(gvr, 'MODIFIED', next);
    return structuredClone(next);
  }

  /** Whether finalizers hold a deleting object (a namespace's spec.finalizers count too). */
  private held(gvr: GroupVersionResourceRef, o: KubeObject): boolean {
    return (o.metadata.finalizers?.length ?? 0) > 0 || (gvr.resource === 'namespaces' && (o.spec?.finalizers?.length ?? 0) > 0);
  }

  async delete(gvr: GroupVersionResourceRef, ns: string | undefined, name: string, opts: { propagationPolicy?: string; preconditions?: { uid?: string } } = {}) {
    const k = this.key(gvr, ns, name);
    const cur = this.objects.get(k);
    if (!cur) throw new ApiError(404, 'NotFound', `${gvr.resource} "${name}" not found`);
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) throw new ApiError(409, 'Conflict', 'Precondition failed: UID');
    this.log.push(`delete ${gvr.resource} ${name}${opts.propagationPolicy ? ` ${opts.propagationPolicy}` : ''}`);
    const next = structuredClone(cur);
    const fin: string[] = next.metadata.finalizers ?? [];
    if (opts.propagationPolicy === 'Foreground' && !fin.includes('foregroundDeletion')) fin.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !fin.includes('orphan')) fin.push('orphan');
    next.metadata.resourceVersion = String(++this.rv);
    if (fin.length) next.metadata.finalizers = fin;
    if (this.held(gvr, next)) {
      next.metadata.deletionTimestamp ??= '2024-01-01T00:00:00Z';
      this.objects.set(k, next);
      this.emit(gvr, 'MODIFIED', next);
      return structuredClone(next);
    }
    this.objects.delete(k);
    this.emit(gvr, 'DELETED', next);
    return next;
  }

  watch(gvr: GroupVersionResourceRef, ns: string | undefined, resourceVersion: string, onEvent: (e: WatchEventOut) => void, _onError?: (err: Error) => void): () => void {
    const from = Number(resourceVersion || this.rv);
    for (const h of this.history) {
      if (h.gvr === gvrKey(gvr) && h.rv > from && (!ns || h.event.object.metadata.namespace === ns)) onEvent(structuredClone(h.event));
    }
    const w: Watcher = { gvr: gvrKey(gvr), namespace: ns, send: onEvent };
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  /** Objects of a resource, by name. */
  names(gvr: GroupVersionResourceRef, ns?: string): string[] {
    return [...this.objects.entries()].filter(([k, o]) => k.startsWith(`${gvrKey(gvr)}|`) && (!ns || o.metadata.namespace === ns)).map(([, o]) => o.metadata.name).sort();
  }
}
