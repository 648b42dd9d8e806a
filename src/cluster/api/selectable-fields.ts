// The fields each resource can be selected by (`--field-selector`), as kube-apiserver's registries define
// them: every object has metadata.name and metadata.namespace; a few kinds add the fields their clients
// filter on (kubectl describe reads a pod's events by involvedObject.*, node agents list pods by
// spec.nodeName, dashboards pods by status.phase).
import type { KubeObject, ResourceInfo } from '../resources/index.js';

type Getter = (obj: KubeObject) => unknown;

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));

const POD: Record<string, Getter> = {
  'spec.nodeName': (o) => o.spec?.nodeName,
  'spec.restartPolicy': (o) => o.spec?.restartPolicy,
  'spec.schedulerName': (o) => o.spec?.schedulerName,
  'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
  'spec.hostNetwork': (o) => Boolean(o.spec?.hostNetwork),
  'status.phase': (o) => o.status?.phase,
  'status.podIP': (o) => o.status?.podIP,
  'status.nominatedNodeName': (o) => o.status?.nominatedNodeName,
};

const EVENT: Record<string, Getter> = {
  'involvedObject.kind': (o) => o.involvedObject?.kind,
  'involvedObject.namespace': (o) => o.involvedObject?.namespace,
  'involvedObject.name': (o) => o.involvedObject?.name,
  'involvedObject.uid': (o) => o.involvedObject?.uid,
  'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion,
  'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion,
  'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath,
  reason: (o) => o.reason,
  reportingComponent: (o) => o.reportingComponent,
  source: (o) => o.source?.component,
  type: (o) => o.type,
};

// events.k8s.io names the involved object `regarding`; Kubernetes serves the same selectors for both.
const EVENTS_V1: Record<string, Getter> = {
  ...Object.fromEntries(Object.entries(EVENT).filter(([k]) => k.startsWith('involvedObject.')).map(([k]) => [k, (o: KubeObject) => o.regarding?.[k.slice('involvedObject.'.length)]])),
  reason: (o) => o.reason,
  reportingComponent: (o) => o.reportingController,
  source: (o) => o.deprecatedSource?.component,
  type: (o) => o.type,
};

const BY_RESOURCE: Record<string, Record<string, Getter>> = {
  '/pods': POD,
  '/events': EVENT,
  'events.k8s.io/events': EVENTS_V1,
  '/secrets': { type: (o) => o.type },
  '/nodes': { 'spec.unschedulable': (o) => Boolean(o.spec?.unschedulable) },
  '/namespaces': { 'status.phase': (o) => o.status?.phase },
  '/services': { 'spec.clusterIP': (o) => o.spec?.clusterIP, 'spec.type': (o) => o.spec?.type },
  '/persistentvolumeclaims': { 'status.phase': (o) => o.status?.phase },
  '/persistentvolumes': { 'status.phase': (o) => o.status?.phase },
  'apps/replicasets': { 'status.replicas': (o) => o.status?.replicas ?? 0 },
  'batch/jobs': { 'status.successful': (o) => o.status?.successful ?? 0 },
};

function extra(info: ResourceInfo): Record<string, Getter> {
  return BY_RESOURCE[`${info.group}/${info.resource}`] ?? {};
}

/** Field names a resource can be selected by. */
export function selectableFields(info: ResourceInfo): string[] {
  return ['metadata.name', 'metadata.namespace', ...Object.keys(extra(info))];
}

/** The selectable field values of one object, as strings (booleans and numbers as Go prints them). */
export function fieldValues(info: ResourceInfo, obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {
    'metadata.name': str(obj.metadata?.name),
    'metadata.namespace': str(obj.metadata?.namespace),
  };
  for (const [k, get] of Object.entries(extra(info))) out[k] = str(get(obj));
  return out;
}
