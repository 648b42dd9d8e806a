// The garbage collector's decisions, as pure functions over objects (the controller does the I/O).
// Kubernetes' rules:
// - A dependent whose owners are all gone (or all being deleted in the foreground) is deleted; one that
//   still has a live owner only loses its references to the gone ones.
// - An owner deleted with propagationPolicy Orphan carries the `orphan` finalizer: its dependents lose their
//   reference to it, then the finalizer goes and the owner with it.
// - An owner deleted with Foreground carries `foregroundDeletion`: its dependents are deleted, and it stays
//   until no dependent that blocks it (ownerReference.blockOwnerDeletion) is left.
import type { KubeObject } from '../resources/types.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** absent: gone (or replaced by another object of that name); waiting: in foreground deletion; solid: otherwise. */
export type OwnerState = 'absent' | 'waiting' | 'solid';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export type DependentAction =
  | { type: 'none' }
  | { type: 'removeOwnerReferences'; uids: string[] }
  | { type: 'delete'; propagationPolicy: Propagation };

export type OwnerAction =
  | { type: 'none' }
  | { type: 'orphanDependents'; dependents: KubeObject[]; then: 'removeOrphanFinalizer' }
  | { type: 'removeFinalizer'; finalizer: string }
  | { type: 'waitForDependents'; deleteFirst: KubeObject[]; blocking: KubeObject[] };

/** The object's ownerReferences (well-formed ones only). */
export function ownerReferences(obj: KubeObject | undefined): OwnerReference[] {
  const refs = obj?.metadata?.ownerReferences;
  return Array.isArray(refs) ? refs.filter((r) => r && typeof r.uid === 'string' && typeof r.kind === 'string') : [];
}

/** The object's finalizers. */
export function finalizers(obj: KubeObject | undefined): string[] {
  const f = obj?.metadata?.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether the object is being deleted (has a deletionTimestamp). */
export function isDeleting(obj: KubeObject | undefined): boolean {
  return !!obj?.metadata?.deletionTimestamp;
}

/** The reference from dependent to the owner with uid, if any. */
export function referenceTo(dependent: KubeObject, uid: string): OwnerReference | undefined {
  return ownerReferences(dependent).find((r) => r.uid === uid);
}

/** What state an owner is in, given what is stored under the referenced name (undefined: nothing). */
export function ownerState(ref: OwnerReference, owner: KubeObject | undefined): OwnerState {
  if (!owner || owner.metadata?.uid !== ref.uid) return 'absent';
  if (isDeleting(owner) && finalizers(owner).includes(FOREGROUND_FINALIZER)) return 'waiting';
  return 'solid';
}

/**
 * What to do with a dependent given the state of each of its owners (by uid; an owner missing from the map
 * counts as solid, i.e. unknown owners are never grounds for deletion). hasDependents: whether the
 * dependent itself owns something (then a foreground owner's deletion continues in the foreground).
 */
export function decideDependent(dependent: KubeObject, states: Map<string, OwnerState>, hasDependents: boolean): DependentAction {
  const refs = ownerReferences(dependent);
  if (refs.length === 0 || isDeleting(dependent)) return { type: 'none' };
  const stateOf = (r: OwnerReference) => states.get(r.uid) ?? 'solid';
  const solid = refs.filter((r) => stateOf(r) === 'solid');
  const gone = refs.filter((r) => stateOf(r) !== 'solid');
  if (gone.length === 0) return { type: 'none' };
  if (solid.length > 0) return { type: 'removeOwnerReferences', uids: gone.map((r) => r.uid) };
  const waiting = gone.some((r) => stateOf(r) === 'waiting');
  if (waiting && hasDependents) return { type: 'delete', propagationPolicy: 'Foreground' };
  const own = finalizers(dependent);
  if (own.includes(ORPHAN_FINALIZER)) return { type: 'delete', propagationPolicy: 'Orphan' };
  if (own.includes(FOREGROUND_FINALIZER)) return { type: 'delete', propagationPolicy: 'Foreground' };
  return { type: 'delete', propagationPolicy: 'Background' };
}

/**
 * What to do for an owner that is being deleted, given its current dependents (objects that still
 * reference its uid). Orphaning comes first when both finalizers are present.
 */
export function decideOwner(owner: KubeObject, dependents: KubeObject[]): OwnerAction {
  if (!isDeleting(owner)) return { type: 'none' };
  const uid = String(owner.metadata?.uid ?? '');
  const own = finalizers(owner);
  const current = dependents.filter((d) => referenceTo(d, uid));
  if (own.includes(ORPHAN_FINALIZER)) {
    return current.length ? { type: 'orphanDependents', dependents: current, then: 'removeOrphanFinalizer' } : { type: 'removeFinalizer', finalizer: ORPHAN_FINALIZER };
  }
  if (own.includes(FOREGROUND_FINALIZER)) {
    const blocking = current.filter((d) => referenceTo(d, uid)?.blockOwnerDeletion === true);
    const deleteFirst = current.filter((d) => !isDeleting(d));
    // Nothing blocks the owner: it may go now; non-blocking dependents are still collected once they find
    // their owner absent.
    if (blocking.length === 0) return { type: 'removeFinalizer', finalizer: FOREGROUND_FINALIZER };
    return { type: 'waitForDependents', deleteFirst, blocking };
  }
  return { type: 'none' };
}

/** A copy of obj without the ownerReferences to the given uids (undefined when there were none). */
export function withoutOwnerReferences(obj: KubeObject, uids: string[]): KubeObject | undefined {
  const refs = ownerReferences(obj);
  const kept = refs.filter((r) => !uids.includes(r.uid));
  if (kept.length === refs.length) return undefined;
  const copy = structuredClone(obj);
  if (kept.length) copy.metadata.ownerReferences = kept;
  else delete copy.metadata.ownerReferences;
  return copy;
}

/** A copy of obj without one finalizer (undefined when it was not there). */
export function withoutFinalizer(obj: KubeObject, finalizer: string): KubeObject | undefined {
  const own = finalizers(obj);
  if (!own.includes(finalizer)) return undefined;
  const copy = structuredClone(obj);
  const kept = own.filter((f) => f !== finalizer);
  if (kept.length) copy.metadata.finalizers = kept;
  else delete copy.metadata.finalizers;
  return copy;
}
