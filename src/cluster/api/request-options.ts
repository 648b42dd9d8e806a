// Query parameters of resource requests, checked the way kube-apiserver checks them (400 with its wording):
// dryRun, fieldManager, fieldValidation, list and watch options, delete options.
import type { GroupVersionKind, KubeObject } from '../resources/index.js';
import { strictDecodingMessage, unknownFields, unknownFieldWarnings } from '../resources/index.js';
import { isTrue } from './request-info.js';
import { badRequest } from './status.js';
import type { ListQuery } from './registry-read.js';
import type { WatchQuery } from './watch.js';
import type { IncludeObject } from './table.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** `dryRun=All` → true; absent → false; anything else 400. */
export function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return values.length > 0;
}

/** `fieldValidation`, default Warn (as Kubernetes since 1.27); unknown values 400. */
export function parseFieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Warn", "Strict"`);
}

/**
 * Field validation of a decoded object, as decoding does it in Kubernetes: Strict → 400 `strict decoding
 * error: unknown field "spec.foo"`; Warn → warnings; Ignore → silence. Unknown fields never reach storage:
 * returns the object without them (the input is not modified).
 */
export function checkUnknownFields(mode: FieldValidation, gvk: GroupVersionKind, obj: KubeObject, warnings: Set<string>, decoding = false): KubeObject {
  const unknown = unknownFields(gvk, obj);
  if (unknown.length === 0) return obj;
  if (mode === 'Strict') {
    // Request bodies fail while being decoded, and Kubernetes says which kind it was decoding.
    const prefix = decoding ? `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${gvk.kind}: ` : '';
    throw badRequest(prefix + strictDecodingMessage(unknown));
  }
  if (mode === 'Warn') for (const w of unknownFieldWarnings(unknown)) warnings.add(w);
  return pruneFields(obj, unknown);
}

/** A copy of obj without the fields at the given paths (`spec.foo`, `spec.containers[0].bogus`). */
export function pruneFields(obj: KubeObject, paths: readonly string[]): KubeObject {
  const out = structuredClone(obj);
  for (const p of paths) {
    const steps: (string | number)[] = [];
    for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    let node: any = out; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const step of steps.slice(0, -1)) {
      node = node?.[step];
      if (node === null || typeof node !== 'object') break;
    }
    const last = steps[steps.length - 1];
    if (node && typeof node === 'object' && last !== undefined && !Array.isArray(node)) delete node[last];
  }
  return out;
}

/** `fieldManager` (≤ 128 characters). */
export function checkFieldManager(manager: string): string {
  if (manager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return manager;
}

/** A non-negative integer parameter (400 otherwise); undefined when absent. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw badRequest(`${name}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

/** List options from the query. */
export function listQueryOf(query: URLSearchParams): ListQuery {
  const limit = intParam(query, 'limit');
  if (limit !== undefined && limit < 0) throw badRequest(`limit: Invalid value: ${limit}: must be greater than or equal to 0`);
  return {
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    ...(limit ? { limit } : {}),
    continue: query.get('continue'),
    resourceVersion: query.get('resourceVersion'),
    resourceVersionMatch: query.get('resourceVersionMatch'),
  };
}

/** Watch options from the query. */
export function watchQueryOf(query: URLSearchParams): WatchQuery & { timeoutSeconds?: number } {
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  return {
    resourceVersion: query.get('resourceVersion'),
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    allowWatchBookmarks: isTrue(query.get('allowWatchBookmarks')),
    sendInitialEvents: isTrue(query.get('sendInitialEvents')),
    ...(timeoutSeconds !== undefined && timeoutSeconds > 0 ? { timeoutSeconds } : {}),
  };
}

/** `includeObject` for Tables (default Metadata). */
export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "None", "Metadata", "Object"`);
}

/** DeleteOptions fields given as query parameters (they override the body's, as in Kubernetes). */
export function deleteOptionsFromQuery(query: URLSearchParams): KubeObject {
  const o: KubeObject = {};
  const policy = query.get('propagationPolicy');
  if (policy) o.propagationPolicy = policy;
  const grace = intParam(query, 'gracePeriodSeconds');
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const orphan = query.get('orphanDependents');
  if (orphan !== null) o.orphanDependents = isTrue(orphan);
  return o;
}
