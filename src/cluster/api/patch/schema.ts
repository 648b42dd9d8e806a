// What the patch engines need to know about a kind's fields, behind one narrow interface so the merge logic
// is testable with literal schemas: the shape of each field (struct, map, list, scalar, or untyped), how
// strategic merge patch merges it (`x-kubernetes-patch-strategy`/`-merge-key`), and how server-side apply
// identifies list items (`x-kubernetes-list-type`/`-map-keys`). The default implementation reads the same
// OpenAPI schemas the server publishes, through openapi's `fieldSchemaFor`, `mergeKeyFor` and `listTypeFor`.
import type { GroupVersionKind } from '../../resources/types.js';
import { fieldSchemaFor, listTypeFor, mergeKeyFor, type ListType, type PatchMeta } from '../../openapi/index.js';
import { defaultSchemaRegistry, type JsonSchema, type SchemaRegistry } from '../../openapi/schema-registry.js';

// Re-exported so callers describing fields need only this module.
export type { ListType, PatchMeta };

/** The shape of a field: a struct with declared fields, a string-keyed map, a list, a scalar, or free-form. */
export type FieldKind = 'struct' | 'map' | 'list' | 'scalar' | 'untyped';

/** Everything the engines know about one field. */
export interface FieldType {
  kind: FieldKind;
  /** Server-side apply treats the value as one unit (`x-kubernetes-map-type: atomic`, atomic lists). */
  atomic: boolean;
  /** Lists: how server-side apply identifies items (atomic lists have no identity). */
  listType?: ListType;
  /** Lists: the items' type. */
  items?: FieldType;
  /** Strategic merge patch behaviour declared on this field. */
  patch?: PatchMeta;
  /** Structs: the declared field names. */
  fields?: ReadonlySet<string>;
  /** Structs: the short type name (`DeploymentSpec`). */
  typeName?: string;
}

/** Type facts by field path: property names from the kind's root, list items stepped through. */
export interface PatchSchema {
  /** The root type and the field at `path`; undefined when no such field is declared. */
  typeAt(path: readonly string[]): FieldType | undefined;
}

/** The type of untyped (free-form) values: everything merges as maps, atomic lists and scalars. */
export const UNTYPED: FieldType = Object.freeze({ kind: 'untyped', atomic: false });

/** A schema that knows no fields: every path is untyped (used for kinds without a published schema). */
export const untypedSchema: PatchSchema = { typeAt: () => UNTYPED };

/**
 * Types Kubernetes marks `+structType=atomic`/`+mapType=atomic` (published as `x-kubernetes-map-type`): server-
 * side apply owns them as a whole. The client models do not carry the marker, so it is listed here.
 */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'LabelSelector',
  'OwnerReference',
  'ObjectReference',
  'LocalObjectReference',
  'TypedLocalObjectReference',
  'SecretReference',
  'ConfigMapKeySelector',
  'SecretKeySelector',
  'ObjectFieldSelector',
  'ResourceFieldSelector',
  'NodeSelector',
  'NodeSelectorTerm',
  'TopologySelectorTerm',
  'ScopeSelector',
  'RoleRef',
]);

/**
 * Defaults of list-map key fields (`default` in kube-apiserver's schema), used when an applied item omits
 * the key: container and service ports are keyed by port and protocol, and protocol defaults to TCP.
 */
export const LIST_KEY_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({ protocol: 'TCP' });

const cache = new WeakMap<SchemaRegistry, Map<string, PatchSchema>>();

/** The schema of a served kind, read from the OpenAPI registry (memoized); untyped when the kind is unknown. */
export function schemaForKind(gvk: GroupVersionKind, registry: SchemaRegistry = defaultSchemaRegistry()): PatchSchema {
  let byKind = cache.get(registry);
  if (!byKind) cache.set(registry, (byKind = new Map()));
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let schema = byKind.get(key);
  if (!schema) {
    schema = registry.kindSchemaName(gvk) ? openApiSchema(gvk, registry) : untypedSchema;
    byKind.set(key, schema);
  }
  return schema;
}

function openApiSchema(gvk: GroupVersionKind, registry: SchemaRegistry): PatchSchema {
  const memo = new Map<string, FieldType | undefined>();
  return {
    typeAt(path) {
      const key = path.join('\u0000');
      if (memo.has(key)) return memo.get(key);
      const raw = fieldSchemaFor(gvk, path, registry);
      let type: FieldType | undefined;
      if (raw) {
        type = describe(raw, registry);
        if (path.length) {
          const patch = mergeKeyFor(gvk, path, registry);
          if (patch) type.patch = patch;
          if (type.kind === 'list') {
            type.listType = listTypeFor(gvk, path, registry) ?? { type: 'atomic' };
            type.atomic = type.listType.type === 'atomic';
          }
        }
      }
      memo.set(key, type);
      return type;
    },
  };
}

function refName(schema: JsonSchema | undefined): string | undefined {
  const ref = schema?.$ref;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('.') + 1) : undefined;
}

function describe(raw: JsonSchema, registry: SchemaRegistry): FieldType {
  const s = registry.resolve(raw) ?? {};
  const name = refName(raw) ?? refName(Array.isArray(raw.allOf) ? raw.allOf[0] : undefined);
  if (s.type === 'array') {
    return { kind: 'list', atomic: true, items: describe(s.items ?? {}, registry) };
  }
  if (s.properties && typeof s.properties === 'object') {
    const atomic = s['x-kubernetes-map-type'] === 'atomic' || (name !== undefined && ATOMIC_STRUCTS.has(name));
    return { kind: 'struct', atomic, fields: new Set(Object.keys(s.properties)), ...(name ? { typeName: name } : {}) };
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic' };
  }
  if (s.type === 'object' || s.type === undefined) return { kind: 'untyped', atomic: false };
  return { kind: 'scalar', atomic: false };
}

/**
 * A cursor over a PatchSchema that follows values down: it remembers the property path for lookups and
 * carries `untyped` to the descendants of free-form fields (whose schema declares nothing below them).
 */
export class TypeCursor {
  private constructor(
    private readonly schema: PatchSchema,
    /** Property path used for schema lookups (map keys are replaced by a placeholder). */
    readonly path: readonly string[],
    readonly type: FieldType,
  ) {}

  /** The cursor at a kind's root. */
  static root(schema: PatchSchema): TypeCursor {
    return new TypeCursor(schema, [], schema.typeAt([]) ?? UNTYPED);
  }

  /** The field `name` of this struct/map value; undefined when a struct does not declare it. */
  field(name: string): TypeCursor | undefined {
    const t = this.type;
    if (t.kind === 'untyped' || t.kind === 'scalar') return new TypeCursor(this.schema, this.path, UNTYPED);
    if (t.kind === 'map') {
      // Every entry of a map has the same type; look it up once under a placeholder key.
      const path = [...this.path, '\u0001'];
      return new TypeCursor(this.schema, path, this.schema.typeAt(path) ?? UNTYPED);
    }
    if (t.kind === 'struct' && t.fields && !t.fields.has(name)) return undefined;
    const path = [...this.path, name];
    const type = this.schema.typeAt(path);
    return type ? new TypeCursor(this.schema, path, type) : undefined;
  }

  /** Whether `name` is a declared field of this struct (map entries and free-form members are not). */
  declares(name: string): boolean {
    return this.type.kind === 'struct' && (this.type.fields?.has(name) ?? false);
  }

  /** The items of this list (the same property path: lookups step through lists). */
  items(): TypeCursor {
    return new TypeCursor(this.schema, this.path, this.type.items ?? UNTYPED);
  }
}
