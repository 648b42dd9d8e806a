// RBAC, HorizontalPodAutoscaler and Lease validation.
import type { Cause, KubeObject } from '../types.js';
import {
  childPath as at,
  deepEqual,
  goValue,
  indexPath,
  invalid,
  nonNegative,
  notSupported,
  positive,
  required,
} from './field.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): KubeObject[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Role (namespaced) and ClusterRole rules. */
export function validateRole(obj: KubeObject, clusterScoped: boolean): Cause[] {
  const causes: Cause[] = [];
  list(obj.rules).forEach((r, i) => {
    const rp = indexPath('rules', i);
    if (strings(r.verbs).length === 0) causes.push(required(at(rp, 'verbs'), 'verbs must contain at least one value'));
    const urls = strings(r.nonResourceURLs);
    if (urls.length) {
      if (!clusterScoped)
        causes.push(invalid(at(rp, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
      if (strings(r.apiGroups).length || strings(r.resources).length || strings(r.resourceNames).length) {
        causes.push(
          invalid(
            at(rp, 'nonResourceURLs'),
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      }
      return;
    }
    if (strings(r.apiGroups).length === 0)
      causes.push(required(at(rp, 'apiGroups'), 'resource rules must supply at least one api group'));
    if (strings(r.resources).length === 0)
      causes.push(required(at(rp, 'resources'), 'resource rules must supply at least one resource'));
  });
  return causes;
}

/** RoleBinding and ClusterRoleBinding: a role reference and well-formed subjects. */
export function validateRoleBinding(obj: KubeObject, clusterScoped: boolean): Cause[] {
  const causes: Cause[] = [];
  const ref: KubeObject = isObject(obj.roleRef) ? obj.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) causes.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = clusterScoped ? ['ClusterRole'] : ['ClusterRole', 'Role'];
  if (!kinds.includes(ref.kind)) causes.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(required('roleRef.name'));
  list(obj.subjects).forEach((s, i) => {
    const sp = indexPath('subjects', i);
    if (!s.name) causes.push(required(at(sp, 'name')));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.apiGroup) causes.push(notSupported(at(sp, 'apiGroup'), s.apiGroup, ['']));
        if (!s.namespace && clusterScoped) causes.push(required(at(sp, 'namespace')));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) causes.push(notSupported(at(sp, 'apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        causes.push(notSupported(at(sp, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return causes;
}

/** Bindings on update: the role they grant never changes (delete and recreate instead). */
export function validateRoleBindingUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  if (deepEqual(obj.roleRef, old.roleRef)) return [];
  const r: KubeObject = isObject(obj.roleRef) ? obj.roleRef : {};
  const shown = `rbac.RoleRef{APIGroup:${goValue(r.apiGroup ?? '')}, Kind:${goValue(r.kind ?? '')}, Name:${goValue(r.name ?? '')}}`;
  return [{ reason: 'FieldValueInvalid', field: 'roleRef', message: `Invalid value: ${shown}: cannot change roleRef` }];
}

/** HorizontalPodAutoscaler (v1 and v2): a target, sane replica bounds, v1's CPU percentage. */
export function validateHorizontalPodAutoscaler(obj: KubeObject, version: string): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes: Cause[] = [];
  const target: KubeObject = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  if (!target.kind) causes.push(required('spec.scaleTargetRef.kind'));
  if (!target.name) causes.push(required('spec.scaleTargetRef.name'));
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    causes.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  if (typeof spec.maxReplicas !== 'number') causes.push(required('spec.maxReplicas'));
  else if (spec.maxReplicas < 1) causes.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
  else if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
    causes.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  if (
    version === 'v1' &&
    typeof spec.targetCPUUtilizationPercentage === 'number' &&
    spec.targetCPUUtilizationPercentage < 1
  ) {
    causes.push(
      invalid(
        'spec.targetCPUUtilizationPercentage',
        spec.targetCPUUtilizationPercentage,
        'must be greater than or equal to 1',
      ),
    );
  }
  if (version === 'v2') {
    list(spec.metrics).forEach((m, i) => {
      const types = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
      if (!types.includes(m.type))
        causes.push(notSupported(at(indexPath('spec.metrics', i), 'type'), m.type ?? '', types));
    });
  }
  return causes;
}

/** Lease: positive durations, non-negative transition count. */
export function validateLease(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  return [
    ...positive('spec.leaseDurationSeconds', spec.leaseDurationSeconds),
    ...nonNegative('spec.leaseTransitions', spec.leaseTransitions),
  ];
}
