// Server-side apply (`application/apply-patch+yaml`): merges an applied configuration into the live object
// (or into nothing, to create it), records the fields it sets as owned by the applying manager, removes the
// fields that manager applied before and dropped now (unless someone else owns them), and refuses — 409
// with one FieldManagerConflict cause per field — to change fields another manager owns, unless forced.
import type { KubeObject } from '../../resources/types.js';
import { conflictError, conflictsFrom, type FieldConflict } from './conflicts.js';
import { badRequest, plainError } from './errors.js';
import { deepEqual, isObject, type JsonObject } from './json.js';
import {
  capUpdateManagers,
  cloneManagers,
  decodeManagedFields,
  managerId,
  rfc3339,
  setManagedFields,
  STRIPPED_FIELDS,
  sameOwnership,
  type Managers,
} from './managed-fields.js';
import { allowedConflictsFromLastApplied, KUBECTL_APPLY_MANAGER, syncLastApplied } from './last-applied.js';
import { mergeTyped } from './typed-merge.js';
import { toFieldSet, validateTyped } from './typed-walk.js';
import {
  conflictsOf,
  diff,
  ownershipContext,
  prune,
  releaseFields,
  type OwnershipContext,
  type OwnershipOptions,
} from './updater.js';
import type { FieldSet } from './field-set.js';

/** Options of one apply. */
export interface ServerSideApplyOptions extends OwnershipOptions {
  /** Take ownership of conflicting fields instead of failing (`force=true`). */
  force: boolean;
  operation?: 'Apply';
}

/** The applied object and the conflicts `force` overrode. */
export interface ServerSideApplyResult {
  /** The new object with `metadata.managedFields` (the live object when nothing changed). */
  object: KubeObject;
  /** Conflicts taken over because of `force` (empty otherwise: unforced conflicts throw a 409). */
  conflicts: FieldConflict[];
  /** Whether the object (apart from managedFields) differs from the live one. */
  changed: boolean;
}

/** `apps/v1, Kind=Deployment`, as Go prints a GroupVersionKind. */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = av.indexOf('/');
  const [group, version] = slash < 0 ? ['', av] : [av.slice(0, slash), av.slice(slash + 1)];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function checkApplied(ctx: OwnershipContext, applied: unknown, kind: string): asserts applied is JsonObject {
  if (!isObject(applied)) throw badRequest('error decoding YAML: the apply patch must be an object');
  if (applied.apiVersion !== ctx.apiVersion || applied.kind !== kind) {
    throw badRequest(`invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  if (isObject(applied.metadata) && applied.metadata.managedFields != null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const errors = validateTyped(applied, ctx.cur);
  if (errors.length) {
    const ns = applied.metadata?.namespace ?? '';
    const name = applied.metadata?.name ?? '';
    const text = errors.length === 1 ? errors[0] : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n');
    throw plainError(`failed to create typed patch object (${ns}/${name}; ${gvkString(applied.apiVersion, applied.kind)}): ${text}`);
  }
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const copy = structuredClone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

interface Attempt {
  object: JsonObject;
  managers: Managers;
  conflicts: Map<string, FieldSet>;
  changed: boolean;
}

function applyOnce(ctx: OwnershipContext, opts: ServerSideApplyOptions, live: JsonObject, applied: JsonObject, managers0: Managers, force: boolean): Attempt {
  const managers = cloneManagers(managers0);
  const id = managerId({ manager: opts.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: opts.subresource });
  const configSet = toFieldSet(applied, ctx.cur).difference(STRIPPED_FIELDS).recursiveDifference(ctx.ignore);
  const merged = (mergeTyped(live, applied, ctx.cur) ?? {}) as JsonObject;
  const previous = managers.get(id);
  managers.set(id, {
    manager: opts.manager || 'unknown',
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    set: configSet,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
    ...(previous?.time ? { time: previous.time } : {}),
  });
  const object = prune(ctx, merged, managers, previous?.set);
  const cmp = diff(ctx, live, object);
  const conflicts = conflictsOf(managers, cmp, id);
  if (conflicts.size && !force) return { object, managers, conflicts, changed: true };
  releaseFields(managers, conflicts, cmp, id);
  const changed = !deepEqual(live, object);
  // kube-apiserver stamps the applier's entry, then reverts timestamps when a write changes nothing at all
  // (neither the object nor anyone's ownership), so a no-op apply keeps its time.
  const entry = managers.get(id);
  if (entry && (changed || !sameOwnership(managers, managers0))) entry.time = rfc3339(opts.now);
  return { object, managers, conflicts, changed };
}

/**
 * Applies `applied` (an object of the same apiVersion and kind) onto `live` (undefined: creating it) as
 * manager `opts.manager`. Throws ApiError: 400 for a malformed configuration, 409 for unforced conflicts,
 * 500 (as Kubernetes) for fields the schema does not declare. Inputs are not modified.
 */
export function applyServerSide(live: KubeObject | undefined, applied: KubeObject, opts: ServerSideApplyOptions): ServerSideApplyResult {
  const ctx = ownershipContext(opts);
  checkApplied(ctx, applied, opts.gvk.kind);
  let managers: Managers;
  try {
    managers = decodeManagedFields(live?.metadata?.managedFields);
  } catch (e) {
    throw plainError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveObj = live ? withoutManagedFields(live) : {};
  let attempt = applyOnce(ctx, opts, liveObj, applied, managers, opts.force);
  let overridden = opts.force ? conflictsFrom(attempt.conflicts) : [];
  if (attempt.conflicts.size && !opts.force) {
    // kubectl moving from client-side to server-side apply may take over what its annotation says it applied.
    const allowed = opts.manager === KUBECTL_APPLY_MANAGER ? allowedConflictsFromLastApplied(ctx, live ? liveObj : undefined) : undefined;
    const remaining = conflictsFrom(attempt.conflicts).filter((c) => !allowed?.has(c.path));
    if (remaining.length) throw conflictError(remaining);
    attempt = applyOnce(ctx, opts, liveObj, applied, managers, true);
    overridden = [];
  }
  const object = attempt.changed ? attempt.object : structuredClone(liveObj);
  let changed = attempt.changed;
  if (opts.manager === KUBECTL_APPLY_MANAGER && syncLastApplied(object, applied)) changed = true;
  capUpdateManagers(attempt.managers);
  setManagedFields(object, attempt.managers);
  return { object, conflicts: overridden, changed };
}
