// applyDefaults: Kubernetes' defaulting for every kind in the catalog, as a pure function of the object.
import type { GroupVersionKind, KubeObject } from '../types.js';
import { defaultPod } from './pod.js';
import {
  defaultCronJob,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultReplicaSet,
  defaultStatefulSet,
} from './workloads.js';
import {
  defaultEndpointSlice,
  defaultEndpoints,
  defaultHorizontalPodAutoscaler,
  defaultNamespace,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultRoleBinding,
  defaultSecret,
  defaultService,
} from './platform.js';

type Defaulter = (obj: KubeObject, version: string) => void;

// Keyed by group/kind: defaulting does not depend on the version except where the function says so.
const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/PersistentVolume': defaultPersistentVolume,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': defaultHorizontalPodAutoscaler,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'rbac.authorization.k8s.io/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultRoleBinding,
};

/**
 * Returns a defaulted copy of `obj` (the input is not modified). Pods also get what creation-time admission
 * adds in Kubernetes (service account, priority, default tolerations) and a Pending status with a QoS class.
 */
export function applyDefaults(gvk: GroupVersionKind, obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  DEFAULTERS[`${gvk.group}/${gvk.kind}`]?.(copy, gvk.version);
  return copy;
}

export { defaultPullPolicy, podQOSClass } from './pod.js';
export { prepareJobForCreate } from './workloads.js';
