// Building objects as server-side apply does: merging an applied configuration into the live object (the
// configuration wins for leaves, maps merge, list-maps and sets merge item by item keeping the live order
// where the configuration does not impose one) and removing the fields of a field set from an object.
import type { FieldSet } from './field-set.js';
import { getOwn, isObject, setOwn, type JsonObject } from './json.js';
import type { TypeCursor } from './schema.js';
import { fieldCursor, indexItems, shapeOf } from './typed-walk.js';

/** Marks a member the merge drops (an applied `null`). */
const DROP = Symbol('drop');

/** Merges `rhs` (applied configuration) into `lhs` (live); returns a new value, inputs untouched. */
export function mergeTyped(lhs: unknown, rhs: unknown, cur: TypeCursor): unknown {
  const out = merge(lhs, rhs, cur);
  return out === DROP ? undefined : out;
}

function merge(lhs: unknown, rhs: unknown, cur: TypeCursor): unknown {
  if (rhs === undefined) return structuredClone(lhs);
  const shape = shapeOf(rhs === null ? lhs : rhs, cur);
  if (rhs === null) {
    // An applied null for a struct, map or list leaves the live value; for a leaf it clears the field.
    return shape === 'leaf' || lhs === undefined ? DROP : structuredClone(lhs);
  }
  if (shape === 'map' && isObject(rhs)) {
    const out: JsonObject = isObject(lhs) && shapeOf(lhs, cur) === 'map' ? structuredClone(lhs) : {};
    for (const [k, v] of Object.entries(rhs)) {
      const m = merge(isObject(lhs) ? getOwn(lhs, k) : undefined, v, fieldCursor(cur, k));
      if (m === DROP) delete out[k];
      else setOwn(out, k, m);
    }
    return out;
  }
  if (shape === 'list' && Array.isArray(rhs)) return mergeList(Array.isArray(lhs) ? lhs : [], rhs, cur);
  return structuredClone(rhs);
}

/**
 * Merges two associative lists: shared items merge and take the configuration's order, live-only items stay
 * where they were relative to them, configuration-only items are inserted in configuration order.
 */
function mergeList(lhs: unknown[], rhs: unknown[], cur: TypeCursor): unknown[] {
  const items = cur.items();
  const left = indexItems(lhs, cur);
  const right = indexItems(rhs, cur);
  const observedL = new Map<string, unknown>();
  for (const e of left) if (!observedL.has(e.key)) observedL.set(e.key, e.item);
  const observedR = new Map<string, unknown>();
  for (const e of right) if (!observedR.has(e.key)) observedR.set(e.key, e.item);
  const rightKeys = [...observedR.keys()];
  const shared = rightKeys.filter((k) => observedL.has(k));
  let nextShared = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (v: unknown) => {
    if (v !== DROP && v !== undefined) out.push(v);
  };
  let l = 0;
  let r = 0;
  while (l < left.length || r < rightKeys.length) {
    if (l < left.length && r < rightKeys.length) {
      const key = left[l]!.key;
      if (key === rightKeys[r]) {
        mergedR.add(key);
        push(merge(observedL.get(key), observedR.get(key), items));
        l++;
        r++;
        nextShared = shared.shift();
        continue;
      }
      if (observedR.has(key) && nextShared !== undefined && nextShared !== key) {
        l++;
        continue;
      }
    }
    if (l < left.length) {
      const key = left[l]!.key;
      if (!observedR.has(key)) {
        push(structuredClone(left[l]!.item));
        l++;
        continue;
      }
      if (mergedR.has(key)) {
        l++;
        continue;
      }
    }
    if (r < rightKeys.length) {
      const key = rightKeys[r]!;
      mergedR.add(key);
      push(merge(observedL.get(key), observedR.get(key), items));
      r++;
      if (nextShared === key) nextShared = shared.shift();
    }
  }
  return out;
}

/**
 * A copy of `value` without the paths in `toRemove`: a member removes the field or item with everything
 * below it; atomic values are never entered. Maps and lists left empty by the removal disappear.
 */
export function removeItems(value: unknown, toRemove: FieldSet, cur: TypeCursor): unknown {
  if (toRemove.empty) return structuredClone(value);
  const shape = shapeOf(value, cur);
  if (shape === 'map') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as JsonObject)) {
      const pe = { kind: 'field', name: k } as const;
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.child(pe);
      const kept = sub ? removeItems(v, sub, fieldCursor(cur, k)) : structuredClone(v);
      if (kept !== undefined) setOwn(out, k, kept);
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (shape === 'list') {
    const items = cur.items();
    const out: unknown[] = [];
    for (const { pe, item } of indexItems(value as unknown[], cur)) {
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.child(pe);
      const kept = sub ? removeItems(item, sub, items) : structuredClone(item);
      if (kept !== undefined) out.push(kept);
    }
    return out.length ? out : undefined;
  }
  return structuredClone(value);
}
