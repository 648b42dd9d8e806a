// The `scale` subresource: an autoscaling/v1 Scale view of a workload's replicas (what `kubectl scale` and
// autoscalers read and write), mapped onto the parent object's spec.replicas.
import type { KubeObject } from '../resources/index.js';
import { formatLabelSelector } from './selectors.js';
import { invalid } from './status.js';

const SCALE_GVK = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** The Scale of a workload object. */
export function toScale(obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 0 },
    status: { replicas: typeof obj.status?.replicas === 'number' ? obj.status.replicas : 0, selector: formatLabelSelector(obj.spec?.selector) },
  };
}

/**
 * The parent object with the Scale's replicas applied (422 for a negative or non-integer count). The
 * Scale's resourceVersion, when given, becomes the parent's precondition.
 */
export function applyScale(parent: KubeObject, scale: KubeObject): KubeObject {
  const name = parent.metadata?.name ?? '';
  const replicas = scale?.spec?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw invalid(SCALE_GVK, name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const out = structuredClone(parent);
  out.spec = { ...(out.spec ?? {}), replicas: replicas ?? 0 };
  const rv = scale?.metadata?.resourceVersion;
  if (rv) out.metadata.resourceVersion = rv;
  else delete out.metadata.resourceVersion;
  return out;
}
