// Defaulting of the non-workload kinds: services and their endpoints, namespaces, storage, HPA and RBAC.
import type { KubeObject } from '../types.js';
import { child, items, setDefault, setDefaultString } from './util.js';

/** Service: ClusterIP, no session affinity, TCP ports targeting themselves, single-stack IPv4, Cluster policies. */
export function defaultService(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'type', 'ClusterIP');
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  for (const p of items(spec, 'ports')) {
    setDefaultString(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '')
      p.targetPort = p.port;
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.type !== 'ExternalName') {
    setDefaultString(spec, 'internalTrafficPolicy', 'Cluster');
    // Berth's service network is IPv4 only, so every service is single-stack IPv4.
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    setDefaultString(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  setDefault(child(obj, 'status'), 'loadBalancer', {});
}

/** Endpoints: TCP ports. */
export function defaultEndpoints(obj: KubeObject): void {
  for (const subset of items(obj, 'subsets'))
    for (const p of items(subset, 'ports')) setDefaultString(p, 'protocol', 'TCP');
}

/** EndpointSlice: TCP ports with an empty name. */
export function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of items(obj, 'ports')) {
    setDefault(p, 'name', '');
    setDefaultString(p, 'protocol', 'TCP');
  }
}

/** Namespace: the `kubernetes` finalizer, Active, and the immutable name label Kubernetes adds. */
export function defaultNamespace(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  setDefaultString(child(obj, 'status'), 'phase', 'Active');
  const name = obj.metadata?.name;
  if (typeof name === 'string' && name !== '') {
    child(child(obj, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name;
  }
}

/** Secret: type Opaque. */
export function defaultSecret(obj: KubeObject): void {
  setDefaultString(obj, 'type', 'Opaque');
}

/** PersistentVolumeClaim: a filesystem volume, Pending until bound. */
export function defaultPersistentVolumeClaim(obj: KubeObject): void {
  setDefaultString(child(obj, 'spec'), 'volumeMode', 'Filesystem');
  setDefaultString(child(obj, 'status'), 'phase', 'Pending');
}

/** PersistentVolume: retained on release, filesystem mode, Pending until available. */
export function defaultPersistentVolume(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefaultString(spec, 'volumeMode', 'Filesystem');
  setDefaultString(child(obj, 'status'), 'phase', 'Pending');
}

/** HorizontalPodAutoscaler: at least one replica; autoscaling/v2 targets 80% CPU when no metric is given. */
export function defaultHorizontalPodAutoscaler(obj: KubeObject, version: string): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (version === 'v2' && (!Array.isArray(spec.metrics) || spec.metrics.length === 0)) {
    spec.metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ];
  }
}

/** RoleBinding/ClusterRoleBinding: users and groups live in the RBAC group, service accounts in core. */
export function defaultRoleBinding(obj: KubeObject): void {
  for (const s of items(obj, 'subjects')) {
    if (s.apiGroup !== undefined) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = 'rbac.authorization.k8s.io';
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}
