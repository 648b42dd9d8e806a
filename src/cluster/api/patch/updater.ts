// The ownership bookkeeping shared by apply and update, after structured-merge-diff's Updater: what a write
// changed, which managers lose the fields it changed (or conflict over them), and which fields an applier
// dropped from its configuration that nobody else owns (and so are removed from the object).
import type { GroupVersionKind } from '../../resources/types.js';
import { findKind } from '../../resources/catalog.js';
import { fieldPE, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { isObject, type JsonObject } from './json.js';
import type { Managers } from './managed-fields.js';
import { schemaForKind, TypeCursor, type PatchSchema } from './schema.js';
import { removeItems } from './typed-merge.js';
import { compareTyped, ensureNamedFieldsAreMembers, toFieldSet, type Comparison } from './typed-walk.js';
import { withZero, zeroObject } from './zero-object.js';

/** Options common to apply and update bookkeeping. */
export interface OwnershipOptions {
  manager: string;
  gvk: GroupVersionKind;
  /** Now: the time recorded on changed entries. */
  now: Date;
  /** `status`, `scale`…: recorded on the entry; its own defaults for ignored fields. */
  subresource?: string;
  /**
   * Field paths (property names) whose ownership is not tracked because the write resets them: by default
   * `status` for the main resource of kinds with a status subresource, `spec` for the status subresource.
   */
  ignoreFields?: string[][];
  /** Overrides the schema read from the OpenAPI registry. */
  schema?: PatchSchema;
}

/** What the bookkeeping needs about the kind and the write. */
export interface OwnershipContext {
  cur: TypeCursor;
  ignore: FieldSet;
  zero: JsonObject;
  apiVersion: string;
}

/** The reset fields Kubernetes' strategies declare for the main resource and for `status`. */
export function defaultIgnoredFields(gvk: GroupVersionKind, subresource?: string): string[][] {
  if (subresource === 'status') return [['spec']];
  if (subresource) return [];
  return findKind(gvk)?.subresources.some((s) => s.name === 'status') ? [['status']] : [];
}

/** Builds the context of one write. */
export function ownershipContext(opts: OwnershipOptions): OwnershipContext {
  const cur = TypeCursor.root(opts.schema ?? schemaForKind(opts.gvk));
  const paths = opts.ignoreFields ?? defaultIgnoredFields(opts.gvk, opts.subresource);
  const ignore = FieldSet.of(...paths.map((p): FieldPath => p.map(fieldPE)));
  const { group, version } = opts.gvk;
  return { cur, ignore, zero: zeroObject(cur), apiVersion: group ? `${group}/${version}` : version };
}

/** The change from `lhs` to `rhs`, compared as typed objects, without ignored fields. */
export function diff(ctx: OwnershipContext, lhs: unknown, rhs: unknown): Comparison {
  const c = compareTyped(withZero(lhs, ctx.zero), withZero(rhs, ctx.zero), ctx.cur);
  return {
    added: c.added.recursiveDifference(ctx.ignore),
    modified: c.modified.recursiveDifference(ctx.ignore),
    removed: c.removed.recursiveDifference(ctx.ignore),
  };
}

/** For each manager but `self`: the fields it owns that the write added or changed. */
export function conflictsOf(managers: Managers, cmp: Comparison, self: string): Map<string, FieldSet> {
  const changed = cmp.modified.union(cmp.added);
  const out = new Map<string, FieldSet>();
  for (const [id, e] of managers) {
    if (id === self) continue;
    const c = e.set.intersection(changed);
    if (!c.empty) out.set(id, c);
  }
  return out;
}

/** Takes the changed fields away from their other owners, and removed fields from everyone but `self`. */
export function releaseFields(managers: Managers, conflicts: Map<string, FieldSet>, cmp: Comparison, self: string): void {
  for (const [id, c] of conflicts) {
    const e = managers.get(id);
    if (e) e.set = e.set.difference(c);
  }
  if (!cmp.removed.empty) {
    for (const [id, e] of managers) if (id !== self) e.set = e.set.difference(cmp.removed);
  }
  for (const [id, e] of managers) if (e.set.empty) managers.delete(id);
}

/**
 * Removes from `merged` what the applier owned last time (`lastSet`) and no manager owns now, following
 * structured-merge-diff's prune: remove the last set, add back what anyone owns, add back what was never the
 * applier's (defaults and other writers' fields left under removed parents).
 */
export function prune(ctx: OwnershipContext, merged: JsonObject, managers: Managers, lastSet: FieldSet | undefined): JsonObject {
  if (!lastSet || lastSet.empty) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, ctx.cur);
  const asObject = (v: unknown): JsonObject => (isObject(v) ? v : {});
  const last = ensure(lastSet);
  let managed = new FieldSet();
  for (const e of managers.values()) managed = managed.union(e.set);
  managed = ensure(managed);
  const mergedSet = ensure(toFieldSet(merged, ctx.cur));
  const pruned1 = asObject(removeItems(merged, last, ctx.cur));
  const notOwned = mergedSet.difference(ensure(toFieldSet(pruned1, ctx.cur)).union(managed));
  const pruned2 = asObject(removeItems(merged, notOwned, ctx.cur));
  const dangling = mergedSet.difference(ensure(toFieldSet(pruned2, ctx.cur))).intersection(last);
  return asObject(removeItems(merged, dangling, ctx.cur));
}
