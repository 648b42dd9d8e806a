// The patch engines' public surface: RFC 6902 JSON patch, RFC 7386 merge patch, Kubernetes' strategic merge
// patch, server-side apply, and managedFields bookkeeping for non-apply writes. All pure: objects in,
// objects out, failures as ApiError with Kubernetes' codes and wording.
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { applyServerSide, type ServerSideApplyOptions, type ServerSideApplyResult } from './server-side-apply.js';
export { recordUpdate, type RecordUpdateOptions } from './record-update.js';
export { defaultIgnoredFields, type OwnershipOptions } from './updater.js';
export { conflictError, type FieldConflict } from './conflicts.js';
export { FieldSet } from './field-set.js';
export { pathString, peKey, type FieldPath, type PathElement } from './field-path.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  managerId,
  printManager,
  ANCIENT_CHANGES,
  MAX_UPDATE_MANAGERS,
  type ManagerEntry,
  type Managers,
} from './managed-fields.js';
export { LAST_APPLIED, buildLastApplied } from './last-applied.js';
export { schemaForKind, untypedSchema, ATOMIC_STRUCTS, type PatchSchema, type FieldType } from './schema.js';
export { literalSchema, type LiteralType } from './literal-schema.js';
