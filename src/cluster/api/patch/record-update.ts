// managedFields for writes that are not apply (create, update, JSON/merge/strategic patch): the writer,
// as manager with operation Update, comes to own every field it added or changed, and other managers lose
// those fields and any the write removed — what `kubectl get -o yaml --show-managed-fields` shows as
// kubectl-create, kubectl-client-side-apply, kubectl-edit… entries.
import type { KubeObject } from '../../resources/types.js';
import { isObject, type JsonObject } from './json.js';
import {
  capUpdateManagers,
  managerId,
  rfc3339,
  setManagedFields,
  STRIPPED_FIELDS,
  stripManagers,
  tryDecodeManagedFields,
  type Managers,
} from './managed-fields.js';
import { diff, ownershipContext, type OwnershipOptions } from './updater.js';

/** Options of one non-apply write. */
export interface RecordUpdateOptions extends OwnershipOptions {
  operation?: 'Update';
}

/** A managedFields list of one empty entry: the client asks to reset ownership tracking. */
function isReset(list: unknown): boolean {
  return Array.isArray(list) && list.length === 1 && isObject(list[0]) && Object.keys(list[0]).length === 0;
}

function ownersBefore(live: JsonObject | undefined, updated: JsonObject, subresource: string | undefined): Managers {
  const fromLive = () => tryDecodeManagedFields(live?.metadata?.managedFields) ?? new Map();
  // Subresource writes cannot set managedFields; elsewhere clients may write them directly, and an empty
  // or unreadable list means "keep what the live object has" (clients that do not know the field).
  if (subresource) return fromLive();
  const given = updated.metadata?.managedFields;
  if (isReset(given)) return new Map();
  const decoded = tryDecodeManagedFields(given);
  return decoded && decoded.size ? decoded : fromLive();
}

/**
 * Returns `updated` with `metadata.managedFields` maintained for a write by `opts.manager` (operation Update)
 * that turned `live` (undefined on create) into `updated`. Pass `updated` after defaulting and before
 * server-set fields matter (uid, resourceVersion… are never tracked). Objects updated without managedFields
 * stay untracked, and on internal failure the result carries none, as in Kubernetes. Inputs are not modified.
 */
export function recordUpdate(live: KubeObject | undefined, updated: KubeObject, opts: RecordUpdateOptions): KubeObject {
  const result = structuredClone(updated);
  const managers = ownersBefore(live, updated, opts.subresource);
  if (isObject(result.metadata)) delete result.metadata.managedFields;
  const liveObj = live ? structuredClone(live) : undefined;
  if (liveObj && isObject(liveObj.metadata)) delete liveObj.metadata.managedFields;
  const creating = !liveObj || !liveObj.metadata?.uid;
  if (!creating && managers.size === 0) return result;
  try {
    const ctx = ownershipContext(opts);
    const cmp = diff(ctx, liveObj ?? {}, result);
    const changed = cmp.modified.union(cmp.added);
    for (const e of managers.values()) e.set = e.set.difference(changed).difference(cmp.removed);
    stripManagers(managers);
    const own = changed.difference(STRIPPED_FIELDS);
    if (!own.empty) {
      const entry = { manager: opts.manager || 'unknown', operation: 'Update' as const, apiVersion: ctx.apiVersion, subresource: opts.subresource };
      const id = managerId(entry);
      const previous = managers.get(id);
      managers.set(id, {
        manager: entry.manager,
        operation: 'Update',
        apiVersion: ctx.apiVersion,
        set: previous ? own.union(previous.set) : own,
        time: rfc3339(opts.now),
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
      });
    }
    capUpdateManagers(managers);
    setManagedFields(result, managers);
  } catch {
    if (isObject(result.metadata)) delete result.metadata.managedFields;
  }
  return result;
}
