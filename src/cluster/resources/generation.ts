// metadata.generation: 1 on create and +1 on each change of the kind's spec fields (never for metadata or
// status changes), for the kinds whose catalog entry lists spec fields.
import type { KubeObject, ResourceInfo } from './types.js';
import { deepEqual } from './validation/field.js';

/** True when an update changes one of the kind's spec fields, so `metadata.generation` must be bumped. */
export function specChanged(info: ResourceInfo, next: KubeObject, prev: KubeObject): boolean {
  return (info.specFields ?? []).some((f) => !deepEqual(next[f], prev[f]));
}

/** The generation an object gets: 1 on create, old + 1 on a spec change, unchanged otherwise; undefined if not tracked. */
export function nextGeneration(info: ResourceInfo, next: KubeObject, prev?: KubeObject): number | undefined {
  if (!info.specFields) return undefined;
  const old = typeof prev?.metadata?.generation === 'number' ? prev.metadata.generation : 0;
  if (!prev) return 1;
  return specChanged(info, next, prev) ? old + 1 : old;
}

/**
 * What kube-apiserver's registry does to an update before validating it: the stored object's uid (when the
 * update has none), creation timestamp, deletion fields and generation are kept, then the generation is
 * bumped if the spec changed. Mutates and returns `next`.
 */
export function preserveSystemMetadata(info: ResourceInfo, next: KubeObject, prev: KubeObject): KubeObject {
  const meta = (next.metadata ??= {});
  const old = prev.metadata ?? {};
  if (!meta.uid && old.uid) meta.uid = old.uid;
  for (const f of ['creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (old[f] === undefined) delete meta[f];
    else meta[f] = old[f];
  }
  const generation = nextGeneration(info, next, prev);
  if (generation === undefined) {
    if (old.generation === undefined) delete meta.generation;
    else meta.generation = old.generation;
  } else meta.generation = generation;
  return next;
}
