// Discovery documents from the catalog: aggregated discovery (apidiscovery.k8s.io/v2, one request for
// everything, recognised by kubectl through the response Content-Type) and the legacy documents
// (APIVersions, APIGroupList, APIGroup, APIResourceList) that older clients and client libraries read.
import { allResources, apiVersionOf, groupVersions, type ResourceInfo } from '../resources/index.js';

type Json = Record<string, unknown>;

interface GroupEntry {
  name: string;
  versions: string[];
  preferred: string;
}

/** Served groups (core excluded) with their versions, preferred first. */
function groups(): GroupEntry[] {
  const out = new Map<string, GroupEntry>();
  for (const gv of groupVersions()) {
    if (gv.group === '') continue;
    const e = out.get(gv.group) ?? { name: gv.group, versions: [], preferred: '' };
    e.versions.push(gv.version);
    if (gv.preferred && !e.preferred) e.preferred = gv.version;
    out.set(gv.group, e);
  }
  for (const e of out.values()) {
    if (!e.preferred) e.preferred = e.versions[0]!;
    e.versions.sort((a, b) => (a === e.preferred ? -1 : b === e.preferred ? 1 : 0));
  }
  return [...out.values()];
}

const resourcesOf = (group: string, version: string): ResourceInfo[] =>
  allResources().filter((r) => r.group === group && r.version === version);

function aggregatedResource(r: ResourceInfo): Json {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.kind.group, version: s.kind.version, kind: s.kind.kind },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

function aggregatedGroup(name: string, versions: string[]): Json {
  return {
    metadata: { name, creationTimestamp: null },
    versions: versions.map((v) => ({ version: v, resources: resourcesOf(name, v).map(aggregatedResource), freshness: 'Current' })),
  };
}

/** The aggregated discovery document for `/api` (core only) or `/apis` (every other group). */
export function aggregatedDiscovery(prefix: 'api' | 'apis'): Json {
  const items = prefix === 'api' ? [aggregatedGroup('', ['v1'])] : groups().map((g) => aggregatedGroup(g.name, g.versions));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/** `GET /api` (legacy): the core versions and where to reach the server. */
export function apiVersions(serverAddress: string): Json {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: GroupEntry): Json {
  return {
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.preferred}`, version: g.preferred },
  };
}

/** `GET /apis` (legacy). */
export function apiGroupList(): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(apiGroup) };
}

/** `GET /apis/{group}` (legacy), or undefined when the group is not served. */
export function apiGroupDocument(group: string): Json | undefined {
  const g = groups().find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

/** `GET /api/v1` or `/apis/{group}/{version}`: the APIResourceList, or undefined when not served. */
export function apiResourceList(group: string, version: string): Json | undefined {
  const rs = resourcesOf(group, version);
  if (rs.length === 0) return undefined;
  const resources: Json[] = [];
  for (const r of rs) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.kind.group !== r.group || s.kind.version !== r.version ? { group: s.kind.group, version: s.kind.version } : {}),
        kind: s.kind.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}
