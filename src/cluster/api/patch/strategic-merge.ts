// Kubernetes' strategic merge patch (`application/strategic-merge-patch+json`) for maps: `null` deletes a
// key, `$patch: replace|delete` replaces or empties a map, `$retainKeys` drops the keys it does not list,
// `$setElementOrder/<list>` orders a list, `$deleteFromPrimitiveList/<list>` removes members of a primitive
// list, and fields merge by the strategy their schema declares (lists: see strategic-list.ts). This is the
// server half: it applies the two- and three-way patches kubectl computes for `apply` and `edit`.
import type { GroupVersionKind } from '../../resources/types.js';
import { badArgType, badRequest, plainError } from './errors.js';
import { getOwn, hasOwn, isObject, jsonType, setOwn, type JsonObject } from './json.js';
import { schemaForKind, TypeCursor, type PatchMeta, type PatchSchema } from './schema.js';
import {
  badPatchType,
  cleanPatchValue,
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  elementKind,
  mergeSlice,
  normalizeElementOrder,
  partition,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  validateSetElementOrder,
} from './strategic-list.js';

/**
 * Applies a strategic merge patch to a copy of `obj` (inputs are not modified), merging lists by the merge
 * keys the kind's schema declares (`schema` overrides the OpenAPI-derived one).
 */
export function applyStrategicMergePatch(
  obj: JsonObject,
  patch: unknown,
  gvk: GroupVersionKind,
  schema: PatchSchema = schemaForKind(gvk),
): JsonObject {
  if (patch === null || patch === undefined) return structuredClone(obj);
  if (!isObject(patch)) {
    const kind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return mergeMap(structuredClone(obj), structuredClone(patch), TypeCursor.root(schema));
}

/** The strategy other than `retainKeys` in a field's (possibly comma-separated) patch strategy. */
function mainStrategy(meta: PatchMeta | undefined): string {
  return (meta?.strategy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'retainKeys')[0] ?? '';
}

/** The list field a `$setElementOrder/x` or `$deleteFromPrimitiveList/x` directive key names. */
function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(
      prefix === SET_ELEMENT_ORDER ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list',
    );
  }
  return key.slice(slash + 1);
}

/** Merges `patch` into `original` (both owned by the caller and mutated). */
function mergeMap(original: JsonObject, patch: JsonObject, cur: TypeCursor | undefined): JsonObject {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return cleanPatchValue(patch) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, cur);
  for (const [rawKey, value] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = directiveTarget(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    const current = getOwn(original, key);
    if (!hasOwn(original, key) || jsonType(current) !== jsonType(value)) {
      if (!isDeleteList) setCleaned(original, key, value);
      continue;
    }
    const field = cur?.field(key);
    const meta = field?.type.patch;
    if (isObject(value)) {
      setOwn(original, key, mainStrategy(meta) === 'replace' ? cleanPatchValue(value) : mergeMap(current, value, field));
    } else if (Array.isArray(value)) {
      setOwn(original, key, mergeList(current, value, field, meta, isDeleteList));
    } else if (!isDeleteList) {
      setOwn(original, key, value);
    }
  }
  return original;
}

function setCleaned(target: JsonObject, key: string, value: unknown): void {
  const cleaned = cleanPatchValue(value);
  if (cleaned === undefined) delete target[key];
  else setOwn(target, key, cleaned);
}

function mergeList(original: unknown[], patch: unknown[], field: TypeCursor | undefined, meta: PatchMeta | undefined, isDeleteList: boolean): unknown[] {
  if (mainStrategy(meta) === 'merge' || isDeleteList) {
    return mergeSlice(original, patch, field?.items(), meta?.key ?? '', isDeleteList, mergeMap);
  }
  return cleanPatchValue(patch) as unknown[];
}

/** `$retainKeys`: every key the patch sets must be listed; keys of `original` not listed are dropped. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<list>`: merges the named list with its patch (if any) and orders the result, the order
 * list first, then the live order for items the order list does not name. Processed lists leave the patch.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, cur: TypeCursor | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badArgType([], order);
    const key = directiveTarget(directiveKey, SET_ELEMENT_ORDER);
    const foundOriginal = hasOwn(original, key);
    const foundPatch = hasOwn(patch, key);
    const originalList = getOwn(original, key);
    const patchList = getOwn(patch, key);
    if (foundOriginal && !Array.isArray(originalList)) throw badArgType([], originalList);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType([], patchList);
    const field = cur?.field(key);
    const meta = field?.type.patch;
    const mergeKey = meta?.key ?? '';
    validateSetElementOrder(patchList ?? [], order, mergeKey);
    let merged: unknown[];
    if (foundOriginal && foundPatch) merged = mergeList(originalList, patchList, field, meta, false);
    else if (foundOriginal) merged = originalList;
    else if (foundPatch) merged = cleanPatchValue(patchList) as unknown[];
    else continue;
    delete patch[key];
    const kind = elementKind(originalList ?? [], patchList ?? []);
    if (kind === undefined) {
      setOwn(original, key, merged);
      continue;
    }
    if (kind === 'map' && !mergeKey) throw plainError(`cannot merge lists without merge key for ${key}`);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey);
    setOwn(original, key, normalizeElementOrder(inOrder, serverOnly, order, originalList ?? [], mergeKey, kind));
  }
}
