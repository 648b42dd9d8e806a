// validateCreate / validateUpdate: Kubernetes' validation for every kind in the catalog. Both expect the
// object after defaulting (as kube-apiserver validates after decoding and defaulting).
import type { Cause, GroupVersionKind, KubeObject } from '../types.js';
import { findKind } from '../catalog.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  type NameValidator,
} from './names.js';
import { validatePodSpec } from './pod.js';
import { validatePodSpecUpdate } from './template.js';
import {
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateSelectorUpdate,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './apps.js';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.js';
import {
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateService,
  validateServiceUpdate,
} from './service.js';
import {
  validateConfigMap,
  validateEvent,
  validateImmutableData,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateSecret,
} from './core.js';
import {
  validateHorizontalPodAutoscaler,
  validateLease,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from './platform.js';

interface KindRules {
  name: NameValidator;
  /** Checks of the object's own fields, on create and again on update. */
  spec?: (obj: KubeObject, version: string) => Cause[];
  /** Extra checks comparing an update with the stored object. */
  update?: (obj: KubeObject, old: KubeObject, version: string) => Cause[];
}

const dns = nameIsDNSSubdomain;

// Keyed by group/kind.
const RULES: Record<string, KindRules> = {
  '/Pod': {
    name: dns,
    spec: (o) => validatePodSpec(o.spec, 'spec'),
    update: (o, old) => validatePodSpecUpdate(o.spec, old.spec),
  },
  '/Service': { name: nameIsDNS1035Label, spec: validateService, update: validateServiceUpdate },
  '/Endpoints': { name: dns, spec: validateEndpoints },
  '/ConfigMap': {
    name: dns,
    spec: validateConfigMap,
    update: (o, old) => validateImmutableData(o, old, ['data', 'binaryData']),
  },
  '/Secret': {
    name: dns,
    spec: validateSecret,
    update: (o, old) => validateImmutableData(o, { kind: 'Secret', ...old }, ['data', 'stringData']),
  },
  '/Event': { name: dns, spec: validateEvent },
  '/ServiceAccount': { name: dns },
  '/Namespace': { name: nameIsDNSLabel },
  '/Node': { name: dns },
  '/PersistentVolume': { name: dns, spec: validatePersistentVolume, update: validatePersistentVolumeUpdate },
  '/PersistentVolumeClaim': {
    name: dns,
    spec: validatePersistentVolumeClaim,
    update: validatePersistentVolumeClaimUpdate,
  },
  'apps/Deployment': { name: dns, spec: validateDeployment, update: validateSelectorUpdate },
  'apps/ReplicaSet': { name: dns, spec: validateReplicaSet, update: validateSelectorUpdate },
  'apps/DaemonSet': { name: dns, spec: validateDaemonSet, update: validateSelectorUpdate },
  'apps/StatefulSet': { name: dns, spec: validateStatefulSet, update: validateStatefulSetUpdate },
  'batch/Job': { name: dns, spec: validateJob, update: validateJobUpdate },
  'batch/CronJob': { name: dns, spec: validateCronJob, update: (o) => validateCronJobUpdate(o) },
  'autoscaling/HorizontalPodAutoscaler': { name: dns, spec: validateHorizontalPodAutoscaler },
  'coordination.k8s.io/Lease': { name: dns, spec: validateLease },
  'discovery.k8s.io/EndpointSlice': { name: dns, spec: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'events.k8s.io/Event': { name: dns },
  'rbac.authorization.k8s.io/Role': { name: nameIsPathSegment, spec: (o) => validateRole(o, false) },
  'rbac.authorization.k8s.io/ClusterRole': { name: nameIsPathSegment, spec: (o) => validateRole(o, true) },
  'rbac.authorization.k8s.io/RoleBinding': {
    name: nameIsPathSegment,
    spec: (o) => validateRoleBinding(o, false),
    update: validateRoleBindingUpdate,
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    name: nameIsPathSegment,
    spec: (o) => validateRoleBinding(o, true),
    update: validateRoleBindingUpdate,
  },
};

/** Validation causes for creating `obj` (empty when valid). Unknown kinds yield no causes. */
export function validateCreate(gvk: GroupVersionKind, obj: KubeObject): Cause[] {
  const info = findKind(gvk);
  const rules = RULES[`${gvk.group}/${gvk.kind}`];
  if (!info || !rules) return [];
  return [...validateObjectMeta(obj, info.namespaced, rules.name), ...(rules.spec?.(obj, gvk.version) ?? [])];
}

/** Validation causes for replacing `old` with `obj` (empty when valid). */
export function validateUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): Cause[] {
  const rules = RULES[`${gvk.group}/${gvk.kind}`];
  if (!findKind(gvk) || !rules) return [];
  return [
    ...validateObjectMetaUpdate(obj, old),
    ...(rules.spec?.(obj, gvk.version) ?? []),
    ...(rules.update?.(obj, old, gvk.version) ?? []),
  ];
}

export { invalidMessage, invalidStatus, causeText } from './field.js';
export { cronScheduleError } from './cron.js';
export { selectorMatches } from './meta.js';
