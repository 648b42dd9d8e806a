// Strategic merge patch for lists: lists with a merge key merge item by item (`$patch: delete|replace`
// items), primitive lists with the `merge` strategy merge as sets (`$deleteFromPrimitiveList/<field>` removes
// members), and the result is ordered as kube-apiserver orders it — patch items in patch (or
// `$setElementOrder`) order, server-only items in their live order, interleaved by their live positions.
import { badArgType, goFormat, plainError, unprocessable } from './errors.js';
import { isObject, jsonType, setOwn, type JsonObject } from './json.js';
import type { TypeCursor } from './schema.js';

/** The directive key of maps and list items: `$patch: replace|delete`. */
export const DIRECTIVE = '$patch';
/** The directive listing the keys a map keeps. */
export const RETAIN_KEYS = '$retainKeys';
/** Prefix of the directive ordering a list (`$setElementOrder/<field>`). */
export const SET_ELEMENT_ORDER = '$setElementOrder';
/** Prefix of the directive removing members of a primitive list (`$deleteFromPrimitiveList/<field>`). */
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** Merges one map-valued list item (or map field) with its patch; supplied by the map merger. */
export type MergeMapFn = (original: JsonObject, patch: JsonObject, cur: TypeCursor | undefined) => JsonObject;

type ElementKind = 'map' | 'scalar';

/** mergepatch.ErrNoMergeKey. */
export function noMergeKey(item: unknown, key: string): Error {
  return plainError(`map: ${goFormat(item)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadPatchType. */
export function badPatchType(directive: unknown, item: unknown): Error {
  return plainError(`unknown patch type: ${String(directive)} in map: ${goFormat(item)}`);
}

/** The common kind of the elements of the given lists (maps, or scalars); lists of lists are rejected. */
export function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let first: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = jsonType(v);
      if (first === undefined) {
        if (t === 'list') throw unprocessable('lists of lists are not supported');
        first = t;
      } else if (t !== first) {
        throw plainError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (first === undefined) return undefined;
  return first === 'map' ? 'map' : 'scalar';
}

/**
 * A copy of a patch value fit to store: null members dropped (they only delete), maps carrying `$patch` and
 * other `$…` directive keys removed — what kube-apiserver keeps when a patch adds a whole new subtree.
 * Returns undefined when the value itself is a directive map.
 */
export function cleanPatchValue(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const c = cleanPatchValue(e);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
  if (isObject(v)) {
    if (DIRECTIVE in v) return undefined;
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) {
      if (e === null || k.startsWith('$')) continue;
      const c = cleanPatchValue(e);
      if (c !== undefined) setOwn(out, k, c);
    }
    return out;
  }
  return v;
}

/** Merges two lists with the `merge` strategy (or applies a `$deleteFromPrimitiveList` list). */
export function mergeSlice(
  original: unknown[],
  patch: unknown[],
  items: TypeCursor | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  mergeMap: MergeMapFn,
): unknown[] {
  if (!original.length && !patch.length) return original;
  const kind = elementKind(original, patch)!;
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged = dedupe([...original, ...patch]);
    const [inPatch, serverOnly] = partition(merged, patch, '');
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '', kind);
  }
  if (!mergeKey) throw plainError(`cannot merge lists without merge key for ${items?.path.join('.') || 'list'}`);
  const [serverOrder, patchItems] = withSpecialElements(original, patch, mergeKey);
  const merged = withoutSpecialElements(serverOrder, patchItems, mergeKey, items, mergeMap);
  const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind);
}

/** Applies `$patch: delete` items to `original` and handles `$patch: replace`; returns [original, patch items]. */
function withSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!(DIRECTIVE in item)) {
      rest.push(v);
      continue;
    }
    switch (item[DIRECTIVE]) {
      case 'delete':
        if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
        orig = orig.filter((o, i) => !matchesKey(o, i, mergeKey, item[mergeKey]));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw plainError('merging lists cannot yet be specified in the patch');
      default:
        throw badPatchType(item[DIRECTIVE], item);
    }
  }
  return replace ? [rest.map(cleanPatchValue).filter((v) => v !== undefined), []] : [orig, rest];
}

function matchesKey(item: unknown, index: number, key: string, value: unknown): boolean {
  if (!isObject(item)) throw plainError(`value for key ${index} is not a map.`);
  return key in item && item[key] === value;
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  return list.findIndex((item, i) => matchesKey(item, i, key, value));
}

function withoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, items: TypeCursor | undefined, mergeMap: MergeMapFn): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const item = v as JsonObject;
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const i = findByKey(out, mergeKey, item[mergeKey]);
    if (i >= 0) out[i] = mergeMap(out[i] as JsonObject, item, items);
    else out.push(cleanPatchValue(item));
  }
  return out;
}

function dedupe(list: unknown[]): unknown[] {
  return list.filter((v, i) => list.indexOf(v) === i);
}

/** Splits `list` into the items present in `by` (by merge key, or by value for primitives) and the rest. */
export function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) {
    let found: boolean;
    if (!mergeKey) {
      found = by.includes(v);
    } else {
      if (!isObject(v)) throw badArgType({}, v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
      found = findByKey(by, mergeKey, v[mergeKey]) >= 0;
    }
    (found ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: ElementKind): number {
  if (kind !== 'map') return list.indexOf(v);
  const key = (x: unknown) => (isObject(x) ? x[mergeKey] : undefined);
  const want = key(v);
  return list.findIndex((x) => key(x) === want);
}

/**
 * Orders merged items: `patch` items by `patchOrder`, `serverOnly` items by `serverOrder`, then interleaves
 * them, placing each server-only item before the first patch item that follows it in the live list.
 */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = sortByOrder(patch, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < s.length || j < p.length) {
    if (i >= s.length) out.push(p[j++]);
    else if (j >= p.length) out.push(s[i++]);
    else {
      const li = indexIn(serverOrder, s[i], mergeKey, kind);
      const ri = indexIn(serverOrder, p[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(s[i++]);
      else out.push(p[j++]);
    }
  }
  return out;
}

function sortByOrder(list: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items = list;
  let deletes: unknown[] = [];
  if (kind === 'map') {
    for (const v of [...list, ...order]) {
      if (!isObject(v)) throw badArgType({}, v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
    items = list.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
    deletes = list.filter((v) => (v as JsonObject)[DIRECTIVE] === 'delete');
  }
  const ranked = items.map((v, n) => ({ v, n, at: indexIn(order, v, mergeKey, kind) }));
  // Items the order does not name keep their relative position ahead of the named ones.
  ranked.sort((a, b) => a.at - b.at || a.n - b.n);
  return [...ranked.map((r) => r.v), ...deletes];
}

/**
 * Checks that the items of a patch list appear in its `$setElementOrder` list in the same relative order
 * (deletions and directive items aside), as kube-apiserver requires.
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (!order.length || !patchList.length) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw badArgType({}, v);
    items = patchList.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
  }
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    const item = items[pi];
    if (isObject(item) && DIRECTIVE in item) {
      pi++;
      continue;
    }
    if (sameKey(item, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < items.length && oi >= order.length) {
    throw plainError(
      `the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}`,
    );
  }
}

function sameKey(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isObject(a)) throw badArgType({}, a);
  if (!isObject(b)) throw badArgType({}, b);
  if (!(mergeKey in a)) throw noMergeKey(a, mergeKey);
  if (!(mergeKey in b)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}
