// The garbage collector: watches every stored resource (metadata only), keeps an index owner uid →
// dependents, and applies gc-logic's decisions through the in-process client. Work is level-triggered: a
// queue item names an object, and processing re-reads it (and its owners) fresh from the API, so a stale
// index can delay work but never make a wrong deletion.
import type { ClusterClient } from '../api/types.js';
import type { KubeObject, ResourceInfo } from '../resources/types.js';
import {
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  decideDependent,
  decideOwner,
  finalizers,
  isDeleting,
  ownerReferences,
  ownerState,
  withoutFinalizer,
  withoutOwnerReferences,
  type OwnerState,
} from './gc-logic.js';
import { Informer } from './informer.js';
import { gvrOf, resourceForReference, storedResources } from './resources.js';
import { WorkQueue } from './work-queue.js';

export interface GarbageCollectorOptions {
  client: ClusterClient;
  /** Resources to watch (default: every stored resource). */
  resources?: ResourceInfo[];
  log?: (message: string) => void;
  /** How often every dependent is checked again, as a safety net (default 5 minutes). */
  resyncMs?: number;
  workers?: number;
}

interface Location {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

const SEP = '\u0000';
const keyOf = (kind: 'dep' | 'own', loc: Location, uid = '') =>
  [kind, loc.info.group, loc.info.resource, loc.namespace ?? '', loc.name, uid].join(SEP);

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;
const isConflict = (err: unknown) => (err as { code?: number }).code === 409;

/** Strips an object to what the collector needs, so watching everything stays cheap. */
function metadataOnly(info: ResourceInfo, obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  return {
    apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
    kind: info.kind,
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.ownerReferences ? { ownerReferences: m.ownerReferences } : {}),
      ...(m.finalizers ? { finalizers: m.finalizers } : {}),
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
  };
}

/** The garbage collector controller. */
export class GarbageCollector {
  private readonly client: ClusterClient;
  private readonly resources: ResourceInfo[];
  private readonly byResource = new Map<string, ResourceInfo>();
  private readonly informers: Informer[] = [];
  private readonly queue: WorkQueue;
  /** owner uid → dependent item key → where the dependent lives. */
  private readonly dependents = new Map<string, Map<string, Location>>();
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly opts: GarbageCollectorOptions) {
    this.client = opts.client;
    this.resources = opts.resources ?? storedResources();
    for (const r of this.resources) this.byResource.set(`${r.group}/${r.resource}`, r);
    this.queue = new WorkQueue({
      process: (key) => this.process(key),
      concurrency: opts.workers ?? 2,
      onError: (key, err) => opts.log?.(`garbage collector: ${key.split(SEP).slice(1).filter(Boolean).join('/')}: ${(err as Error).message}`),
    });
  }

  /** Starts watching; resolves once every resource has been listed (then the initial sweep is queued). */
  async start(): Promise<void> {
    for (const info of this.resources) {
      const informer = new Informer({
        client: this.client,
        gvr: gvrOf(info),
        transform: (o) => metadataOnly(info, o),
        ...(this.opts.log ? { log: this.opts.log } : {}),
        onAdd: (o) => this.observe(info, undefined, o),
        onUpdate: (old, o) => this.observe(info, old, o),
        onDelete: (o) => this.forget(info, o),
      });
      this.informers.push(informer);
      informer.start();
    }
    await Promise.all(this.informers.map((i) => i.synced));
    this.sweep();
    this.resync = setInterval(() => this.sweep(), this.opts.resyncMs ?? 300_000);
    this.resync.unref();
  }

  /** Resolves when no work is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    if (this.resync) clearInterval(this.resync);
    for (const i of this.informers) i.stop();
    this.queue.stop();
  }

  /** Queues every object with owners, and every owner awaiting the collector. */
  private sweep(): void {
    this.informers.forEach((inf, i) => {
      const info = this.resources[i]!;
      for (const o of inf.list()) {
        if (ownerReferences(o).length) this.queue.add(keyOf('dep', this.locate(info, o)));
        if (this.awaitsCollector(o)) this.queue.add(keyOf('own', this.locate(info, o), o.metadata.uid));
      }
    });
  }

  private locate(info: ResourceInfo, o: KubeObject): Location {
    return { info, namespace: info.namespaced ? o.metadata?.namespace : undefined, name: String(o.metadata?.name) };
  }

  private awaitsCollector(o: KubeObject): boolean {
    const f = finalizers(o);
    return isDeleting(o) && (f.includes(ORPHAN_FINALIZER) || f.includes(FOREGROUND_FINALIZER));
  }

  /** Where the owner a reference names lives (same namespace as the dependent when namespaced). */
  private ownerLocation(dep: Location, ref: { apiVersion?: string; kind?: string; name?: string }): Location | undefined {
    const info = resourceForReference(ref);
    if (!info || typeof ref.name !== 'string') return undefined;
    const served = this.byResource.get(`${info.group}/${info.resource}`) ?? info;
    if (served.namespaced && !dep.namespace) return undefined; // a cluster-scoped object cannot have a namespaced owner
    return { info: served, namespace: served.namespaced ? dep.namespace : undefined, name: ref.name };
  }

  private observe(info: ResourceInfo, old: KubeObject | undefined, o: KubeObject): void {
    const loc = this.locate(info, o);
    const depKey = keyOf('dep', loc);
    const refs = ownerReferences(o);
    const oldRefs = ownerReferences(old);
    for (const r of oldRefs) if (!refs.some((n) => n.uid === r.uid)) this.dependents.get(r.uid)?.delete(depKey);
    for (const r of refs) {
      let m = this.dependents.get(r.uid);
      if (!m) this.dependents.set(r.uid, (m = new Map()));
      m.set(depKey, loc);
    }
    // Only new objects and changed references need a look (not every status update of every pod); owners
    // that go away reach their dependents through forget().
    const refsChanged = !old || refs.length !== oldRefs.length || refs.some((r) => !oldRefs.some((x) => x.uid === r.uid));
    if (refs.length && refsChanged) this.queue.add(depKey);
    if (this.awaitsCollector(o)) this.queue.add(keyOf('own', loc, o.metadata.uid));
    // A dependent that lost a reference or started going away may unblock an owner in foreground deletion.
    const changed = oldRefs.filter((r) => !refs.some((n) => n.uid === r.uid));
    const touched = isDeleting(o) && !isDeleting(old) ? oldRefs.concat(refs) : changed;
    for (const r of touched) this.queueOwner(loc, r);
  }

  private forget(info: ResourceInfo, o: KubeObject): void {
    const loc = this.locate(info, o);
    const depKey = keyOf('dep', loc);
    for (const r of ownerReferences(o)) {
      this.dependents.get(r.uid)?.delete(depKey);
      if (this.dependents.get(r.uid)?.size === 0) this.dependents.delete(r.uid);
      this.queueOwner(loc, r);
    }
    // Its dependents now have an absent owner.
    for (const key of this.dependents.get(o.metadata?.uid)?.keys() ?? []) this.queue.add(key);
  }

  private queueOwner(dep: Location, ref: { apiVersion?: string; kind?: string; name?: string; uid?: string }): void {
    const loc = this.ownerLocation(dep, ref);
    if (loc && ref.uid) this.queue.add(keyOf('own', loc, ref.uid));
  }

  private async process(key: string): Promise<void | number> {
    const [kind, group, resource, namespace, name, uid] = key.split(SEP) as [string, string, string, string, string, string];
    const info = this.byResource.get(`${group}/${resource}`);
    if (!info) return;
    const loc: Location = { info, namespace: namespace || undefined, name };
    return kind === 'dep' ? this.processDependent(loc) : this.processOwner(loc, uid);
  }

  private async fetch(loc: Location): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(gvrOf(loc.info), loc.namespace, loc.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async processDependent(loc: Location, fresh?: KubeObject): Promise<void> {
    const dep = fresh ?? (await this.fetch(loc));
    if (!dep) return;
    const states = new Map<string, OwnerState>();
    for (const ref of ownerReferences(dep)) {
      const ownerLoc = this.ownerLocation(loc, ref);
      if (!ownerLoc) continue; // unknown kinds count as solid: never delete on a reference we cannot check
      states.set(ref.uid, ownerState(ref, await this.fetch(ownerLoc)));
    }
    const hasDependents = (this.dependents.get(dep.metadata?.uid)?.size ?? 0) > 0;
    const action = decideDependent(dep, states, hasDependents);
    if (action.type === 'delete') {
      this.opts.log?.(`garbage collector: deleting ${loc.info.resource} ${loc.namespace ? `${loc.namespace}/` : ''}${loc.name} (${action.propagationPolicy})`);
      try {
        await this.client.delete(gvrOf(loc.info), loc.namespace, loc.name, {
          propagationPolicy: action.propagationPolicy,
          preconditions: { uid: dep.metadata.uid },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // gone, or replaced by a new object: nothing to do
      }
    } else if (action.type === 'removeOwnerReferences') {
      const updated = withoutOwnerReferences(dep, action.uids);
      if (updated) await this.updateIgnoringGone(loc, updated);
    }
  }

  private async processOwner(loc: Location, uid: string): Promise<void | number> {
    const owner = await this.fetch(loc);
    if (!owner || owner.metadata?.uid !== uid) {
      for (const key of this.dependents.get(uid)?.keys() ?? []) this.queue.add(key);
      return;
    }
    if (!this.awaitsCollector(owner)) return;
    const current: Array<{ loc: Location; obj: KubeObject }> = [];
    for (const depLoc of this.dependents.get(uid)?.values() ?? []) {
      const obj = await this.fetch(depLoc);
      if (obj && ownerReferences(obj).some((r) => r.uid === uid)) current.push({ loc: depLoc, obj });
    }
    let action = decideOwner(owner, current.map((c) => c.obj));
    if (action.type === 'removeFinalizer') {
      // The index is fed by watches that may lag (a dependent created a moment before its owner was
      // deleted): before letting the owner go, look for dependents in the store itself.
      const found = await this.scanDependents(loc, uid);
      if (found.length) {
        current.splice(0, current.length, ...found);
        action = decideOwner(owner, found.map((c) => c.obj));
      }
    }
    switch (action.type) {
      case 'orphanDependents':
        for (const c of current) {
          const updated = withoutOwnerReferences(c.obj, [uid]);
          if (updated) await this.updateIgnoringGone(c.loc, updated);
        }
        await this.removeFinalizer(loc, uid, ORPHAN_FINALIZER);
        return;
      case 'removeFinalizer':
        await this.removeFinalizer(loc, uid, action.finalizer);
        return;
      case 'waitForDependents':
        for (const c of current) if (action.deleteFirst.includes(c.obj)) await this.processDependent(c.loc, c.obj);
        return 5000; // re-check even if a dependent's deletion event were missed
      default:
        return;
    }
  }

  /** Every object in the store that references uid (in the owner's namespace when it is namespaced). */
  private async scanDependents(owner: Location, uid: string): Promise<Array<{ loc: Location; obj: KubeObject }>> {
    const found: Array<{ loc: Location; obj: KubeObject }> = [];
    for (const info of this.resources) {
      if (owner.namespace && !info.namespaced) continue; // cluster-scoped objects cannot have namespaced owners
      const { items } = await this.client.list(gvrOf(info), owner.namespace);
      for (const obj of items) {
        if (!ownerReferences(obj).some((r) => r.uid === uid)) continue;
        const loc = this.locate(info, obj);
        found.push({ loc, obj });
        this.observe(info, undefined, metadataOnly(info, obj));
      }
    }
    return found;
  }

  private async removeFinalizer(loc: Location, uid: string, finalizer: string): Promise<void> {
    const owner = await this.fetch(loc);
    if (!owner || owner.metadata?.uid !== uid) return;
    const updated = withoutFinalizer(owner, finalizer);
    if (!updated) return;
    this.opts.log?.(`garbage collector: ${loc.info.resource} ${loc.namespace ? `${loc.namespace}/` : ''}${loc.name}: removing finalizer ${finalizer}`);
    await this.updateIgnoringGone(loc, updated);
  }

  private async updateIgnoringGone(loc: Location, obj: KubeObject): Promise<void> {
    try {
      await this.client.update(gvrOf(loc.info), loc.namespace, obj);
    } catch (err) {
      if (!isNotFound(err)) throw err; // a Conflict retries the whole item with fresh objects
    }
  }
}
