// delete and deletecollection with Kubernetes' semantics: preconditions (uid, resourceVersion), propagation
// policies expressed as finalizers the garbage collector acts on (Foreground → `foregroundDeletion`, Orphan →
// `orphan`; Background deletes now and leaves dependents to the collector), objects with finalizers only
// marked (deletionTimestamp) until their finalizers are gone, namespaces marked Terminating until their
// `spec.finalizers` are cleared, and scheduled pods given their grace period for the node agent to stop them.
import type { KubeObject, ResourceInfo } from '../resources/index.js';
import { isStorageError } from '../storage/errors.js';
import { rfc3339 } from './age.js';
import { fromStorage, toStorage } from './codec.js';
import type { RegistryContext, WriteOptions } from './context.js';
import { admit, release } from './registry-write.js';
import { listObjects, type ListQuery } from './registry-read.js';
import { badRequest, conflict, notFound } from './status.js';
import { objectKey } from './storage-keys.js';
import type { AdmissionContext } from './types.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** metav1.DeleteOptions, as far as they matter here. */
export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteOutcome {
  /** The object as deleted (its last state), or as marked for deletion. */
  object: KubeObject;
  /** True when the object is gone; false when it was only marked (finalizers or grace period pending). */
  deleted: boolean;
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
const MAX_ATTEMPTS = 8;

/** Checks and normalizes DeleteOptions from a request body or query (400 on nonsense). */
export function parseDeleteOptions(raw: KubeObject | undefined): DeleteOptions {
  const o: DeleteOptions = {};
  if (!raw) return o;
  const policy = raw.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(`DeleteOptions.propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    o.propagationPolicy = policy;
  }
  if (typeof raw.orphanDependents === 'boolean') {
    if (o.propagationPolicy) throw badRequest('DeleteOptions.propagationPolicy: Invalid value: "' + o.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set');
    o.orphanDependents = raw.orphanDependents;
  }
  if (raw.gracePeriodSeconds !== undefined && raw.gracePeriodSeconds !== null) {
    const g = Number(raw.gracePeriodSeconds);
    if (!Number.isInteger(g)) throw badRequest('DeleteOptions.gracePeriodSeconds must be an integer');
    o.gracePeriodSeconds = g;
  }
  if (raw.preconditions && typeof raw.preconditions === 'object') o.preconditions = { ...raw.preconditions };
  return o;
}

/** The policy a delete uses: explicit, else from orphanDependents, else the kind's default (Jobs orphan). */
export function effectivePolicy(info: ResourceInfo, o: DeleteOptions): PropagationPolicy {
  if (o.propagationPolicy) return o.propagationPolicy;
  if (o.orphanDependents !== undefined) return o.orphanDependents ? 'Orphan' : 'Background';
  return info.group === 'batch' && info.kind === 'Job' ? 'Orphan' : 'Background';
}

/** The finalizers after applying a policy: Foreground and Orphan add theirs; each removes the other's. */
export function finalizersFor(current: string[], policy: PropagationPolicy, explicit: boolean): string[] {
  let out = [...current];
  if (policy === 'Foreground') out = [...out.filter((f) => f !== ORPHAN), ...(out.includes(FOREGROUND) ? [] : [FOREGROUND])];
  else if (policy === 'Orphan') out = [...out.filter((f) => f !== FOREGROUND), ...(out.includes(ORPHAN) ? [] : [ORPHAN])];
  else if (explicit) out = out.filter((f) => f !== ORPHAN && f !== FOREGROUND);
  return out;
}

function checkPreconditions(info: ResourceInfo, current: KubeObject, o: DeleteOptions): void {
  const p = o.preconditions;
  const meta = current.metadata ?? {};
  if (p?.uid && p.uid !== meta.uid) {
    throw conflict(info, meta.name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${meta.uid}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== meta.resourceVersion) {
    throw conflict(info, meta.name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
  }
}

/** Deletes (or marks for deletion) one object. */
export async function deleteObject(
  ctx: RegistryContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  o: DeleteOptions,
  opts: WriteOptions,
): Promise<DeleteOutcome> {
  const key = objectKey(info, namespace, name);
  const actx: AdmissionContext = { operation: 'DELETE', info, user: opts.user, dryRun: !!opts.dryRun };
  let admitted = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await ctx.store.get(key);
    if (!stored) throw notFound(info, name);
    const current = fromStorage(info, stored);
    checkPreconditions(info, current, o);
    if (!admitted) {
      await admit(ctx, actx, current, current);
      admitted = true;
    }
    const marked = markForDeletion(ctx, info, current, o);
    try {
      if (marked) {
        if (opts.dryRun) return { object: marked, deleted: false };
        const written = await ctx.store.update(key, toStorage(info, marked), stored.modRevision);
        return { object: fromStorage(info, written), deleted: false };
      }
      if (opts.dryRun) return { object: current, deleted: true };
      await ctx.store.delete(key, stored.modRevision);
      await release(ctx, actx, current);
      return { object: current, deleted: true };
    } catch (err) {
      if (isStorageError(err, 'NotFound')) throw notFound(info, name);
      if (!isStorageError(err, 'Conflict')) throw err;
      if (o.preconditions?.resourceVersion) throw conflict(info, name);
    }
  }
  throw conflict(info, name);
}

/**
 * The object marked for deletion, or undefined when it can be removed right away. Marking sets
 * deletionTimestamp (once) and the policy's finalizers; unchanged marks are returned as they are.
 */
function markForDeletion(ctx: RegistryContext, info: ResourceInfo, current: KubeObject, o: DeleteOptions): KubeObject | undefined {
  const next = structuredClone(current);
  const meta = next.metadata;
  const now = ctx.now();
  const policy = effectivePolicy(info, o);
  meta.finalizers = finalizersFor(meta.finalizers ?? [], policy, o.propagationPolicy !== undefined || o.orphanDependents !== undefined);
  if (meta.finalizers.length === 0) delete meta.finalizers;

  if (info.group === '' && info.kind === 'Namespace') {
    const pending = (next.spec?.finalizers ?? []).length > 0 || (meta.finalizers ?? []).length > 0;
    if (!pending) return undefined;
    meta.deletionTimestamp ??= rfc3339(now);
    meta.deletionGracePeriodSeconds ??= 0;
    next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return next;
  }

  if (info.group === '' && info.kind === 'Pod') {
    const grace = podGracePeriod(current, o);
    if (grace > 0) {
      // Scheduled pods get their grace period: the node agent stops the containers, then deletes with 0.
      const deadline = rfc3339(new Date(now.getTime() + grace * 1000));
      if (!meta.deletionTimestamp || meta.deletionGracePeriodSeconds > grace) {
        meta.deletionTimestamp = deadline;
        meta.deletionGracePeriodSeconds = grace;
      }
      return next;
    }
    if (meta.deletionGracePeriodSeconds > 0) meta.deletionGracePeriodSeconds = 0;
  }

  if ((meta.finalizers ?? []).length === 0) return undefined;
  meta.deletionTimestamp ??= rfc3339(now);
  meta.deletionGracePeriodSeconds ??= 0;
  return next;
}

/** A pod's grace period: 0 for pods no node runs (nothing to stop) and for terminal pods. */
function podGracePeriod(pod: KubeObject, o: DeleteOptions): number {
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const requested = o.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  // 0 removes the pod now (kubectl sends it only with --force; the node agent uses it once containers stopped).
  return Math.max(0, requested);
}

/** Deletes every object a list query selects; returns what was deleted or marked. */
export async function deleteCollection(
  ctx: RegistryContext,
  info: ResourceInfo,
  namespace: string | undefined,
  q: ListQuery,
  o: DeleteOptions,
  opts: WriteOptions,
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const listed = await listObjects(ctx, info, namespace, { labelSelector: q.labelSelector ?? null, fieldSelector: q.fieldSelector ?? null });
  const items: KubeObject[] = [];
  for (const obj of listed.items) {
    try {
      const r = await deleteObject(ctx, info, obj.metadata?.namespace, obj.metadata.name, o, opts);
      items.push(r.object);
    } catch (err) {
      if ((err as { reason?: string }).reason === 'NotFound') continue; // deleted meanwhile
      throw err;
    }
  }
  return { items, resourceVersion: listed.resourceVersion };
}
