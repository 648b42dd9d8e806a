// The smaller groups: autoscaling (v2 preferred, v1 still served), coordination, discovery, events and RBAC.
import type { ResourceInfo } from '../types.js';
import { defineGroupVersion } from './define.js';

// Both HPA versions are one stored resource; the storage layer converts between the two shapes.
const hpaStorage = { group: 'autoscaling', resource: 'horizontalpodautoscalers' };
const hpa = {
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: ['status'],
  specFields: ['spec'],
  storage: hpaStorage,
};

/** Catalog entries of autoscaling/v2 (the preferred version) and autoscaling/v1. */
export const autoscaling: ResourceInfo[] = [
  ...defineGroupVersion('autoscaling', 'v2', [hpa], { preferred: true }),
  ...defineGroupVersion('autoscaling', 'v1', [hpa], { preferred: false }),
];

/** Catalog entries of coordination.k8s.io/v1. */
export const coordinationV1: ResourceInfo[] = defineGroupVersion('coordination.k8s.io', 'v1', [
  { kind: 'Lease', resource: 'leases', namespaced: true },
]);

/** Catalog entries of discovery.k8s.io/v1. */
export const discoveryV1: ResourceInfo[] = defineGroupVersion('discovery.k8s.io', 'v1', [
  // EndpointSlice has no spec: Kubernetes bumps its generation whenever its payload fields change.
  {
    kind: 'EndpointSlice',
    resource: 'endpointslices',
    namespaced: true,
    specFields: ['addressType', 'endpoints', 'ports'],
  },
]);

/** Catalog entries of events.k8s.io/v1 (kept in its own storage; core/v1 Event is what kubectl reads). */
export const eventsV1: ResourceInfo[] = defineGroupVersion(
  'events.k8s.io',
  'v1',
  [{ kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] }],
  { modelPrefix: 'EventsV1' },
);

/** Catalog entries of rbac.authorization.k8s.io/v1. */
export const rbacV1: ResourceInfo[] = defineGroupVersion('rbac.authorization.k8s.io', 'v1', [
  { kind: 'Role', resource: 'roles', namespaced: true },
  { kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  { kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
]);
