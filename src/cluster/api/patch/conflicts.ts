// Server-side apply conflicts and the 409 kube-apiserver answers with: one StatusCause per conflicting field
// (reason FieldManagerConflict) and a message naming the managers, e.g. `Apply failed with 1 conflict:
// conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`.
import { ApiError } from '../types.js';
import { pathString, type FieldPath } from './field-path.js';
import type { FieldSet } from './field-set.js';
import { printManager } from './managed-fields.js';

/** One field another manager owns with a different value than the one applied. */
export interface FieldConflict {
  /** The other manager as messages print it (`"kubectl-edit" using apps/v1`). */
  manager: string;
  /** The field, as `.spec.replicas`. */
  field: string;
  /** `conflict with "kubectl-edit" using apps/v1`. */
  message: string;
  /** The manager's identifier (its managedFields entry without time and fields). */
  managerId: string;
  path: FieldPath;
}

/** Conflicts per manager identifier, flattened in manager order and field-set order. */
export function conflictsFrom(byManager: Map<string, FieldSet>): FieldConflict[] {
  const out: FieldConflict[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const manager = printManager(id);
    for (const path of byManager.get(id)!.paths()) {
      out.push({ manager, field: pathString(path), message: `conflict with ${manager}`, managerId: id, path });
    }
  }
  return out;
}

/** The 409 Conflict kube-apiserver returns for apply conflicts. */
export function conflictError(conflicts: FieldConflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${c.manager}: ${c.field}`;
  } else {
    const lines: string[] = [];
    const byManager = new Map<string, FieldConflict[]>();
    for (const c of conflicts) byManager.set(c.managerId, [...(byManager.get(c.managerId) ?? []), c]);
    for (const id of [...byManager.keys()].sort()) {
      const list = byManager.get(id)!;
      lines.push(`conflicts with ${list[0]!.manager}:`);
      for (const c of list) lines.push(`- ${c.field}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: c.message, field: c.field }));
  return new ApiError(409, 'Conflict', message, { causes });
}
