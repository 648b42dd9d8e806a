// Pod defaulting: what `kubectl get pod -o yaml` shows that the user never wrote. Three sources in Kubernetes:
// the v1 scheme defaults (pod specs everywhere, including workload templates), SetDefaults_Pod (pods only:
// requests from limits) and admission plugins that run on pod creation (service account, priority,
// default tolerations). The pod registry also starts every pod Pending with a QoS class.
import type { KubeObject } from '../types.js';
import { compareQuantities } from '../quantity.js';
import { child, isObject, items, setDefault, setDefaultString } from './util.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/** `Always` for images without a tag or tagged `latest`, `IfNotPresent` otherwise (digests included). */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string' || image === '') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  const tag = colon < 0 ? 'latest' : lastSegment.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

function defaultHandler(handler: unknown): void {
  if (!isObject(handler) || !isObject(handler.httpGet)) return;
  setDefaultString(handler.httpGet, 'path', '/');
  setDefaultString(handler.httpGet, 'scheme', 'HTTP');
}

function defaultContainer(c: KubeObject): void {
  setDefaultString(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of items(c, 'ports')) setDefaultString(p, 'protocol', 'TCP');
  for (const e of items(c, 'env')) {
    const fieldRef = isObject(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
    if (isObject(fieldRef)) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObject(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

const VOLUME_SOURCES_WITH_MODE = ['configMap', 'secret', 'projected', 'downwardAPI'];

function defaultVolume(v: KubeObject): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  // A volume that names no source is an emptyDir, as in Kubernetes.
  if (sources.length === 0) v.emptyDir = {};
  for (const k of VOLUME_SOURCES_WITH_MODE) if (isObject(v[k])) setDefault(v[k], 'defaultMode', 0o644);
  if (isObject(v.hostPath)) setDefault(v.hostPath, 'type', '');
}

/** Scheme defaults of a PodSpec: applies to pods and to every pod template. */
export function defaultPodSpec(spec: KubeObject): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  for (const list of CONTAINER_LISTS) for (const c of items(spec, list)) defaultContainer(c);
  if (spec.hostNetwork === true) {
    // With the host's network the container port is the host port.
    for (const list of CONTAINER_LISTS)
      for (const c of items(spec, list))
        for (const p of items(c, 'ports')) if (!p.hostPort) p.hostPort = p.containerPort;
  }
  for (const v of items(spec, 'volumes')) defaultVolume(v);
}

/** Defaults of a pod template (`spec.template` of workloads). */
export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  defaultPodSpec(child(template, 'spec'));
}

// Requests copy limits when missing: a container that only sets limits is guaranteed exactly those.
function requestsFromLimits(c: KubeObject): void {
  const res = c.resources;
  if (!isObject(res) || !isObject(res.limits)) return;
  const requests = child(res, 'requests');
  for (const [name, value] of Object.entries(res.limits)) if (requests[name] === undefined) requests[name] = value;
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

// The DefaultTolerationSeconds admission plugin: pods ride out a flaky node for five minutes.
function defaultTolerations(spec: KubeObject): void {
  const tolerations: KubeObject[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const tolerates = (key: string) =>
    tolerations.some(
      (t) =>
        isObject(t) &&
        (t.key === key || (!t.key && t.operator === 'Exists')) &&
        (!t.effect || t.effect === 'NoExecute'),
    );
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** The QoS class Kubernetes derives from the containers' cpu and memory requests and limits. */
export function podQOSClass(spec: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...items(spec, 'initContainers'), ...items(spec, 'containers')];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = isObject(c.resources?.requests) ? c.resources.requests : {};
    const limits = isObject(c.resources?.limits) ? c.resources.limits : {};
    for (const name of ['cpu', 'memory']) {
      if (requests[name] !== undefined || limits[name] !== undefined) any = true;
      const req = requests[name] ?? limits[name];
      if (limits[name] === undefined || compareQuantities(req, limits[name]) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Full defaulting of a Pod object: scheme defaults, pod-only defaults, creation admission and status. */
export function defaultPod(pod: KubeObject): void {
  const spec = child(pod, 'spec');
  defaultPodSpec(spec);
  for (const list of ['initContainers', 'containers']) for (const c of items(spec, list)) requestsFromLimits(c);
  setDefaultString(spec, 'serviceAccountName', 'default');
  // The v1 API still mirrors the deprecated serviceAccount field.
  setDefaultString(spec, 'serviceAccount', spec.serviceAccountName);
  if (spec.priorityClassName === undefined) setDefault(spec, 'priority', 0);
  setDefaultString(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  defaultTolerations(spec);
  const status = child(pod, 'status');
  setDefaultString(status, 'phase', 'Pending');
  setDefaultString(status, 'qosClass', podQOSClass(spec));
}
