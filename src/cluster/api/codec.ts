// Between the version a request speaks and the form objects are stored in. Objects are stored in one
// version per storage resource (the "hub"); requests in another served version are converted on the way in
// and out. Today only HorizontalPodAutoscaler has two versions (hub autoscaling/v2). The resourceVersion is
// never stored: it is etcd's modRevision, written into every object read back.
import { apiVersionOf, type KubeObject, type ResourceInfo } from '../resources/index.js';
import type { StoredObject } from '../storage/object-store.js';
import { hpaToV1, hpaToV2 } from './hpa-convert.js';

interface VersionConverter {
  hub: string;
  /** From a spoke version to the hub (keyed by spoke version). */
  toHub: Record<string, (obj: KubeObject) => KubeObject>;
  fromHub: Record<string, (obj: KubeObject) => KubeObject>;
}

const CONVERTERS: Record<string, VersionConverter> = {
  'autoscaling/HorizontalPodAutoscaler': { hub: 'v2', toHub: { v1: hpaToV2 }, fromHub: { v1: hpaToV1 } },
};

/** The object as stored: converted to the storage version, without resourceVersion. Returns a copy. */
export function toStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  const conv = CONVERTERS[`${info.group}/${info.kind}`];
  let out = conv && info.version !== conv.hub ? conv.toHub[info.version]!(obj) : structuredClone(obj);
  out.apiVersion = apiVersionOf({ group: info.group, version: conv ? conv.hub : info.version });
  out.kind = info.kind;
  if (out.metadata) {
    const { resourceVersion: _rv, selfLink: _sl, ...meta } = out.metadata;
    out = { ...out, metadata: meta };
  }
  return out;
}

/** A stored value in the version of `info`, with apiVersion, kind and resourceVersion set. Returns a copy. */
export function fromStorage(info: ResourceInfo, stored: Pick<StoredObject, 'value' | 'modRevision'>): KubeObject {
  return decodeValue(info, stored.value, stored.modRevision);
}

/** Like fromStorage, for a bare value and revision. */
export function decodeValue(info: ResourceInfo, value: KubeObject, modRevision: number): KubeObject {
  const conv = CONVERTERS[`${info.group}/${info.kind}`];
  const storedVersion = String(value.apiVersion ?? '').split('/').pop();
  let out: KubeObject;
  if (conv && info.version !== storedVersion) {
    const hub = storedVersion === conv.hub ? value : conv.toHub[storedVersion ?? '']?.(value) ?? value;
    out = info.version === conv.hub ? structuredClone(hub) : conv.fromHub[info.version]!(hub);
  } else out = structuredClone(value);
  // Field order as Kubernetes prints it: kind, apiVersion, metadata first.
  const { kind: _k, apiVersion: _a, metadata, ...rest } = out;
  return {
    kind: info.kind,
    apiVersion: apiVersionOf(info),
    metadata: { ...(metadata ?? {}), resourceVersion: String(modRevision) },
    ...rest,
  };
}
