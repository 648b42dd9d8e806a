// A PatchSchema written as a literal, for tests and for callers patching shapes the OpenAPI registry does
// not describe: `{ fields: { spec: { fields: { ports: { list: …, patch: { strategy: 'merge', key: 'port' } } } } } }`.
import { ATOMIC_STRUCTS, type FieldType, type ListType, type PatchMeta, type PatchSchema } from './schema.js';

/** One node of a literal schema. */
export type LiteralType =
  | 'scalar'
  | 'untyped'
  | { fields: Record<string, LiteralType>; atomic?: boolean; patch?: PatchMeta; typeName?: string }
  | { map: LiteralType; atomic?: boolean; patch?: PatchMeta }
  | { list: LiteralType; listType?: ListType; patch?: PatchMeta };

/** A PatchSchema over a literal description of the root type. */
export function literalSchema(root: LiteralType): PatchSchema {
  return {
    typeAt(path) {
      let cur: LiteralType | undefined = root;
      for (const seg of path) {
        while (typeof cur === 'object' && 'list' in cur) cur = cur.list;
        if (typeof cur !== 'object') return cur === 'untyped' ? describe('untyped') : undefined;
        if ('fields' in cur) cur = cur.fields[seg];
        else if ('map' in cur) cur = cur.map;
        if (cur === undefined) return undefined;
      }
      return describe(cur);
    },
  };
}

function describe(t: LiteralType): FieldType {
  if (t === 'scalar') return { kind: 'scalar', atomic: false };
  if (t === 'untyped') return { kind: 'untyped', atomic: false };
  if ('list' in t) {
    const listType = t.listType ?? { type: 'atomic' as const };
    return { kind: 'list', atomic: listType.type === 'atomic', listType, items: describe(t.list), ...(t.patch ? { patch: t.patch } : {}) };
  }
  if ('map' in t) return { kind: 'map', atomic: t.atomic ?? false, ...(t.patch ? { patch: t.patch } : {}) };
  return {
    kind: 'struct',
    atomic: t.atomic ?? (t.typeName !== undefined && ATOMIC_STRUCTS.has(t.typeName)),
    fields: new Set(Object.keys(t.fields)),
    ...(t.typeName ? { typeName: t.typeName } : {}),
    ...(t.patch ? { patch: t.patch } : {}),
  };
}
