// Small helpers the defaulting functions share: they fill a field only when the user left it out.
import type { KubeObject } from '../types.js';

/** True for a plain JSON object. */
export function isObject(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets `obj[key]` to `value` when it is missing (undefined or null), as Go's nil-pointer defaulting does. */
export function setDefault(obj: KubeObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Sets a string field when it is missing or empty: Go cannot tell an empty string from an absent one. */
export function setDefaultString(obj: KubeObject, key: string, value: string): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

/** The object at `obj[key]`, created empty if missing. */
export function child(obj: KubeObject, key: string): KubeObject {
  if (!isObject(obj[key])) obj[key] = {};
  return obj[key] as KubeObject;
}

/** The array at `obj[key]` as objects (non-objects skipped), or an empty list. */
export function items(obj: KubeObject | undefined, key: string): KubeObject[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}
