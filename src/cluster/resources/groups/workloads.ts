// apps/v1 and batch/v1: the workload controllers' kinds.
import type { ResourceInfo } from '../types.js';
import { defineGroupVersion } from './define.js';

// Workload objects count spec changes in metadata.generation so controllers can report observedGeneration.
const spec = ['spec'];

/** Catalog entries of apps/v1. */
export const appsV1: ResourceInfo[] = defineGroupVersion('apps', 'v1', [
  {
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    specFields: spec,
  },
  {
    kind: 'ReplicaSet',
    resource: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    specFields: spec,
  },
  {
    kind: 'DaemonSet',
    resource: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    specFields: spec,
  },
  {
    kind: 'StatefulSet',
    resource: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    specFields: spec,
  },
]);

/** Catalog entries of batch/v1. */
export const batchV1: ResourceInfo[] = defineGroupVersion('batch', 'v1', [
  { kind: 'Job', resource: 'jobs', namespaced: true, categories: ['all'], subresources: ['status'], specFields: spec },
  {
    kind: 'CronJob',
    resource: 'cronjobs',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
    specFields: spec,
  },
]);
