// PATCH by Content-Type, and managedFields bookkeeping, through the patch engines in ./patch/: JSON patch,
// merge patch, strategic merge patch (with the OpenAPI merge keys), server-side apply, and the Update
// entries non-apply writes leave in metadata.managedFields.
import type { GroupVersionKind, KubeObject } from '../resources/index.js';
import { applyJsonPatch, applyMergePatch, applyServerSide, applyStrategicMergePatch, recordUpdate } from './patch/index.js';
import { badRequest, unsupportedMediaType } from './status.js';

/** The patch content types Kubernetes accepts, in the order its 415 message lists them. */
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export interface ServerSideApplyOptions {
  manager: string;
  force: boolean;
  gvk: GroupVersionKind;
  now: Date;
  subresource?: string;
}

export interface RecordUpdateOptions {
  manager: string;
  gvk: GroupVersionKind;
  now: Date;
  subresource?: string;
}

/** Validates a request's Content-Type as a patch type (415 otherwise). */
export function patchTypeOf(mediaType: string): PatchType {
  if ((PATCH_TYPES as readonly string[]).includes(mediaType)) return mediaType as PatchType;
  throw unsupportedMediaType(mediaType, [...PATCH_TYPES]);
}

/** Applies a JSON, merge or strategic merge patch to `current` (a copy is patched). */
export function applyPatch(type: Exclude<PatchType, 'application/apply-patch+yaml'>, current: KubeObject, patch: unknown, gvk: GroupVersionKind): KubeObject {
  const base = structuredClone(current);
  switch (type) {
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      return applyJsonPatch(base, patch);
    case 'application/merge-patch+json':
      if (!isObject(patch)) throw badRequest('the body of a merge patch must be a JSON object');
      return applyMergePatch(base, patch);
    case 'application/strategic-merge-patch+json':
      if (!isObject(patch)) throw badRequest('the body of a strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(base, patch, gvk);
  }
}

/**
 * Server-side apply of `applied` onto `live` (undefined: create). Conflicts with other managers are a 409
 * (FieldManagerConflict causes) unless forced; the result carries the updated managedFields.
 */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ServerSideApplyOptions): KubeObject {
  return applyServerSide(live ? structuredClone(live) : undefined, applied, { ...opts, operation: 'Apply' }).object;
}

/** Records a non-apply write (create, update, patch) in metadata.managedFields as an Update by `manager`. */
export function recordManagedFields(live: KubeObject | undefined, updated: KubeObject, opts: RecordUpdateOptions): KubeObject {
  return recordUpdate(live, updated, { ...opts, operation: 'Update' });
}

/** The field manager for a request: `fieldManager`, else the User-Agent's product (`kubectl`), as Kubernetes derives it. */
export function fieldManagerOf(param: string | null, userAgent: string | undefined): string {
  if (param) return param;
  const ua = (userAgent ?? '').trim();
  const product = ua.split('/')[0]!.trim();
  return (product || 'unknown').slice(0, 128);
}

function isObject(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
