// Validation causes worded as kube-apiserver words them (`spec.containers[0].image: Required value`): users
// and tools match on these strings, so the wording is part of the API.
import type { Cause, GroupVersionKind } from '../types.js';
import { qualifiedKind } from '../catalog.js';

/** `parent.name`, or `name` at the root. */
export function childPath(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

/** `parent[i]`. */
export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** `parent[key]`, as Kubernetes prints map keys in field paths (unquoted). */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

/** A value printed the way Go's `%#v`/`%q` prints it in field errors. */
export function goValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  }
  if (typeof value === 'object' && Object.values(value as object).every((v) => typeof v === 'string')) {
    const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

/** `Required value[: detail]`. */
export function required(field: string, detail = ''): Cause {
  return { reason: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

/** `Invalid value: <value>[: detail]`. */
export function invalid(field: string, value: unknown, detail: string): Cause {
  return { reason: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${goValue(value)}`, detail) };
}

/** `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): Cause {
  const detail = supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '';
  return {
    reason: 'FieldValueNotSupported',
    field,
    message: withDetail(`Unsupported value: ${goValue(value)}`, detail),
  };
}

/** `Duplicate value: <value>`. */
export function duplicate(field: string, value: unknown): Cause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` };
}

/** `Forbidden[: detail]`. */
export function forbidden(field: string, detail: string): Cause {
  return { reason: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

/** `Too long: may not be more than N bytes`. */
export function tooLong(field: string, maxBytes: number): Cause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxBytes} bytes` };
}

/** `Not found: <value>`. */
export function notFound(field: string, value: unknown): Cause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${goValue(value)}` };
}

/** `Invalid value: <value>: field is immutable` when the values differ (deep comparison). */
export function immutable(field: string, next: unknown, prev: unknown, value: unknown = next): Cause[] {
  return deepEqual(next, prev) ? [] : [invalid(field, value, 'field is immutable')];
}

/** Structural equality of JSON values; object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}

/** `path: body` for one cause, as field.Error.Error() prints it. */
export function causeText(c: Cause): string {
  return `${c.field}: ${c.message}`;
}

/**
 * The message of a 422 Invalid Status: `Pod "x" is invalid: spec.containers[0].image: Required value`, or
 * with several distinct causes `Deployment.apps "x" is invalid: [a: …, b: …]`.
 */
export function invalidMessage(gvk: { group: string; kind: string }, name: string, causes: Cause[]): string {
  const texts = [...new Set(causes.map(causeText))];
  const agg = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  return `${qualifiedKind(gvk)} ${JSON.stringify(name)} is invalid: ${agg}`;
}

/** The complete 422 `metav1.Status` for an object that failed validation. */
export function invalidStatus(gvk: GroupVersionKind, name: string, causes: Cause[]): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: invalidMessage(gvk, name, causes),
    reason: 'Invalid',
    details: { name, group: gvk.group, kind: gvk.kind, causes: causes.map((c) => ({ ...c })) },
    code: 422,
  };
}

/** `Invalid value: N: must be greater than or equal to 0` for a negative number. */
export function nonNegative(field: string, value: unknown): Cause[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** `Invalid value: N: must be greater than 0` for a number below 1. */
export function positive(field: string, value: unknown): Cause[] {
  return typeof value === 'number' && value <= 0 ? [invalid(field, value, 'must be greater than 0')] : [];
}

/** `Unsupported value` unless `value` is one of `supported`; `Required value` when it is empty. */
export function oneOf(field: string, value: unknown, supported: readonly string[], requiredIfEmpty = true): Cause[] {
  if (value === undefined || value === null || value === '') return requiredIfEmpty ? [required(field)] : [];
  return supported.includes(value as string) ? [] : [notSupported(field, value, supported)];
}
