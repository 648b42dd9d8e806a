// The remaining core/v1 kinds: ConfigMap, Secret, PersistentVolume, PersistentVolumeClaim, Event.
import type { Cause, KubeObject } from '../types.js';
import { childPath as at, deepEqual, forbidden, immutable, invalid, keyPath, notSupported, required } from './field.js';
import { isConfigMapKey } from './names.js';
import { parseQuantity } from '../quantity.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateDataKeys(obj: KubeObject, fields: string[]): Cause[] {
  const causes: Cause[] = [];
  const seen = new Map<string, string>();
  for (const field of fields) {
    if (!isObject(obj[field])) continue;
    for (const key of Object.keys(obj[field])) {
      for (const m of isConfigMapKey(key)) causes.push(invalid(keyPath(field, key), key, m));
      const other = seen.get(key);
      if (other) causes.push(invalid(keyPath(field, key), key, `duplicate of key present in ${other}`));
      seen.set(key, field);
    }
  }
  return causes;
}

/** ConfigMap: data and binaryData keys are valid and distinct. */
export function validateConfigMap(obj: KubeObject): Cause[] {
  return validateDataKeys(obj, ['data', 'binaryData']);
}

// Type-specific keys a Secret must carry.
const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

/** Secret: valid keys, and the keys its type requires. */
export function validateSecret(obj: KubeObject): Cause[] {
  const causes = validateDataKeys(obj, ['data', 'stringData']);
  const keys = new Set([
    ...Object.keys(isObject(obj.data) ? obj.data : {}),
    ...Object.keys(isObject(obj.stringData) ? obj.stringData : {}),
  ]);
  for (const k of SECRET_REQUIRED_KEYS[obj.type] ?? []) if (!keys.has(k)) causes.push(required(keyPath('data', k)));
  if (
    obj.type === 'kubernetes.io/service-account-token' &&
    !obj.metadata?.annotations?.['kubernetes.io/service-account.name']
  ) {
    causes.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return causes;
}

/** ConfigMap and Secret on update: nothing changes once `immutable` is true; a Secret's type never changes. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): Cause[] {
  const causes: Cause[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    for (const f of fields)
      if (!deepEqual(obj[f], old[f])) causes.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  if (old.kind === 'Secret') causes.push(...immutable('type', obj.type, old.type));
  return causes;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
// The fields of a PersistentVolumeSpec that are not volume sources.
const PV_NON_SOURCE = new Set([
  'accessModes',
  'capacity',
  'claimRef',
  'mountOptions',
  'nodeAffinity',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'volumeMode',
  'volumeAttributesClassName',
]);

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): Cause[] {
  const list = Array.isArray(modes) ? modes : [];
  if (list.length === 0) return [required(path, requiredDetail)];
  return list.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(path, m, ACCESS_MODES));
}

function validateStorage(q: unknown, path: string): Cause[] {
  if (q === undefined) return [required(path)];
  const parsed = parseQuantity(q);
  if (!parsed.ok) return [invalid(path, q, parsed.error)];
  return parsed.value <= 0 ? [invalid(path, String(q), 'must be greater than zero')] : [];
}

/** PersistentVolume: capacity, access modes, exactly one source, known policies. */
export function validatePersistentVolume(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  if (!isObject(spec.capacity)) causes.push(required('spec.capacity'));
  else causes.push(...validateStorage(spec.capacity.storage, keyPath('spec.capacity', 'storage')));
  const sources = Object.keys(spec).filter((k) => !PV_NON_SOURCE.has(k) && spec[k] != null);
  if (sources.length === 0) causes.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1))
    causes.push(forbidden(at('spec', extra), 'may not specify more than 1 volume type'));
  if (spec.persistentVolumeReclaimPolicy != null && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    causes.push(
      notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES),
    );
  }
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode))
    causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return causes;
}

/** PersistentVolumeClaim: access modes and a storage request. */
export function validatePersistentVolumeClaim(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const requests = isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : {};
  if (requests.storage === undefined) causes.push(required(keyPath('spec.resources', 'storage')));
  else causes.push(...validateStorage(requests.storage, keyPath('spec.resources.requests', 'storage')));
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode))
    causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return causes;
}

/**
 * PersistentVolumeClaim on update: the spec is frozen except storage requests (expansion) and binding a
 * claim to a volume for the first time.
 */
export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const spec: KubeObject = structuredClone(isObject(obj.spec) ? obj.spec : {});
  const prev: KubeObject = structuredClone(isObject(old.spec) ? old.spec : {});
  for (const s of [spec, prev]) if (isObject(s.resources)) delete s.resources.requests;
  if (!prev.volumeName) delete spec.volumeName;
  if (deepEqual(spec, prev)) return [];
  return [forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims')];
}

/** PersistentVolume on update: the volume source is fixed. */
export function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const prev: KubeObject = isObject(old.spec) ? old.spec : {};
  const changed = Object.keys({ ...spec, ...prev }).some((k) => !PV_NON_SOURCE.has(k) && !deepEqual(spec[k], prev[k]));
  return changed
    ? [forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation')]
    : [];
}

/** Event: it must name the object it is about, in its own namespace. */
export function validateEvent(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const involved: KubeObject = isObject(obj.involvedObject) ? obj.involvedObject : {};
  const ns = obj.metadata?.namespace;
  if (involved.namespace && ns && involved.namespace !== ns) {
    causes.push(invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'));
  }
  return causes;
}
