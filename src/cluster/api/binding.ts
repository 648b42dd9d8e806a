// `POST …/pods/{name}/binding`: how a scheduler assigns a pod to a node. It sets spec.nodeName (which an
// ordinary update may not change) and the PodScheduled condition, once: a bound pod stays bound.
import type { KubeObject, ResourceInfo } from '../resources/index.js';
import { isStorageError } from '../storage/errors.js';
import { rfc3339 } from './age.js';
import { fromStorage, toStorage } from './codec.js';
import type { RegistryContext, WriteOptions } from './context.js';
import { conflict, invalid, notFound } from './status.js';
import { objectKey } from './storage-keys.js';

const BINDING = { group: '', resource: 'pods/binding' };

/** Checks a Binding body; returns the node name it targets. */
export function bindingTarget(name: string, body: KubeObject): string {
  const target = body?.target ?? {};
  const causes = [];
  if (target.kind && target.kind !== 'Node') {
    causes.push({ reason: 'FieldValueNotSupported' as const, field: 'target.kind', message: `Unsupported value: ${JSON.stringify(target.kind)}: supported values: "Node"` });
  }
  if (!target.name) causes.push({ reason: 'FieldValueRequired' as const, field: 'target.name', message: 'Required value' });
  if (causes.length) throw invalid({ group: '', version: 'v1', kind: 'Binding' }, name, causes);
  return target.name;
}

/** The pod bound to `node` at `now` (409 when it is already bound or being deleted). */
export function boundPod(pod: KubeObject, node: string, now: Date): KubeObject {
  const name = pod.metadata?.name ?? '';
  if (pod.metadata?.deletionTimestamp) throw conflict(BINDING, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw conflict(BINDING, name, `pod ${name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`);
  const out = structuredClone(pod);
  out.spec = { ...(out.spec ?? {}), nodeName: node };
  const conditions: KubeObject[] = (out.status?.conditions ?? []).filter((c: KubeObject) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) });
  out.status = { ...(out.status ?? {}), conditions };
  return out;
}

/** Binds a pod to a node. */
export async function bindPod(ctx: RegistryContext, info: ResourceInfo, namespace: string, name: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  const node = bindingTarget(name, body);
  const key = objectKey(info, namespace, name);
  for (let attempt = 0; attempt < 8; attempt++) {
    const stored = await ctx.store.get(key);
    if (!stored) throw notFound(info, name);
    const pod = boundPod(fromStorage(info, stored), node, ctx.now());
    if (opts.dryRun) return pod;
    try {
      return fromStorage(info, await ctx.store.update(key, toStorage(info, pod), stored.modRevision));
    } catch (err) {
      if (!isStorageError(err, 'Conflict')) throw err;
    }
  }
  throw conflict(info, name);
}
