// Where objects live in etcd. The layout, documented here once:
//
//   /registry/<group or "core">/<resource>/<namespace>/<name>     namespaced objects
//   /registry/<group or "core">/<resource>/<name>                 cluster-scoped objects
//
// `<group>/<resource>` is the catalog's storage resource, so resources served in several versions (HPA in
// autoscaling/v1 and v2) share one key space. The group is part of the key (unlike Kubernetes' own
// `/registry/pods/…`) so two groups serving the same plural (core and events.k8s.io events) never collide.
// Namespace and object names cannot contain `/`, so every prefix ending in `/` is exact. Secrets are under
// `/registry/core/secrets/`, the prefix encryption at rest is scoped to.
import type { ResourceInfo } from '../resources/index.js';

/** The root of every key the API server writes. */
export const REGISTRY_ROOT = '/registry/';

/** The prefix of a resource's keys: `/registry/core/pods/`. */
export function resourcePrefix(info: Pick<ResourceInfo, 'storage'>): string {
  return `${REGISTRY_ROOT}${info.storage.group || 'core'}/${info.storage.resource}/`;
}

/** The prefix a list or watch reads: the resource's, or one namespace's (`/registry/core/pods/default/`). */
export function listPrefix(info: Pick<ResourceInfo, 'storage' | 'namespaced'>, namespace?: string): string {
  const base = resourcePrefix(info);
  return info.namespaced && namespace ? `${base}${namespace}/` : base;
}

/** The key of one object. */
export function objectKey(info: Pick<ResourceInfo, 'storage' | 'namespaced'>, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${resourcePrefix(info)}${namespace ?? ''}/${name}` : `${resourcePrefix(info)}${name}`;
}

/**
 * For the WatchCache's `watchPrefixOf`: every namespace's prefix maps to its resource's prefix, so all
 * watchers of a resource share one etcd watch.
 */
export function watchPrefixOf(prefix: string): string {
  if (!prefix.startsWith(REGISTRY_ROOT)) return prefix;
  const parts = prefix.slice(REGISTRY_ROOT.length).split('/');
  // group, resource, then (for a namespace prefix) the namespace and an empty tail.
  return parts.length >= 3 ? `${REGISTRY_ROOT}${parts[0]}/${parts[1]}/` : prefix;
}

/** The prefix of the storage key space for Secrets (for encryption at rest). */
export const SECRETS_PREFIX = `${REGISTRY_ROOT}core/secrets/`;
