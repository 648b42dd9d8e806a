// Which catalog entries controllers watch: each stored resource once (HPA v1/v2 share storage), in its
// preferred version, and only resources that can be listed and watched.
import type { GroupVersionResourceRef } from '../api/types.js';
import { allResources, findByKind, findKind, parseApiVersion } from '../resources/catalog.js';
import type { ResourceInfo } from '../resources/types.js';

/** Stored resources, one entry each, preferred versions. */
export function storedResources(filter: (r: ResourceInfo) => boolean = () => true): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of [...allResources()].sort((a, b) => Number(b.preferred) - Number(a.preferred))) {
    const key = `${r.storage.group}/${r.storage.resource}`;
    if (seen.has(key) || !r.verbs.includes('list') || !r.verbs.includes('watch')) continue;
    seen.add(key);
    if (filter(r)) out.push(r);
  }
  return out;
}

/** The GroupVersionResource of a catalog entry. */
export function gvrOf(r: ResourceInfo): GroupVersionResourceRef {
  return { group: r.group, version: r.version, resource: r.resource };
}

/** The resource an ownerReference (apiVersion + kind) points at, if Berth serves it. */
export function resourceForReference(ref: { apiVersion?: string; kind?: string }): ResourceInfo | undefined {
  const gv = parseApiVersion(String(ref.apiVersion ?? ''));
  const kind = String(ref.kind ?? '');
  return findKind({ ...gv, kind }) ?? findByKind(kind, gv.group)[0];
}
