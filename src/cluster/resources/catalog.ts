// The catalog of served kinds and the lookups every layer above uses (routing, discovery, OpenAPI, storage).
import type { GroupVersionKind, KubeObject, ResourceInfo } from './types.js';
import { coreV1 } from './groups/core.js';
import { appsV1, batchV1 } from './groups/workloads.js';
import { autoscaling, coordinationV1, discoveryV1, eventsV1, rbacV1 } from './groups/platform.js';

// Order is discovery order, the same priority kube-apiserver gives its groups: when a short name or plural
// is served by two groups (events), the first one wins, as in kubectl's RESTMapper.
const ALL: readonly ResourceInfo[] = Object.freeze([
  ...coreV1,
  ...appsV1,
  ...eventsV1,
  ...autoscaling,
  ...batchV1,
  ...rbacV1,
  ...coordinationV1,
  ...discoveryV1,
]);

const byGVR = new Map<string, ResourceInfo>(ALL.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));
const byGVK = new Map<string, ResourceInfo>(ALL.map((r) => [`${r.group}/${r.version}/${r.kind}`, r]));
const preferredOnly = ALL.filter((r) => r.preferred);

/** Every served resource in every served version, in discovery order. */
export function allResources(): readonly ResourceInfo[] {
  return ALL;
}

/** The resource served at `/{group}/{version}/{resource}`, if any. */
export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

/** The resource whose objects have this group/version/kind, if any. */
export function findKind(gvk: GroupVersionKind): ResourceInfo | undefined {
  return byGVK.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

/** Preferred-version resources with this kind (case-insensitive), optionally within one group. */
export function findByKind(kind: string, group?: string): ResourceInfo[] {
  const k = kind.toLowerCase();
  return preferredOnly.filter((r) => r.kind.toLowerCase() === k && (group === undefined || r.group === group));
}

/** Preferred-version resources that have this short name (`po`, `deploy`, `hpa`, …). */
export function findByShortName(shortName: string): ResourceInfo[] {
  const s = shortName.toLowerCase();
  return preferredOnly.filter((r) => r.shortNames.includes(s));
}

/**
 * Resolves what a user typed (plural, singular, short name or kind, optionally `name.group`) to
 * preferred-version resources, first match first, like kubectl's RESTMapper.
 */
export function resolveResource(name: string): ResourceInfo[] {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const [base, group] = dot > 0 ? [lower.slice(0, dot), lower.slice(dot + 1)] : [lower, undefined];
  return preferredOnly.filter(
    (r) =>
      (group === undefined || r.group === group || (group === 'core' && r.group === '')) &&
      (r.resource === base || r.singular === base || r.shortNames.includes(base) || r.kind.toLowerCase() === base),
  );
}

/** Preferred-version resources in a category (`all` for `kubectl get all`). */
export function resourcesInCategory(category: string): ResourceInfo[] {
  return preferredOnly.filter((r) => r.categories.includes(category));
}

/** Served group/versions in discovery order, preferred version of each group first. */
export function groupVersions(): { group: string; version: string; preferred: boolean }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string; preferred: boolean }[] = [];
  const ordered = [...ALL].sort(
    (a, b) => groupRank(a.group) - groupRank(b.group) || Number(b.preferred) - Number(a.preferred),
  );
  for (const r of ordered) {
    const key = `${r.group}/${r.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group: r.group, version: r.version, preferred: r.preferred });
  }
  return out;
}

function groupRank(group: string): number {
  return ALL.findIndex((r) => r.group === group);
}

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(gv: { group: string; version: string }): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

/** Splits an apiVersion string into group and version (`v1` → core). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The group/version/kind an object declares in `apiVersion` and `kind`. */
export function gvkOf(obj: KubeObject): GroupVersionKind {
  return { ...parseApiVersion(String(obj.apiVersion ?? '')), kind: String(obj.kind ?? '') };
}

/** `Kind.group` as Kubernetes prints a GroupKind (`Deployment.apps`, plain `Pod` for core). */
export function qualifiedKind(gvk: { group: string; kind: string }): string {
  return gvk.group ? `${gvk.kind}.${gvk.group}` : gvk.kind;
}

/** `resource.group` as Kubernetes prints a GroupResource (`deployments.apps`, plain `pods` for core). */
export function qualifiedResource(r: { group: string; resource: string }): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
