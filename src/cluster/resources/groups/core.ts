// core/v1: the legacy group served under /api/v1.
import type { GroupVersionKind, ResourceInfo, SubresourceInfo } from '../types.js';
import { defineGroupVersion } from './define.js';

const core = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });

// The pod subresources that only a node agent can serve; kinds and verbs as kube-apiserver advertises them.
const podNodeFacing: SubresourceInfo[] = [
  { name: 'log', kind: core('Pod'), verbs: ['get'], nodeFacing: true },
  { name: 'exec', kind: core('PodExecOptions'), verbs: ['create', 'get'], nodeFacing: true },
  { name: 'attach', kind: core('PodAttachOptions'), verbs: ['create', 'get'], nodeFacing: true },
  { name: 'portforward', kind: core('PodPortForwardOptions'), verbs: ['create', 'get'], nodeFacing: true },
];

/** Catalog entries of core/v1. */
export const coreV1: ResourceInfo[] = defineGroupVersion('', 'v1', [
  {
    kind: 'Pod',
    resource: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', { name: 'binding', kind: core('Binding'), verbs: ['create'] }, ...podNodeFacing],
  },
  {
    kind: 'Service',
    resource: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
  },
  { kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'], listModel: 'V1EndpointsList' },
  { kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { kind: 'Secret', resource: 'secrets', namespaced: true },
  { kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'], model: 'CoreV1Event' },
  { kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  {
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', { name: 'finalize', kind: core('Namespace'), verbs: ['update'] }],
  },
  { kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status'] },
  {
    kind: 'PersistentVolume',
    resource: 'persistentvolumes',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
  },
  {
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
  },
]);
