// create and update, with Kubernetes' semantics in kube-apiserver's order: defaults → generateName →
// system fields (uid, creationTimestamp, generation) → namespace lifecycle → admission → validation →
// managedFields → etcd. Updates are compare-and-swap on etcd's modRevision: a stale
// metadata.resourceVersion is a 409 Conflict; an update without one retries on races like Kubernetes'
// GuaranteedUpdate. An update that changes nothing writes nothing (same resourceVersion, no watch event).
import { randomUUID } from 'node:crypto';
import {
  applyDefaults,
  apiVersionOf,
  generateObjectName,
  nextGeneration,
  prepareJobForCreate,
  preserveSystemMetadata,
  validateCreate,
  validateUpdate,
  type KubeObject,
  type ResourceInfo,
} from '../resources/index.js';
import { deepEqual } from '../resources/validation/field.js';
import { isStorageError } from '../storage/errors.js';
import { rfc3339 } from './age.js';
import { fromStorage, toStorage } from './codec.js';
import { gvkOf, hasStatus, type RegistryContext, type WriteOptions } from './context.js';
import { checkNamespaceAcceptsContent } from './namespaces.js';
import { recordManagedFields } from './patching.js';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';
import { objectKey } from './storage-keys.js';
import type { AdmissionContext, UserInfo } from './types.js';

const MAX_ATTEMPTS = 8;

/** Runs every admission plugin's admit in order. */
export async function admit(ctx: RegistryContext, actx: AdmissionContext, obj: KubeObject, old: KubeObject | undefined): Promise<void> {
  for (const p of ctx.admission) await p.admit(actx, obj, old);
}

/** Gives plugins the chance to free what they reserved for obj (never throws). */
export async function release(ctx: RegistryContext, actx: AdmissionContext, obj: KubeObject): Promise<void> {
  for (const p of ctx.admission) {
    try {
      await p.release?.(actx, obj);
    } catch {
      // releasing is best effort: a leaked reservation must not turn into a failed request
    }
  }
}

function admissionContext(operation: AdmissionContext['operation'], info: ResourceInfo, user: UserInfo, dryRun: boolean, subresource?: string): AdmissionContext {
  return { operation, info, user, dryRun, ...(subresource ? { subresource } : {}) };
}

/** 400 unless the body's kind and apiVersion (when given) are the endpoint's. */
export function checkBodyType(info: ResourceInfo, body: KubeObject): void {
  const apiVersion = apiVersionOf(info);
  const hubs = info.kind === 'HorizontalPodAutoscaler' ? ['autoscaling/v1', 'autoscaling/v2'] : [apiVersion];
  if (body.apiVersion && !hubs.includes(body.apiVersion)) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (body.kind && body.kind !== info.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${info.kind})`);
  }
}

/** Creates an object (`body` in the endpoint's version); returns it as stored (or as it would be, for dry runs). */
export async function createObject(ctx: RegistryContext, info: ResourceInfo, namespace: string | undefined, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  checkBodyType(info, body);
  const gvk = gvkOf(info);
  let obj: KubeObject = { ...structuredClone(body), apiVersion: apiVersionOf(info), kind: info.kind };
  const meta = (obj.metadata ??= {});
  if (info.namespaced) {
    if (meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = namespace ?? meta.namespace;
  } else delete meta.namespace;
  for (const f of ['resourceVersion', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) delete meta[f];
  // Status is the controllers' to write; a new object starts with none (nodes report theirs on registration).
  if (hasStatus(info) && info.kind !== 'Node') delete obj.status;
  obj = applyDefaults(gvk, obj);

  const generated = !obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName !== '';
  for (let attempt = 0; ; attempt++) {
    const candidate = structuredClone(obj);
    const m = candidate.metadata;
    if (generated) m.name = generateObjectName(m.generateName);
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339(ctx.now());
    if (info.group === 'batch' && info.kind === 'Job') prepareJobForCreate(candidate, m.uid);
    const generation = nextGeneration(info, candidate);
    if (generation !== undefined) m.generation = generation;
    try {
      return await createPrepared(ctx, info, candidate, opts);
    } catch (err) {
      // A generated name that happens to be taken: draw again, as Kubernetes' clients would have to.
      if (generated && attempt < 4 && (err as { reason?: string }).reason === 'AlreadyExists') continue;
      throw err;
    }
  }
}

async function createPrepared(ctx: RegistryContext, info: ResourceInfo, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  const name: string = obj.metadata.name ?? '';
  const namespace: string | undefined = obj.metadata.namespace;
  await checkNamespaceAcceptsContent(ctx, info, namespace, name);
  const actx = admissionContext('CREATE', info, opts.user, !!opts.dryRun);
  await admit(ctx, actx, obj, undefined);
  try {
    const causes = validateCreate(gvkOf(info), obj);
    if (causes.length) throw invalid(gvkOf(info), name, causes);
    let final = obj;
    if (opts.fieldManager) final = recordManagedFields(undefined, obj, { manager: opts.fieldManager, gvk: gvkOf(info), now: ctx.now() });
    if (opts.dryRun) return final;
    try {
      const stored = await ctx.store.create(objectKey(info, namespace, name), toStorage(info, final));
      return fromStorage(info, stored);
    } catch (err) {
      if (isStorageError(err, 'AlreadyExists')) throw alreadyExists(info, name);
      throw err;
    }
  } catch (err) {
    if (!opts.dryRun) await release(ctx, actx, obj);
    throw err;
  }
}

export type Subresource = '' | 'status' | 'finalize';

export interface UpdateOptions extends WriteOptions {
  subresource?: Subresource;
  /** The subresource managedFields record the write under (`status`, `scale`); default: the endpoint's. */
  managedAs?: string;
  /** When the object does not exist: the object to create instead (server-side apply), or undefined for a 404. */
  createIfMissing?: () => Promise<KubeObject | undefined>;
}

export interface UpdateOutcome {
  object: KubeObject;
  created: boolean;
  /** The update removed the last finalizer of an object being deleted, so it is gone. */
  deleted?: boolean;
}

const META_FROM_OLD_ON_STATUS = ['labels', 'annotations', 'finalizers', 'ownerReferences', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'];

/** 400 when an update body names another object than the URL. */
export function checkIdentity(info: ResourceInfo, next: KubeObject, current: KubeObject): void {
  const meta = next?.metadata ?? {};
  const old = current.metadata ?? {};
  if (meta.name !== undefined && meta.name !== '' && meta.name !== old.name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${old.name})`);
  }
  if (info.namespaced && meta.namespace && meta.namespace !== old.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** What an update is allowed to change, per endpoint (main resource, `status`, namespace `finalize`). */
export function restrictUpdate(info: ResourceInfo, subresource: Subresource, next: KubeObject, current: KubeObject): KubeObject {
  checkIdentity(info, next, current);
  const out: KubeObject = { ...structuredClone(next), apiVersion: current.apiVersion, kind: current.kind };
  const meta = (out.metadata ??= {});
  const old = current.metadata ?? {};
  meta.name = old.name;
  if (info.namespaced) meta.namespace = old.namespace;
  else delete meta.namespace;
  if (meta.uid && old.uid && meta.uid !== old.uid) {
    throw conflict(info, old.name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.uid}`);
  }
  if (meta.managedFields === undefined && old.managedFields !== undefined) meta.managedFields = structuredClone(old.managedFields);

  if (subresource === 'status') {
    const { status, metadata } = out;
    const result: KubeObject = structuredClone(current);
    result.metadata = { ...metadata };
    for (const f of META_FROM_OLD_ON_STATUS) {
      if (old[f] === undefined) delete result.metadata[f];
      else result.metadata[f] = structuredClone(old[f]);
    }
    if (status === undefined) delete result.status;
    else result.status = status;
    return result;
  }
  if (subresource === 'finalize') {
    const result: KubeObject = structuredClone(current);
    result.spec = { ...(result.spec ?? {}), finalizers: Array.isArray(out.spec?.finalizers) ? out.spec.finalizers : [] };
    return result;
  }
  if (hasStatus(info)) {
    if (current.status === undefined) delete out.status;
    else out.status = structuredClone(current.status);
  }
  if (info.group === '' && info.kind === 'Namespace') {
    out.spec = { ...(out.spec ?? {}) };
    if (current.spec?.finalizers === undefined) delete out.spec.finalizers;
    else out.spec.finalizers = structuredClone(current.spec.finalizers);
  }
  return out;
}

/** Whether an update finishes a deletion: the last finalizer went away from an object marked for deletion. */
function finishesDeletion(info: ResourceInfo, next: KubeObject, current: KubeObject): boolean {
  const meta = next.metadata ?? {};
  if (!meta.deletionTimestamp) return false;
  if ((meta.finalizers ?? []).length > 0) return false;
  if (info.group === '' && info.kind === 'Namespace') return (next.spec?.finalizers ?? []).length === 0;
  if ((current.metadata?.finalizers ?? []).length === 0) return false;
  // A pod still inside its grace period is the node agent's to remove.
  return !(meta.deletionGracePeriodSeconds > 0);
}

// Whether an update changes anything: managedFields count (server-side apply may change only ownership);
// timestamps in them are only written together with a change, so a repeated write stays a no-op.
const comparable = (o: KubeObject): KubeObject => {
  const { resourceVersion: _r, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
};

/**
 * Updates one object: `mutate` turns the current object into the desired one (for PUT, the request body;
 * for PATCH, the patched object). A resourceVersion in the result must match the current one (409 otherwise).
 */
export async function updateObject(
  ctx: RegistryContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  opts: UpdateOptions,
): Promise<UpdateOutcome> {
  const key = objectKey(info, namespace, name);
  const gvk = gvkOf(info);
  const subresource = opts.subresource ?? '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await ctx.store.get(key);
    if (!stored) {
      const toCreate = opts.createIfMissing ? await opts.createIfMissing() : undefined;
      if (!toCreate) throw notFound(info, name);
      return { object: await createObject(ctx, info, namespace, toCreate, opts), created: true };
    }
    const current = fromStorage(info, stored);
    const desired = await mutate(structuredClone(current));
    if (!desired || typeof desired !== 'object' || Array.isArray(desired)) throw badRequest('the request body must be a JSON object');
    checkIdentity(info, desired, current);
    const rv = desired.metadata?.resourceVersion;
    const preconditioned = rv !== undefined && rv !== '';
    if (preconditioned && rv !== current.metadata.resourceVersion) throw conflict(info, name);

    let next = restrictUpdate(info, subresource, desired, current);
    next = applyDefaults(gvk, next);
    preserveSystemMetadata(info, next, current);
    const actx = admissionContext('UPDATE', info, opts.user, !!opts.dryRun, subresource || undefined);
    await admit(ctx, actx, next, current);
    const causes = validateUpdate(gvk, next, current);
    if (causes.length) throw invalid(gvk, name, causes);
    if (deepEqual(comparable(next), comparable(current))) return { object: current, created: false };
    if (opts.fieldManager) next = recordManagedFields(current, next, { manager: opts.fieldManager, gvk, now: ctx.now(), ...(opts.managedAs ?? subresource ? { subresource: opts.managedAs ?? subresource } : {}) });

    const finishing = finishesDeletion(info, next, current);
    if (opts.dryRun) return { object: { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } }, created: false, ...(finishing ? { deleted: true } : {}) };
    try {
      if (finishing) {
        const gone = await ctx.store.delete(key, stored.modRevision);
        await release(ctx, admissionContext('DELETE', info, opts.user, false), current);
        return { object: fromStorage(info, { value: toStorage(info, next), modRevision: gone.modRevision }), created: false, deleted: true };
      }
      const written = await ctx.store.update(key, toStorage(info, next), stored.modRevision);
      return { object: fromStorage(info, written), created: false };
    } catch (err) {
      if (isStorageError(err, 'NotFound')) throw notFound(info, name);
      if (!isStorageError(err, 'Conflict')) throw err;
      if (preconditioned) throw conflict(info, name);
      // Lost a race without a precondition: read again and retry, as Kubernetes' GuaranteedUpdate does.
    }
  }
  throw conflict(info, name);
}
