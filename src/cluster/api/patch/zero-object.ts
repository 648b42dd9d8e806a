// The shape of a freshly constructed Go object as kube-apiserver's field manager sees it. Comparisons there
// run on typed objects converted to JSON, where value (non-pointer) structs are always present (`spec: {}`,
// `strategy: {}`) and some lists are present as null (`containers: null`). Whether a map or list was present
// before decides whether an Update owns it as a whole (the `.` entries of managedFields), so Berth overlays
// the same skeleton on both sides of a comparison.
import { isObject, type JsonObject } from './json.js';
import type { TypeCursor } from './schema.js';

type Zero = 'struct' | 'null';

// Value-struct fields (`struct`) and non-omitempty slices and pointers (`null`) by type name; every kind's
// `metadata`, `spec` and `status` are value structs too.
const ZERO_FIELDS: Record<string, Record<string, Zero>> = {
  PodTemplateSpec: { metadata: 'struct', spec: 'struct' },
  PodSpec: { containers: 'null' },
  DeploymentSpec: { selector: 'null', template: 'struct', strategy: 'struct' },
  ReplicaSetSpec: { selector: 'null', template: 'struct' },
  DaemonSetSpec: { selector: 'null', template: 'struct', updateStrategy: 'struct' },
  StatefulSetSpec: { selector: 'null', template: 'struct', updateStrategy: 'struct' },
  JobSpec: { template: 'struct' },
  CronJobSpec: { jobTemplate: 'struct' },
  JobTemplateSpec: { metadata: 'struct', spec: 'struct' },
  ServiceStatus: { loadBalancer: 'struct' },
  RoleBinding: { roleRef: 'struct' },
  ClusterRoleBinding: { roleRef: 'struct' },
  Role: { rules: 'null' },
  ClusterRole: { rules: 'null' },
  Event: {
    involvedObject: 'struct',
    source: 'struct',
    regarding: 'struct',
    deprecatedSource: 'struct',
    firstTimestamp: 'null',
    lastTimestamp: 'null',
    eventTime: 'null',
  },
  EndpointSlice: { endpoints: 'null', ports: 'null' },
  HorizontalPodAutoscalerSpec: { scaleTargetRef: 'struct' },
  NodeStatus: { daemonEndpoints: 'struct', nodeInfo: 'struct' },
  NodeDaemonEndpoints: { kubeletEndpoint: 'struct' },
  PersistentVolumeClaimSpec: { resources: 'struct' },
};

const ROOT_FIELDS: Record<string, Zero> = { metadata: 'struct', spec: 'struct', status: 'struct' };

/** The zero value of the struct at `cur`, as Go's unstructured converter renders it (maps and nulls only). */
export function zeroObject(cur: TypeCursor, root = true): JsonObject {
  const out: JsonObject = {};
  const fields = { ...(root ? ROOT_FIELDS : {}), ...(ZERO_FIELDS[cur.type.typeName ?? ''] ?? {}) };
  for (const [name, zero] of Object.entries(fields)) {
    if (!cur.declares(name)) continue;
    if (zero === 'null') {
      out[name] = null;
      continue;
    }
    const fc = cur.field(name);
    out[name] = fc && fc.type.kind === 'struct' ? zeroObject(fc, false) : {};
  }
  return out;
}

/** `obj` with the members of `zero` it lacks filled in (recursively through maps present on both). */
export function withZero(obj: unknown, zero: JsonObject): unknown {
  if (!isObject(obj)) return obj;
  const out: JsonObject = { ...obj };
  for (const [k, z] of Object.entries(zero)) {
    if (!(k in out)) out[k] = structuredClone(z);
    else if (isObject(z) && isObject(out[k])) out[k] = withZero(out[k], z);
  }
  return out;
}
