// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively, `null` deletes a
// member, anything else (arrays included) replaces. Like kube-apiserver's merge-patch library, `null`
// members of objects nested inside replacing arrays are dropped too, since they mean "absent" in a typed
// Kubernetes object.
import { getOwn, isObject, setOwn, type JsonObject } from './json.js';

/** Applies an RFC 7386 merge patch to a copy of `target` and returns the result (inputs are not modified). */
export function applyMergePatch(target: unknown, patch: unknown): any {
  return merge(structuredClone(target), patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return withoutNulls(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, merge(getOwn(out, k), v));
  }
  return out;
}

/** A copy of `v` with null members of (nested) objects removed; null list elements stay. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) if (e !== null) setOwn(out, k, withoutNulls(e));
    return out;
  }
  return structuredClone(v);
}
