import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allResources,
  apiVersionOf,
  findByKind,
  findByShortName,
  findKind,
  findResource,
  groupVersions,
  gvkOf,
  parseApiVersion,
  qualifiedKind,
  resolveResource,
  resourcesInCategory,
} from '../../../../src/cluster/resources/catalog.js';

const ISSUE_KINDS = [
  'v1/Namespace',
  'v1/Pod',
  'v1/Service',
  'v1/Endpoints',
  'v1/ConfigMap',
  'v1/Secret',
  'v1/Event',
  'v1/Node',
  'v1/ServiceAccount',
  'v1/PersistentVolume',
  'v1/PersistentVolumeClaim',
  'apps/v1/Deployment',
  'apps/v1/ReplicaSet',
  'apps/v1/DaemonSet',
  'apps/v1/StatefulSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'autoscaling/v1/HorizontalPodAutoscaler',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'coordination.k8s.io/v1/Lease',
  'discovery.k8s.io/v1/EndpointSlice',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'events.k8s.io/v1/Event',
];

test('every kind of the issue is served', () => {
  for (const id of ISSUE_KINDS) {
    const slash = id.lastIndexOf('/');
    const gvk = { ...parseApiVersion(id.slice(0, slash)), kind: id.slice(slash + 1) };
    assert.ok(findKind(gvk), `${id} missing`);
  }
  const keys = allResources().map((r) => `${r.group}/${r.version}/${r.resource}`);
  assert.equal(new Set(keys).size, keys.length, 'no resource is declared twice');
});

test('short names resolve as in kubectl', () => {
  const expect: Record<string, string> = {
    po: 'pods',
    svc: 'services',
    deploy: 'deployments',
    rs: 'replicasets',
    ds: 'daemonsets',
    sts: 'statefulsets',
    cj: 'cronjobs',
    ns: 'namespaces',
    no: 'nodes',
    cm: 'configmaps',
    ep: 'endpoints',
    sa: 'serviceaccounts',
    pv: 'persistentvolumes',
    pvc: 'persistentvolumeclaims',
    hpa: 'horizontalpodautoscalers',
  };
  for (const [short, resource] of Object.entries(expect)) {
    const found = findByShortName(short);
    assert.equal(found[0]?.resource, resource, short);
  }
  // ev is served by core and events.k8s.io; core comes first, as kubectl prefers it.
  const ev = findByShortName('ev');
  assert.deepEqual(
    ev.map((r) => r.group),
    ['', 'events.k8s.io'],
  );
  assert.deepEqual(findByShortName('nope'), []);
});

test('resolveResource accepts plurals, singulars, kinds, short names and name.group', () => {
  assert.equal(resolveResource('pods')[0]?.kind, 'Pod');
  assert.equal(resolveResource('pod')[0]?.kind, 'Pod');
  assert.equal(resolveResource('Pod')[0]?.kind, 'Pod');
  assert.equal(resolveResource('deployments.apps')[0]?.kind, 'Deployment');
  assert.equal(resolveResource('deploy')[0]?.group, 'apps');
  assert.equal(resolveResource('events.events.k8s.io')[0]?.group, 'events.k8s.io');
  const hpa = resolveResource('hpa');
  assert.equal(hpa.length, 1);
  assert.equal(hpa[0]?.version, 'v2', 'the preferred autoscaling version');
});

test('category all holds the workloads, pods, services and HPAs', () => {
  const all = resourcesInCategory('all')
    .map((r) => r.resource)
    .sort();
  assert.deepEqual(all, [
    'cronjobs',
    'daemonsets',
    'deployments',
    'horizontalpodautoscalers',
    'jobs',
    'pods',
    'replicasets',
    'services',
    'statefulsets',
  ]);
});

test('kinds, scope, verbs and subresources', () => {
  const pod = findResource('', 'v1', 'pods')!;
  assert.equal(pod.namespaced, true);
  assert.equal(pod.listKind, 'PodList');
  assert.equal(pod.singular, 'pod');
  assert.deepEqual(pod.subresources.map((s) => s.name).sort(), [
    'attach',
    'binding',
    'exec',
    'log',
    'portforward',
    'status',
  ]);
  assert.ok(
    pod.subresources
      .filter((s) => s.nodeFacing)
      .every((s) => ['log', 'exec', 'attach', 'portforward'].includes(s.name)),
  );
  assert.equal(pod.specFields, undefined, 'pods have no generation in 1.32');

  const ns = findKind({ group: '', version: 'v1', kind: 'Namespace' })!;
  assert.equal(ns.namespaced, false);
  assert.ok(!ns.verbs.includes('deletecollection'));

  for (const r of ['deployments', 'replicasets', 'statefulsets']) {
    const scale = findResource('apps', 'v1', r)!.subresources.find((s) => s.name === 'scale');
    assert.deepEqual(scale?.kind, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, r);
  }
  assert.equal(
    findResource('apps', 'v1', 'daemonsets')!.subresources.find((s) => s.name === 'scale'),
    undefined,
  );
  assert.deepEqual(findResource('apps', 'v1', 'deployments')!.specFields, ['spec']);
  for (const r of allResources()) {
    const hasStatus = r.subresources.some((s) => s.name === 'status');
    const expected = [
      'Pod',
      'Service',
      'Namespace',
      'Node',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Deployment',
      'ReplicaSet',
      'DaemonSet',
      'StatefulSet',
      'Job',
      'CronJob',
      'HorizontalPodAutoscaler',
    ].includes(r.kind);
    assert.equal(hasStatus, expected, `${r.kind} status subresource`);
  }
});

test('both HPA versions share one storage key; v2 is preferred', () => {
  const v1 = findKind({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' })!;
  const v2 = findKind({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' })!;
  assert.deepEqual(v1.storage, v2.storage);
  assert.equal(v1.preferred, false);
  assert.equal(v2.preferred, true);
  const autoscaling = groupVersions().filter((g) => g.group === 'autoscaling');
  assert.deepEqual(
    autoscaling.map((g) => g.version),
    ['v2', 'v1'],
  );
  assert.equal(groupVersions()[0]?.group, '', 'core first');
});

test('apiVersion and kind helpers', () => {
  assert.equal(apiVersionOf({ group: '', version: 'v1' }), 'v1');
  assert.equal(apiVersionOf({ group: 'apps', version: 'v1' }), 'apps/v1');
  assert.deepEqual(gvkOf({ apiVersion: 'batch/v1', kind: 'Job' }), { group: 'batch', version: 'v1', kind: 'Job' });
  assert.equal(qualifiedKind({ group: 'apps', kind: 'Deployment' }), 'Deployment.apps');
  assert.equal(qualifiedKind({ group: '', kind: 'Pod' }), 'Pod');
  assert.equal(findByKind('deployment')[0]?.resource, 'deployments');
  assert.deepEqual(
    findByKind('Event').map((r) => r.group),
    ['', 'events.k8s.io'],
  );
  assert.deepEqual(
    findByKind('Event', 'events.k8s.io').map((r) => r.model),
    ['EventsV1Event'],
  );
});

test('generation: 1 on create, bumped by spec changes only, untracked kinds left alone', async () => {
  const { nextGeneration } = await import('../../../../src/cluster/resources/generation.js');
  const deploy = findResource('apps', 'v1', 'deployments')!;
  const old = { metadata: { generation: 4, labels: { a: 'b' } }, spec: { replicas: 1 }, status: { replicas: 1 } };
  assert.equal(nextGeneration(deploy, old), 1);
  assert.equal(nextGeneration(deploy, { ...old, spec: { replicas: 2 } }, old), 5);
  assert.equal(
    nextGeneration(deploy, { ...old, metadata: { generation: 4, labels: {} }, status: { replicas: 2 } }, old),
    4,
  );
  const slice = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
  assert.equal(nextGeneration(slice, { ...old, endpoints: [{ addresses: ['10.0.0.1'] }] }, old), 5);
  assert.equal(nextGeneration(findResource('', 'v1', 'configmaps')!, { data: { a: 'b' } }, {}), undefined);
});

test('preserveSystemMetadata keeps what clients may not change and bumps generation', async () => {
  const { preserveSystemMetadata } = await import('../../../../src/cluster/resources/generation.js');
  const deploy = findResource('apps', 'v1', 'deployments')!;
  const prev = { metadata: { name: 'd', uid: 'u', generation: 2, creationTimestamp: 't0' }, spec: { replicas: 1 } };
  const next = preserveSystemMetadata(
    deploy,
    { metadata: { name: 'd', generation: 9, creationTimestamp: 'fake' }, spec: { replicas: 3 } },
    prev,
  );
  assert.deepEqual(next.metadata, { name: 'd', uid: 'u', generation: 3, creationTimestamp: 't0' });
  const cm = preserveSystemMetadata(
    findResource('', 'v1', 'configmaps')!,
    { metadata: { generation: 5 } },
    { metadata: {} },
  );
  assert.equal(cm.metadata.generation, undefined);
});
