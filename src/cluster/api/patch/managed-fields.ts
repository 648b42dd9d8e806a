// `metadata.managedFields` in and out: entries `{manager, operation, apiVersion, time, fieldsType: FieldsV1,
// fieldsV1, subresource}` keyed the way kube-apiserver keys them (Apply entries by manager and subresource,
// Update entries also by apiVersion), written in its order (Apply before Update, then by time, manager,
// apiVersion, subresource), with the fields it never tracks stripped and old Update entries folded into
// `ancient-changes` once there are more than ten.
import { fieldPE, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { isObject, type JsonObject } from './json.js';

/** One manager's ownership. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 time of the manager's last change, when known. */
  time?: string;
  set: FieldSet;
}

/** Managers by identifier. */
export type Managers = Map<string, ManagerEntry>;

/** The most Update entries kept before the oldest are merged (kube-apiserver's DefaultMaxUpdateManagers). */
export const MAX_UPDATE_MANAGERS = 10;
/** The manager name old Update entries are merged into. */
export const ANCIENT_CHANGES = 'ancient-changes';

/** The identifier of a manager entry: its JSON without times and fields (and, for Apply, without apiVersion). */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: JsonObject = { manager: e.manager || 'unknown', operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** A manager as conflict messages name it: `"kubectl-client-side-apply" using apps/v1`. */
export function printManager(id: string): string {
  let e: JsonObject;
  try {
    e = JSON.parse(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** Decodes `metadata.managedFields`; throws on entries that are not FieldsV1 objects. */
export function decodeManagedFields(list: unknown): Managers {
  const out: Managers = new Map();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Error('managedFields must be a list');
  for (const raw of list) {
    if (!isObject(raw)) throw new Error('managedFields entries must be objects');
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(raw.fieldsType)}`);
    const op = raw.operation;
    if (op !== 'Apply' && op !== 'Update') throw new Error(`invalid operation ${JSON.stringify(op)}`);
    const entry: ManagerEntry = {
      manager: String(raw.manager ?? ''),
      operation: op,
      apiVersion: String(raw.apiVersion ?? ''),
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
      ...(typeof raw.time === 'string' ? { time: raw.time } : {}),
      ...(raw.subresource ? { subresource: String(raw.subresource) } : {}),
    };
    const id = managerId(entry);
    if (out.has(id)) throw new Error(`duplicate manager ${id}`);
    out.set(id, entry);
  }
  return out;
}

/** Decodes managedFields, or undefined when they are malformed (callers then fall back). */
export function tryDecodeManagedFields(list: unknown): Managers | undefined {
  try {
    return decodeManagedFields(list);
  } catch {
    return undefined;
  }
}

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Encodes managers as `metadata.managedFields` entries, in kube-apiserver's order. */
export function encodeManagedFields(managers: Managers): JsonObject[] {
  const entries = [...managers.values()].filter((e) => !e.set.empty);
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: e.set.toFieldsV1(),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

/** Sets (or removes, when there are none) `metadata.managedFields` on `obj`. */
export function setManagedFields(obj: JsonObject, managers: Managers): void {
  const entries = encodeManagedFields(managers);
  if (!isObject(obj.metadata)) obj.metadata = {};
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** Fields kube-apiserver never attributes to a manager (identity and server-maintained metadata). */
export const STRIPPED_FIELDS: FieldSet = FieldSet.of(
  [fieldPE('apiVersion')],
  [fieldPE('kind')],
  [fieldPE('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): FieldPath => [fieldPE('metadata'), fieldPE(f)],
  ),
);

/** Removes the stripped fields from every manager and drops managers left with nothing. */
export function stripManagers(managers: Managers): void {
  for (const [id, e] of managers) {
    e.set = e.set.difference(STRIPPED_FIELDS);
    if (e.set.empty) managers.delete(id);
  }
}

/** Whether two managers maps give the same fields to the same managers (times aside). */
export function sameOwnership(a: Managers, b: Managers): boolean {
  const live = (m: Managers) => [...m].filter(([, e]) => !e.set.empty);
  const la = live(a);
  if (la.length !== live(b).length) return false;
  return la.every(([id, e]) => {
    const o = b.get(id);
    return !!o && JSON.stringify(o.set.toFieldsV1()) === JSON.stringify(e.set.toFieldsV1());
  });
}

/** A deep copy of a managers map (sets are copied). */
export function cloneManagers(managers: Managers): Managers {
  return new Map([...managers].map(([id, e]) => [id, { ...e, set: e.set.clone() }]));
}

/**
 * Keeps at most MAX_UPDATE_MANAGERS Update entries: the oldest are merged, per apiVersion, into an
 * `ancient-changes` entry that takes the time of the newest update merged into it.
 */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  const firstByVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [id, e] of updaters) {
    if (count <= max) break;
    const bucketId = managerId({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion });
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, id);
      continue;
    }
    let bucket = managers.get(bucketId);
    if (!bucket) {
      const f = managers.get(first)!;
      managers.delete(first);
      bucket = { ...f, manager: ANCIENT_CHANGES, subresource: undefined };
      delete bucket.subresource;
      managers.set(bucketId, bucket);
    }
    bucket.set = e.set.union(bucket.set);
    if (e.time) bucket.time = e.time;
    managers.delete(id);
    count--;
  }
}

/** RFC 3339 with seconds precision, as metav1.Time serializes. */
export function rfc3339(d: Date | undefined): string {
  return (d ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
}
