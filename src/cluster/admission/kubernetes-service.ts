// The `default/kubernetes` Service every cluster has, pointing at the API server: the first address of the
// service range, port 443 → the API server's port, with matching Endpoints and EndpointSlice. Created at
// start-up when missing, and its endpoints corrected when the API server's address or port changed.
import type { ClusterClient, GroupVersionResourceRef } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';

const SERVICES: GroupVersionResourceRef = { group: '', version: 'v1', resource: 'services' };
const ENDPOINTS: GroupVersionResourceRef = { group: '', version: 'v1', resource: 'endpoints' };
const SLICES: GroupVersionResourceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };

export interface KubernetesServiceOptions {
  clusterIP: string;
  /** Where the API server listens (an address pods could reach, ideally). */
  endpointIP: string;
  port: number;
}

/** The desired Service. */
export function kubernetesService(o: KubernetesServiceOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: o.clusterIP,
      clusterIPs: [o.clusterIP],
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }],
    },
  };
}

/** The desired Endpoints. */
export function kubernetesEndpoints(o: KubernetesServiceOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: o.endpointIP }], ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] }],
  };
}

/** The desired EndpointSlice. */
export function kubernetesEndpointSlice(o: KubernetesServiceOptions): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [o.endpointIP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: o.port, protocol: 'TCP' }],
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function upsert(client: ClusterClient, gvr: GroupVersionResourceRef, desired: KubeObject, payload: (o: KubeObject) => unknown, assign: (live: KubeObject, d: KubeObject) => void): Promise<void> {
  const live = await client.get(gvr, 'default', desired.metadata.name);
  if (!live) {
    try {
      await client.create(gvr, 'default', desired);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    return;
  }
  if (same(payload(live), payload(desired))) return;
  assign(live, desired);
  await client.update(gvr, 'default', live);
}

/** Creates or corrects the `kubernetes` Service and its endpoints. */
export async function ensureKubernetesService(client: ClusterClient, o: KubernetesServiceOptions): Promise<void> {
  const svc = kubernetesService(o);
  if (!(await client.get(SERVICES, 'default', 'kubernetes'))) {
    try {
      await client.create(SERVICES, 'default', svc);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }
  const ep = kubernetesEndpoints(o);
  await upsert(client, ENDPOINTS, ep, (x) => x.subsets, (live, d) => (live.subsets = d.subsets));
  const slice = kubernetesEndpointSlice(o);
  await upsert(client, SLICES, slice, (x) => [x.endpoints, x.ports], (live, d) => {
    live.endpoints = d.endpoints;
    live.ports = d.ports;
  });
}
