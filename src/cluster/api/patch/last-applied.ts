// Interplay of server-side apply with client-side apply's `kubectl.kubernetes.io/last-applied-configuration`
// annotation, as kube-apiserver implements it for the `kubectl` field manager: conflicts on fields the
// annotation says kubectl applied (and that still hold those values) do not block the move from client-side
// to server-side apply, and the annotation is kept in step with what was applied.
import { goJson } from './field-path.js';
import { FieldSet } from './field-set.js';
import { isObject, type JsonObject } from './json.js';
import { compareTyped, toFieldSet, validateTyped } from './typed-walk.js';
import type { OwnershipContext } from './updater.js';

/** The client-side apply annotation. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** The field manager kubectl uses for `apply --server-side`. */
export const KUBECTL_APPLY_MANAGER = 'kubectl';
/** kube-apiserver's limit on the total size of an object's annotations. */
const ANNOTATIONS_LIMIT = 256 * 1024;

function lastAppliedText(obj: JsonObject | undefined): string | undefined {
  const v = obj?.metadata?.annotations?.[LAST_APPLIED];
  return typeof v === 'string' && v.length ? v : undefined;
}

/**
 * Fields whose conflicts may be overridden: those in the live object's last-applied configuration whose live
 * values still equal it. Undefined when there is no usable annotation.
 */
export function allowedConflictsFromLastApplied(ctx: OwnershipContext, live: JsonObject | undefined): FieldSet | undefined {
  const text = lastAppliedText(live);
  if (!text || !live) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last) || last.apiVersion !== ctx.apiVersion) return undefined;
  if (validateTyped(last, ctx.cur, true).length) return undefined;
  try {
    const set = toFieldSet(last, ctx.cur);
    const cmp = compareTyped(last, live, ctx.cur);
    return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch {
    return undefined;
  }
}

/** The annotation value kube-apiserver writes for an applied configuration (without the annotation itself). */
export function buildLastApplied(applied: JsonObject): string {
  const copy = structuredClone(applied);
  if (isObject(copy.metadata?.annotations)) delete copy.metadata.annotations[LAST_APPLIED];
  return `${goJson(copy)}\n`;
}

/**
 * After `kubectl apply --server-side`, refreshes an existing last-applied annotation to the applied
 * configuration (dropping it if the annotations would exceed their size limit). Returns whether it changed.
 */
export function syncLastApplied(obj: JsonObject, applied: JsonObject): boolean {
  const before = lastAppliedText(obj);
  if (!before) return false;
  const annotations: Record<string, string> = { ...obj.metadata.annotations, [LAST_APPLIED]: buildLastApplied(applied) };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > ANNOTATIONS_LIMIT) delete annotations[LAST_APPLIED];
  obj.metadata.annotations = annotations;
  return annotations[LAST_APPLIED] !== before;
}
