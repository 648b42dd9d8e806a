// Namespace lifecycle as the API enforces it: the built-in namespaces exist from the first start, new
// content needs an existing namespace (404 `namespaces "x" not found`), and a namespace being deleted takes
// no new content (403, as Kubernetes' NamespaceLifecycle admission answers).
import { randomUUID } from 'node:crypto';
import { applyDefaults, findResource, type ResourceInfo } from '../resources/index.js';
import { isStorageError } from '../storage/errors.js';
import { rfc3339 } from './age.js';
import { toStorage } from './codec.js';
import type { RegistryContext } from './context.js';
import { namespaceTerminating, notFound } from './status.js';
import { objectKey } from './storage-keys.js';

/** The namespaces every cluster has. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const NAMESPACES: ResourceInfo = findResource('', 'v1', 'namespaces')!;

/** Creates the system namespaces that do not exist yet (idempotent; safe with several API servers). */
export async function ensureSystemNamespaces(ctx: RegistryContext): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    const key = objectKey(NAMESPACES, undefined, name);
    if (await ctx.store.get(key)) continue;
    const ns = applyDefaults(
      { group: '', version: 'v1', kind: 'Namespace' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: randomUUID(), creationTimestamp: rfc3339(ctx.now()) } },
    );
    try {
      await ctx.store.create(key, toStorage(NAMESPACES, ns));
    } catch (err) {
      if (!isStorageError(err, 'AlreadyExists')) throw err; // another server won the race
    }
  }
}

/**
 * Checks that new content of `info` named `name` may be created in `namespace`: 404 when the namespace does
 * not exist, 403 when it is terminating. Cluster-scoped resources pass.
 */
export async function checkNamespaceAcceptsContent(ctx: RegistryContext, info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
  if (!info.namespaced || !namespace) return;
  const stored = await ctx.store.get(objectKey(NAMESPACES, undefined, namespace));
  if (!stored) throw notFound(NAMESPACES, namespace);
  const ns = stored.value as { metadata?: { deletionTimestamp?: string }; status?: { phase?: string } };
  if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') throw namespaceTerminating(info, name, namespace);
}
