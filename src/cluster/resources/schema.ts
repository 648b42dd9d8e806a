// Unknown-field detection for `fieldValidation=Strict|Warn`: every field of an object that its kind's schema
// does not define, with Kubernetes' paths (`spec.foo`, `spec.containers[0].bogus`).
import type { GroupVersionKind, KubeObject } from './types.js';
import { defaultSchemaRegistry, refTo, type JsonSchema, type SchemaRegistry } from '../openapi/schema-registry.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function walk(
  value: unknown,
  schema: JsonSchema | undefined,
  path: string,
  registry: SchemaRegistry,
  out: string[],
): void {
  const s = registry.resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.type === 'array') value.forEach((v, i) => walk(v, s.items, `${path}[${i}]`, registry, out));
    return;
  }
  if (!isObject(value)) return;
  if (s.properties) {
    for (const [k, v] of Object.entries(value)) {
      if (Object.prototype.hasOwnProperty.call(s.properties, k)) walk(v, s.properties[k], join(path, k), registry, out);
      else out.push(join(path, k));
    }
  } else if (isObject(s.additionalProperties)) {
    for (const [k, v] of Object.entries(value)) walk(v, s.additionalProperties, join(path, k), registry, out);
  }
}

/** Paths of the fields of `obj` that the schema of `gvk` does not know; empty for unknown kinds. */
export function unknownFields(
  gvk: GroupVersionKind,
  obj: KubeObject,
  registry: SchemaRegistry = defaultSchemaRegistry(),
): string[] {
  const root = registry.kindSchemaName(gvk);
  if (!root) return [];
  const out: string[] = [];
  walk(obj, { $ref: refTo(root) }, '', registry, out);
  return out;
}

/** The 400 message under `fieldValidation=Strict`: `strict decoding error: unknown field "spec.foo", …`. */
export function strictDecodingMessage(fields: readonly string[]): string {
  return `strict decoding error: ${fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}

/** The warning text under `fieldValidation=Warn`, one per field: `unknown field "spec.foo"`. */
export function unknownFieldWarnings(fields: readonly string[]): string[] {
  return fields.map((f) => `unknown field ${JSON.stringify(f)}`);
}
