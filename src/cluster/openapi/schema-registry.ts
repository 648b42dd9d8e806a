// Builds OpenAPI v3 component schemas for every served kind from the client-node models, named the way
// kube-apiserver names them (`io.k8s.api.core.v1.Pod`) so `kubectl explain` prints familiar type names, and
// annotated with GVKs, strategic-merge-patch metadata and enums.
import type { GroupVersionKind } from '../resources/types.js';
import { allResources } from '../resources/catalog.js';
import { SCALE_KIND } from '../resources/groups/define.js';
import { ENUMS, LIST_TYPES, PATCH_META } from './field-extensions.js';
import { innerType, isModelName, parseModel, referencedModels, type ModelDef } from './model-parse.js';
import { fileModelSource, type ModelSource } from './model-source.js';

/** An OpenAPI schema object (JSON). */
export type JsonSchema = Record<string, any>;

/** A schema the registry starts from: a kind, a list kind, or a shared API type. */
export interface SchemaRoot {
  model: string;
  /** The group that owns types first reached from this root (their package in the canonical name). */
  group: string;
  gvk?: GroupVersionKind;
}

/** All component schemas, keyed by canonical name, with the lookups the OpenAPI and validation code use. */
export interface SchemaRegistry {
  readonly schemas: ReadonlyMap<string, JsonSchema>;
  /** The Kubernetes version of the models, e.g. `v1.32.0`. */
  readonly specVersion: string;
  /** Canonical name of a client-node model, if the registry holds it. */
  nameOf(model: string): string | undefined;
  /** Canonical name of the schema carrying this GVK. */
  kindSchemaName(gvk: GroupVersionKind): string | undefined;
  /** Follows `$ref` (and a single-element `allOf`) to the schema it names. */
  resolve(schema: JsonSchema | undefined): JsonSchema | undefined;
  /** Every schema name reachable from the given names, themselves included. */
  closure(names: Iterable<string>): Set<string>;
}

const REF_PREFIX = '#/components/schemas/';
const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const META_TYPES = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Condition',
  'Status',
  'StatusCause',
  'StatusDetails',
  'DeleteOptions',
  'Preconditions',
  'APIResource',
  'APIResourceList',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
]);
// Types whose first visitor is not their home package.
const HOME_OVERRIDES: Record<string, string> = {
  V1PodTemplateSpec: '',
  V1Scale: 'autoscaling',
  V1ScaleSpec: 'autoscaling',
  V1ScaleStatus: 'autoscaling',
};
const GROUP_PACKAGE: Record<string, string> = { '': 'core', 'rbac.authorization.k8s.io': 'rbac' };

/** Component names of the schemas Berth adds itself. */
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const PATCH = `${META_PACKAGE}.Patch`;

const EXTRA_SCHEMAS: Record<string, JsonSchema> = {
  [INT_OR_STRING]: {
    type: 'string',
    format: 'int-or-string',
    description: 'An integer or a string, such as a port number or a port name.',
  },
  [PATCH]: { type: 'object', description: 'The body of a PATCH request, in the format its content type names.' },
};

/** `#/components/schemas/<name>`. */
export function refTo(name: string): string {
  return REF_PREFIX + name;
}

function canonicalName(model: string, homeGroup: string): string {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z][A-Za-z0-9]*)$/.exec(model);
  if (!m) return model;
  const [, pkgPrefix, ver, short] = m;
  const version = ver!.toLowerCase();
  if (!pkgPrefix && version === 'v1' && META_TYPES.has(short!)) return `${META_PACKAGE}.${short}`;
  const pkg = pkgPrefix ? pkgPrefix.toLowerCase() : (GROUP_PACKAGE[homeGroup] ?? homeGroup.split('.')[0]);
  return `io.k8s.api.${pkg}.${version}.${short}`;
}

/** The roots for every served kind, its list kind, Scale, and the shared Status and DeleteOptions. */
export function catalogRoots(): SchemaRoot[] {
  const roots: SchemaRoot[] = [];
  for (const r of allResources()) {
    roots.push({ model: r.model, group: r.group, gvk: { group: r.group, version: r.version, kind: r.kind } });
    roots.push({ model: r.listModel, group: r.group, gvk: { group: r.group, version: r.version, kind: r.listKind } });
  }
  roots.push({ model: 'V1Scale', group: 'autoscaling', gvk: SCALE_KIND });
  roots.push({ model: 'V1Status', group: '', gvk: { group: '', version: 'v1', kind: 'Status' } });
  roots.push({ model: 'V1DeleteOptions', group: '', gvk: { group: '', version: 'v1', kind: 'DeleteOptions' } });
  return roots;
}

/** Builds the registry from a model source (all models reachable from the roots are read once). */
export function buildSchemaRegistry(source: ModelSource, roots: SchemaRoot[] = catalogRoots()): SchemaRegistry {
  const defs = new Map<string, ModelDef>();
  const home = new Map<string, string>();
  // Breadth-first from the roots in catalog order, so a type's home is the first group that uses it.
  const queue: string[] = [];
  for (const root of roots) {
    if (!home.has(root.model)) home.set(root.model, HOME_OVERRIDES[root.model] ?? root.group);
    queue.push(root.model);
  }
  while (queue.length) {
    const model = queue.shift()!;
    if (defs.has(model)) continue;
    const files = source.read(model);
    if (!files) throw new Error(`OpenAPI: model ${model} not found in the client-node package`);
    const def = parseModel(model, files);
    defs.set(model, def);
    for (const p of def.properties) {
      for (const ref of referencedModels(p.type)) {
        if (!home.has(ref)) home.set(ref, HOME_OVERRIDES[ref] ?? home.get(model)!);
        if (!defs.has(ref)) queue.push(ref);
      }
    }
  }
  const names = new Map<string, string>();
  const taken = new Set<string>(Object.keys(EXTRA_SCHEMAS));
  for (const model of defs.keys()) {
    let name = canonicalName(model, home.get(model)!);
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    names.set(model, name);
  }
  const schemas = new Map<string, JsonSchema>(Object.entries(structuredClone(EXTRA_SCHEMAS)));
  for (const [model, def] of defs) schemas.set(names.get(model)!, modelSchema(def, names, defs));
  const byGVK = new Map<string, string>();
  for (const root of roots) {
    if (!root.gvk) continue;
    const name = names.get(root.model)!;
    const schema = schemas.get(name)!;
    (schema['x-kubernetes-group-version-kind'] ??= []).push({ ...root.gvk });
    byGVK.set(gvkKey(root.gvk), name);
  }
  return makeRegistry(schemas, names, byGVK, source.specVersion() ?? 'v1.32.0');
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

function typeSchema(type: string, format: string, names: Map<string, string>): JsonSchema {
  const inner = innerType(type);
  if (inner !== undefined) {
    return type.startsWith('Array<')
      ? { type: 'array', items: typeSchema(inner, format, names) }
      : { type: 'object', additionalProperties: typeSchema(inner, format, names) };
  }
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
    case 'V1MicroTime':
      return { type: 'string', format: 'date-time' };
    case 'IntOrString':
      return { $ref: refTo(INT_OR_STRING) };
    case 'any':
    case 'object':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      if (isModelName(type) && names.has(type)) return { $ref: refTo(names.get(type)!) };
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function modelSchema(def: ModelDef, names: Map<string, string>, defs: Map<string, ModelDef>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const p of def.properties) {
    const s = typeSchema(p.type, p.format, names);
    // client-node drops descriptions of fields that reference another type; the type's own description
    // stands in (kubectl explain then shows one description, not "<no description>").
    const description = p.description ?? (isModelName(p.type) ? defs.get(p.type)?.description : undefined);
    if (description) s.description = description;
    const patch = PATCH_META[def.name]?.[p.name];
    if (patch) {
      s['x-kubernetes-patch-strategy'] = patch.strategy;
      if (patch.key) s['x-kubernetes-patch-merge-key'] = patch.key;
    }
    if (s.type === 'array') {
      const listType = LIST_TYPES[def.name]?.[p.name] ?? { type: 'atomic' };
      s['x-kubernetes-list-type'] = listType.type;
      if (listType.keys) s['x-kubernetes-list-map-keys'] = [...listType.keys];
    }
    const values = ENUMS[def.name]?.[p.name];
    if (values && s.type === 'string') s.enum = [...values];
    properties[p.name] = s;
  }
  const required = def.properties.filter((p) => p.required).map((p) => p.name);
  return {
    ...(def.description ? { description: def.description } : {}),
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
  };
}

function makeRegistry(
  schemas: Map<string, JsonSchema>,
  names: Map<string, string>,
  byGVK: Map<string, string>,
  specVersion: string,
): SchemaRegistry {
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined => {
    let s = schema;
    for (let hops = 0; s && hops < 8; hops++) {
      if (typeof s.$ref === 'string') s = schemas.get(s.$ref.slice(REF_PREFIX.length));
      else if (Array.isArray(s.allOf) && s.allOf.length === 1 && !s.properties) s = s.allOf[0];
      else return s;
    }
    return s;
  };
  const refsOf = (s: unknown, out: Set<string>): void => {
    if (Array.isArray(s)) for (const v of s) refsOf(v, out);
    else if (s && typeof s === 'object') {
      for (const [k, v] of Object.entries(s)) {
        if (k === '$ref' && typeof v === 'string') out.add(v.slice(REF_PREFIX.length));
        else refsOf(v, out);
      }
    }
  };
  return {
    schemas,
    specVersion,
    nameOf: (model) => names.get(model),
    kindSchemaName: (gvk) => byGVK.get(gvkKey(gvk)),
    resolve,
    closure(start) {
      const seen = new Set<string>();
      const todo = [...start];
      while (todo.length) {
        const name = todo.pop()!;
        if (seen.has(name) || !schemas.has(name)) continue;
        seen.add(name);
        const refs = new Set<string>();
        refsOf(schemas.get(name), refs);
        todo.push(...refs);
      }
      return seen;
    },
  };
}

let shared: SchemaRegistry | undefined;

/** The registry built from the installed client-node package, built on first use and kept. */
export function defaultSchemaRegistry(): SchemaRegistry {
  return (shared ??= buildSchemaRegistry(fileModelSource()));
}
