// A compact way to declare catalog entries: most resources share Kubernetes' standard verbs and naming.
import type { GroupVersionKind, ResourceInfo, SubresourceInfo, Verb } from '../types.js';

/** The eight verbs of an ordinary resource. */
export const STANDARD_VERBS: Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** The autoscaling/v1 Scale kind every `scale` subresource speaks. */
export const SCALE_KIND: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** What a declaration must say; everything else has a default. */
export interface ResourceDecl {
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  /** Subresource names; `status` and `scale` get their standard shape. */
  subresources?: (string | SubresourceInfo)[];
  specFields?: string[];
  model?: string;
  listModel?: string;
  storage?: { group: string; resource: string };
}

/** Expands declarations of one group/version into full catalog entries. */
export function defineGroupVersion(
  group: string,
  version: string,
  decls: ResourceDecl[],
  opts: { preferred?: boolean; modelPrefix?: string } = {},
): ResourceInfo[] {
  const prefix = opts.modelPrefix ?? version.charAt(0).toUpperCase() + version.slice(1);
  return decls.map((d) => {
    const self: GroupVersionKind = { group, version, kind: d.kind };
    const subresources = (d.subresources ?? []).map((s): SubresourceInfo => {
      if (typeof s !== 'string') return s;
      if (s === 'status') return { name: 'status', kind: self, verbs: ['get', 'patch', 'update'] };
      if (s === 'scale') return { name: 'scale', kind: SCALE_KIND, verbs: ['get', 'patch', 'update'] };
      throw new Error(`subresource ${s} needs an explicit declaration`);
    });
    const model = d.model ?? `${prefix}${d.kind}`;
    return {
      group,
      version,
      kind: d.kind,
      listKind: `${d.kind}List`,
      resource: d.resource,
      singular: d.kind.toLowerCase(),
      namespaced: d.namespaced,
      shortNames: d.shortNames ?? [],
      categories: d.categories ?? [],
      verbs: d.verbs ?? STANDARD_VERBS,
      subresources,
      ...(d.specFields ? { specFields: d.specFields } : {}),
      storage: d.storage ?? { group, resource: d.resource },
      preferred: opts.preferred ?? true,
      model,
      listModel: d.listModel ?? `${model}List`,
    };
  });
}
