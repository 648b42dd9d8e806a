// Namespace deletion, as Kubernetes' namespace controller does it: a deleted namespace keeps existing,
// Terminating, while everything in it is deleted; once nothing is left, the `kubernetes` finalizer is
// removed from spec.finalizers (the `finalize` subresource) and the namespace is deleted for good.
// Objects with finalizers of their own keep the namespace Terminating until their finalizers are done.
import type { ClusterClient, GroupVersionResourceRef } from '../api/types.js';
import type { KubeObject, ResourceInfo } from '../resources/types.js';
import { Informer } from './informer.js';
import { gvrOf, storedResources } from './resources.js';
import { WorkQueue } from './work-queue.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
const NAMESPACES: GroupVersionResourceRef = { group: '', version: 'v1', resource: 'namespaces' };

export interface NamespaceLifecycleOptions {
  client: ClusterClient;
  /** Namespaced resources to empty (default: every stored namespaced resource). */
  resources?: ResourceInfo[];
  log?: (message: string) => void;
  /** How soon to look again while objects are still going away (default 1 s). */
  recheckMs?: number;
}

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;

/** spec.finalizers without `kubernetes` (undefined when it was not there). */
export function withoutNamespaceFinalizer(ns: KubeObject): KubeObject | undefined {
  const list: unknown[] = Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers : [];
  if (!list.includes(NAMESPACE_FINALIZER)) return undefined;
  const copy = structuredClone(ns);
  copy.spec.finalizers = list.filter((f) => f !== NAMESPACE_FINALIZER);
  return copy;
}

/** Whether a namespace has no finalizers left, in spec or metadata. */
export function namespaceFinalized(ns: KubeObject): boolean {
  const spec = Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers.length : 0;
  const meta = Array.isArray(ns.metadata?.finalizers) ? ns.metadata.finalizers.length : 0;
  return spec === 0 && meta === 0;
}

/** The namespace lifecycle controller. */
export class NamespaceLifecycle {
  private readonly informer: Informer;
  private readonly queue: WorkQueue;
  private readonly resources: ResourceInfo[];

  constructor(private readonly opts: NamespaceLifecycleOptions) {
    this.resources = opts.resources ?? storedResources((r) => r.namespaced && r.verbs.includes('delete'));
    this.queue = new WorkQueue({
      process: (name) => this.process(name),
      concurrency: 1,
      onError: (name, err) => opts.log?.(`namespace controller: ${name}: ${(err as Error).message}`),
    });
    const consider = (ns: KubeObject) => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(String(ns.metadata.name));
    };
    this.informer = new Informer({
      client: opts.client,
      gvr: NAMESPACES,
      ...(opts.log ? { log: opts.log } : {}),
      onAdd: consider,
      onUpdate: (_old, ns) => consider(ns),
    });
  }

  /** Starts watching namespaces; resolves once they have been listed. */
  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  /** Resolves when no work is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.informer.stop();
    this.queue.stop();
  }

  private async process(name: string): Promise<void | number> {
    const { client } = this.opts;
    let ns = await client.get(NAMESPACES, undefined, name);
    if (!ns || !ns.metadata?.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await client.update(NAMESPACES, undefined, { ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating' } }, 'status');
    }
    const remaining = await this.deleteContents(name);
    if (remaining > 0) return this.opts.recheckMs ?? 1000;
    const finalized = withoutNamespaceFinalizer(ns!);
    if (finalized) {
      this.opts.log?.(`namespace ${name}: empty, finalizing`);
      ns = await client.update(NAMESPACES, undefined, finalized, 'finalize');
    }
    // Deleting again removes it now that nothing holds it (a no-op if the API server already did).
    if (ns && namespaceFinalized(ns)) {
      try {
        await client.delete(NAMESPACES, undefined, name, { preconditions: { uid: ns.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
      }
    }
  }

  /** Deletes what is left in the namespace; returns how many objects still exist afterwards. */
  private async deleteContents(namespace: string): Promise<number> {
    const { client } = this.opts;
    let remaining = 0;
    for (const info of this.resources) {
      const gvr = gvrOf(info);
      const { items } = await client.list(gvr, namespace);
      let left = 0;
      for (const obj of items) {
        if (!obj.metadata?.deletionTimestamp) {
          try {
            const after = await client.delete(gvr, namespace, obj.metadata.name, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
            // An object with finalizers is only marked; count it until it is really gone.
            if (after?.metadata?.deletionTimestamp && after.metadata.uid === obj.metadata.uid) left++;
          } catch (err) {
            if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
          }
        } else left++;
      }
      remaining += left;
    }
    return remaining;
  }
}
