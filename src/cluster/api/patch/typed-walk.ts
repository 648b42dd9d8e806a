// Reading objects as server-side apply does, guided by the schema: which field paths a value sets (its
// field set), how two versions of an object differ (added, modified, removed paths), and whether an applied
// configuration fits the schema at all. Lists are walked by item identity — keys for list-maps, values for
// sets — and atomic lists and atomic structs are single leaves.
import { fieldPE, keyPE, pathString, type FieldPath, type PathElement } from './field-path.js';
import { FieldSet } from './field-set.js';
import { deepEqual, getOwn, isObject } from './json.js';
import { LIST_KEY_DEFAULTS, TypeCursor, untypedSchema } from './schema.js';

const UNTYPED_CURSOR = TypeCursor.root(untypedSchema);

/** The cursor of a field, untyped when the schema does not declare it. */
export function fieldCursor(cur: TypeCursor, name: string): TypeCursor {
  return cur.field(name) ?? UNTYPED_CURSOR;
}

/** How a value is walked at a cursor: as one leaf, as a map of fields, or as a list of identified items. */
export function shapeOf(value: unknown, cur: TypeCursor): 'leaf' | 'map' | 'list' {
  const t = cur.type;
  if (Array.isArray(value)) return t.kind === 'list' && !t.atomic ? 'list' : 'leaf';
  if (isObject(value)) return (t.kind === 'struct' || t.kind === 'map' || t.kind === 'untyped') && !t.atomic ? 'map' : 'leaf';
  return 'leaf';
}

/** The path element identifying a list item (keys for list-maps, the value for sets). */
export function itemPE(item: unknown, list: TypeCursor, index: number): PathElement {
  const lt = list.type.listType;
  if (lt?.type === 'map') {
    if (!isObject(item)) throw new Error(`element ${index}: expected a map, got ${JSON.stringify(item)}`);
    const keys: [string, unknown][] = [];
    for (const k of lt.keys ?? []) {
      if (k in item && item[k] !== null) keys.push([k, item[k]]);
      else if (k in LIST_KEY_DEFAULTS) keys.push([k, LIST_KEY_DEFAULTS[k]]);
      else throw new Error(`element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
    }
    return keyPE(keys);
  }
  if (lt?.type === 'set') {
    if (isObject(item) || Array.isArray(item)) throw new Error(`element ${index}: associative list without keys has an element that's a map type`);
    return { kind: 'value', value: item };
  }
  return { kind: 'index', index };
}

/** The items of an associative list with their path elements and identity keys. */
export function indexItems(list: unknown[], cur: TypeCursor): { pe: PathElement; key: string; item: unknown; index: number }[] {
  return list.map((item, index) => {
    const pe = itemPE(item, cur, index);
    return { pe, key: JSON.stringify(pe), item, index };
  });
}

/**
 * Schema errors of an applied configuration as structured-merge-diff reports them (`.spec.foo: field not
 * declared in schema`, missing or duplicate list keys).
 */
export function validateTyped(value: unknown, cur: TypeCursor, allowDuplicates = false): string[] {
  const errors: string[] = [];
  const walk = (v: unknown, c: TypeCursor, path: PathElement[]) => {
    const shape = shapeOf(v, c);
    if (shape === 'map') {
      for (const [k, child] of Object.entries(v as object)) {
        const fc = c.field(k);
        if (!fc) {
          errors.push(`${pathString([...path, fieldPE(k)])}: field not declared in schema`);
          continue;
        }
        walk(child, fc, [...path, fieldPE(k)]);
      }
    } else if (shape === 'list') {
      const seen = new Set<string>();
      const items = c.items();
      (v as unknown[]).forEach((item, i) => {
        let pe: PathElement;
        try {
          pe = itemPE(item, c, i);
        } catch (e) {
          errors.push(`${pathString(path)}: ${(e as Error).message}`);
          return;
        }
        const key = JSON.stringify(pe);
        if (seen.has(key) && !allowDuplicates) errors.push(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
        seen.add(key);
        walk(item, items, [...path, pe]);
      });
    }
  };
  walk(value, cur, []);
  return errors;
}

/** The paths a value sets: leaves, list items (themselves and their fields), and map entries. */
export function toFieldSet(value: unknown, cur: TypeCursor): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, c: TypeCursor, path: PathElement[]) => {
    const shape = shapeOf(v, c);
    if (shape === 'leaf') {
      // A null or empty struct/list value sets nothing; scalars, atomic values and null scalars are leaves.
      const k = c.type.kind;
      if (v === null && (k === 'struct' || k === 'map' || (k === 'list' && !c.type.atomic))) return;
      if (path.length) set.insert(path);
      return;
    }
    if (shape === 'map') {
      for (const [k, child] of Object.entries(v as object)) {
        const p = [...path, fieldPE(k)];
        walk(child, fieldCursor(c, k), p);
        if (!c.declares(k)) set.insert(p);
      }
      return;
    }
    const items = c.items();
    for (const { pe, item } of indexItems(v as unknown[], c)) {
      const p = [...path, pe];
      walk(item, items, p);
      set.insert(p);
    }
  };
  walk(value, cur, []);
  return set;
}

/** The difference between two versions of an object, by path. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

const isEmptyContainer = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/**
 * Compares `lhs` (old) and `rhs` (new): leaves added, modified or removed, and maps, lists and items that
 * appear or disappear as a whole. A member present as `null` counts as present.
 */
export function compareTyped(lhs: unknown, rhs: unknown, cur: TypeCursor): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: FieldPath) => {
    if (!path.length) return;
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
    else if (!deepEqual(l, r)) out.modified.insert(path);
  };
  const walk = (l: unknown, r: unknown, c: TypeCursor, path: PathElement[]) => {
    if (l === undefined && r === undefined) return;
    const probe = r === undefined || r === null ? l : r;
    const shape = shapeOf(probe, c);
    const bothEmpty = isEmptyContainer(l) && isEmptyContainer(r);
    const sameShape = l === undefined || r === undefined || l === null || r === null || shapeOf(l, c) === shapeOf(r, c);
    if (shape === 'leaf' || bothEmpty || !sameShape || (Array.isArray(l) !== Array.isArray(r) && l != null && r != null)) {
      leaf(l, r, path);
      return;
    }
    if (shape === 'map') {
      const lm = isObject(l) ? l : {};
      const rm = isObject(r) ? r : {};
      for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
        walk(getOwn(lm, k), getOwn(rm, k), fieldCursor(c, k), [...path, fieldPE(k)]);
      }
    } else {
      const items = c.items();
      const li = firstByKey(Array.isArray(l) ? l : [], c);
      const ri = firstByKey(Array.isArray(r) ? r : [], c);
      const order = [...li.keys(), ...[...ri.keys()].filter((k) => !li.has(k))];
      for (const k of order) {
        const a = li.get(k);
        const b = ri.get(k);
        walk(a?.item, b?.item, items, [...path, (a ?? b)!.pe]);
      }
    }
    // A map, list or item that appears or disappears as a whole is itself added or removed.
    if (path.length) {
      if (l === undefined) out.added.insert(path);
      else if (r === undefined) out.removed.insert(path);
    }
  };
  walk(lhs, rhs, cur, []);
  return out;
}

function firstByKey(list: unknown[], cur: TypeCursor): Map<string, { pe: PathElement; item: unknown }> {
  const m = new Map<string, { pe: PathElement; item: unknown }>();
  for (const e of indexItems(list, cur)) if (!m.has(e.key)) m.set(e.key, { pe: e.pe, item: e.item });
  return m;
}

/**
 * The set with every declared struct field that has owned descendants made a member too (structured-merge-
 * diff's EnsureNamedFieldsAreMembers): owning `spec.replicas` then also means owning `spec`, but owning
 * `metadata.labels.app` does not mean owning the `labels` map.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, cur: TypeCursor): FieldSet {
  const out = new FieldSet();
  const walk = (s: FieldSet, c: TypeCursor, path: PathElement[]) => {
    for (const pe of s.memberElements()) out.insert([...path, pe]);
    for (const { pe, set: sub } of s.childEntries()) {
      const p = [...path, pe];
      if (pe.kind === 'field') {
        if (c.declares(pe.name)) out.insert(p);
        walk(sub, fieldCursor(c, pe.name), p);
      } else {
        walk(sub, c.items(), p);
      }
    }
  };
  walk(set, cur, []);
  return out;
}
