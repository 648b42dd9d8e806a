// Strategic-merge-patch metadata by field path, read from the same schemas the OpenAPI documents publish, so
// the server merges lists exactly as kubectl (which reads those documents) expects.
import type { GroupVersionKind } from '../resources/types.js';
import type { ListType, PatchMeta } from './field-extensions.js';
import { defaultSchemaRegistry, refTo, type JsonSchema, type SchemaRegistry } from './schema-registry.js';

/** Splits `spec.template.spec.containers[0].ports` into property names, dropping list indexes. */
export function fieldPathSegments(fieldPath: string | readonly string[]): string[] {
  if (typeof fieldPath !== 'string') return [...fieldPath];
  return fieldPath
    .replace(/\[[^\]]*\]/g, '')
    .split('.')
    .filter(Boolean);
}

/** The schema of the field at `fieldPath` inside a kind (lists and maps stepped through), if it exists. */
export function fieldSchemaFor(
  gvk: GroupVersionKind,
  fieldPath: string | readonly string[],
  registry: SchemaRegistry = defaultSchemaRegistry(),
): JsonSchema | undefined {
  const root = registry.kindSchemaName(gvk);
  if (!root) return undefined;
  let schema: JsonSchema | undefined = { $ref: refTo(root) };
  for (const seg of fieldPathSegments(fieldPath)) {
    let s = registry.resolve(schema);
    while (s?.type === 'array') s = registry.resolve(s.items);
    if (s?.properties?.[seg]) schema = s.properties[seg];
    else if (s?.additionalProperties && typeof s.additionalProperties === 'object') schema = s.additionalProperties;
    else return undefined;
  }
  return schema;
}

/**
 * How strategic merge patch treats the field at `fieldPath` of a kind: `{ strategy: 'merge', key: 'name' }`
 * for `spec.containers`, `{ strategy: 'merge' }` for `metadata.finalizers`, `{ strategy: 'retainKeys' }` for a
 * Deployment's `spec.strategy`; undefined for fields that are replaced whole.
 */
export function mergeKeyFor(
  gvk: GroupVersionKind,
  fieldPath: string | readonly string[],
  registry: SchemaRegistry = defaultSchemaRegistry(),
): PatchMeta | undefined {
  const schema = fieldSchemaFor(gvk, fieldPath, registry);
  const strategy = schema?.['x-kubernetes-patch-strategy'];
  if (typeof strategy !== 'string') return undefined;
  const key = schema?.['x-kubernetes-patch-merge-key'];
  return typeof key === 'string' ? { strategy, key } : { strategy };
}

/**
 * How server-side apply merges the list at `fieldPath`: `{ type: 'map', keys: ['containerPort', 'protocol'] }`
 * for container ports, `{ type: 'set' }` for finalizers, `{ type: 'atomic' }` for other lists; undefined when
 * the field is not a list.
 */
export function listTypeFor(
  gvk: GroupVersionKind,
  fieldPath: string | readonly string[],
  registry: SchemaRegistry = defaultSchemaRegistry(),
): ListType | undefined {
  const schema = registry.resolve(fieldSchemaFor(gvk, fieldPath, registry));
  if (schema?.type !== 'array') return undefined;
  const type = schema['x-kubernetes-list-type'] ?? 'atomic';
  const keys = schema['x-kubernetes-list-map-keys'];
  return Array.isArray(keys) ? { type, keys: [...keys] } : { type };
}
