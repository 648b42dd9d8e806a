// Create, get, list, update through the HTTP handler on an in-memory store: system fields, defaulting,
// Kubernetes' error Statuses (404, 409, 422, 400 strict decoding), dry runs, generation, status and scale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer({ memory: true });
});
after(() => api.stop());

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
  ...extra,
});
const deployment = (name: string, replicas = 1, image = 'nginx:1.25') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
});

test('create sets uid, creationTimestamp, resourceVersion and defaults; get returns it', async () => {
  const r = await api.request('POST', PODS, { body: pod('p1') });
  assert.equal(r.status, 201);
  const p = r.json();
  assert.equal(p.kind, 'Pod');
  assert.equal(p.apiVersion, 'v1');
  assert.match(p.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(p.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(p.metadata.resourceVersion, /^\d+$/);
  assert.equal(p.metadata.namespace, 'default');
  assert.equal(p.spec.restartPolicy, 'Always');
  assert.equal(p.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(p.status.phase, 'Pending');
  const got = (await api.request('GET', `${PODS}/p1`)).json();
  assert.deepEqual(got, p);
});

test('Kubernetes error Statuses: 404, 409 AlreadyExists, 422 Invalid, 400 strict decoding, namespace 404', async () => {
  const missing = await api.request('GET', `${PODS}/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
  assert.equal((await api.request('GET', `${DEPLOYS}/nope`)).json().message, 'deployments.apps "nope" not found');

  await api.request('POST', PODS, { body: pod('dup') });
  const dup = await api.request('POST', PODS, { body: pod('dup') });
  assert.equal(dup.status, 409);
  assert.equal(dup.json().reason, 'AlreadyExists');
  assert.equal(dup.json().message, 'pods "dup" already exists');

  const bad = await api.request('POST', PODS, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'c' }] } } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json().message, 'Pod "bad" is invalid: spec.containers[0].image: Required value');
  assert.deepEqual(bad.json().details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);

  const strict = await api.request('POST', `${PODS}?fieldValidation=Strict`, { body: { ...pod('unk'), spec: { containers: [{ name: 'c', image: 'x' }], foo: 1 } } });
  assert.equal(strict.status, 400);
  assert.equal(strict.json().message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"');
  const warn = await api.request('POST', `${PODS}?fieldValidation=Warn`, { body: { ...pod('unk'), spec: { containers: [{ name: 'c', image: 'x' }], foo: 1 } } });
  assert.equal(warn.status, 201);
  assert.equal(warn.headers.warning, '299 - "unknown field \\"spec.foo\\""');
  assert.equal(warn.json().spec.foo, undefined, 'unknown fields are dropped');

  const noNs = await api.request('POST', '/api/v1/namespaces/ghost/pods', { body: pod('x') });
  assert.equal(noNs.status, 404);
  assert.equal(noNs.json().message, 'namespaces "ghost" not found');
  const wrongKind = await api.request('POST', PODS, { body: { ...pod('x'), kind: 'Service' } });
  assert.equal(wrongKind.status, 400);
});

test('dryRun=All validates and answers without writing', async () => {
  const r = await api.request('POST', `${PODS}?dryRun=All`, { body: pod('dry') });
  assert.equal(r.status, 201);
  assert.equal(r.json().metadata.name, 'dry');
  assert.equal((await api.request('GET', `${PODS}/dry`)).status, 404);
  assert.equal((await api.request('POST', `${PODS}?dryRun=Some`, { body: pod('dry') })).status, 400);
});

test('generateName draws a name', async () => {
  const r = await api.request('POST', PODS, { body: { ...pod(''), metadata: { generateName: 'gen-' } } });
  assert.equal(r.status, 201);
  assert.match(r.json().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('update: 409 on a stale resourceVersion, no-op keeps the version, generation tracks spec only', async () => {
  const created = (await api.request('POST', DEPLOYS, { body: deployment('web') })).json();
  assert.equal(created.metadata.generation, 1);
  const v1 = created.metadata.resourceVersion;
  const same = await api.request('PUT', `${DEPLOYS}/web`, { body: created });
  assert.equal(same.status, 200);
  assert.equal(same.json().metadata.resourceVersion, v1, 'nothing changed, nothing written');

  const labelled = (await api.request('PUT', `${DEPLOYS}/web`, { body: { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } } })).json();
  assert.notEqual(labelled.metadata.resourceVersion, v1);
  assert.equal(labelled.metadata.generation, 1, 'metadata changes do not bump generation');

  const stale = await api.request('PUT', `${DEPLOYS}/web`, { body: { ...created, spec: { ...created.spec, replicas: 5 } } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json().reason, 'Conflict');
  assert.equal(stale.json().message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');

  const scaled = (await api.request('PUT', `${DEPLOYS}/web`, { body: { ...labelled, spec: { ...labelled.spec, replicas: 5 } } })).json();
  assert.equal(scaled.metadata.generation, 2);
  assert.equal(scaled.metadata.uid, created.metadata.uid);
  assert.equal(scaled.metadata.creationTimestamp, created.metadata.creationTimestamp);
  const unconditional = { ...scaled, metadata: { ...scaled.metadata, resourceVersion: undefined }, spec: { ...scaled.spec, replicas: 6 } };
  assert.equal((await api.request('PUT', `${DEPLOYS}/web`, { body: unconditional })).json().metadata.generation, 3);

  const immutable = await api.request('PUT', `${DEPLOYS}/web`, { body: { ...scaled, metadata: { ...scaled.metadata, resourceVersion: undefined }, spec: { ...scaled.spec, selector: { matchLabels: { app: 'other' } } } } });
  assert.equal(immutable.status, 422);
  assert.match(immutable.json().message, /^Deployment.apps "web" is invalid: .*spec.selector: Invalid value: .*field is immutable/);
  const renamed = await api.request('PUT', `${DEPLOYS}/web`, { body: { ...scaled, metadata: { ...scaled.metadata, name: 'other' } } });
  assert.equal(renamed.status, 400);
});

test('status subresource writes only status; the main resource ignores status', async () => {
  const d = (await api.request('POST', DEPLOYS, { body: deployment('st') })).json();
  const viaMain = (await api.request('PUT', `${DEPLOYS}/st`, { body: { ...d, status: { replicas: 9 } } })).json();
  assert.equal(viaMain.status?.replicas, undefined);
  assert.equal(viaMain.metadata.resourceVersion, d.metadata.resourceVersion);
  const viaStatus = (await api.request('PUT', `${DEPLOYS}/st/status`, { body: { ...d, spec: { ...d.spec, replicas: 7 }, metadata: { ...d.metadata, labels: { x: 'y' } }, status: { replicas: 1, readyReplicas: 1 } } })).json();
  assert.deepEqual(viaStatus.status, { replicas: 1, readyReplicas: 1 });
  assert.equal(viaStatus.spec.replicas, 1, 'spec is not writable through status');
  assert.equal(viaStatus.metadata.labels, undefined, 'labels are not writable through status');
  assert.equal(viaStatus.metadata.generation, 1);
  const got = (await api.request('GET', `${DEPLOYS}/st/status`)).json();
  assert.deepEqual(got.status, { replicas: 1, readyReplicas: 1 });
});

test('scale subresource reads and writes autoscaling/v1 Scale', async () => {
  await api.request('POST', DEPLOYS, { body: deployment('sc', 2) });
  const scale = (await api.request('GET', `${DEPLOYS}/sc/scale`)).json();
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.deepEqual(scale.spec, { replicas: 2 });
  assert.deepEqual(scale.status, { replicas: 0, selector: 'app=sc' });
  const put = await api.request('PUT', `${DEPLOYS}/sc/scale`, { body: { ...scale, spec: { replicas: 4 } } });
  assert.equal(put.status, 200);
  assert.equal(put.json().spec.replicas, 4);
  assert.equal((await api.request('GET', `${DEPLOYS}/sc`)).json().spec.replicas, 4);
  const neg = await api.request('PUT', `${DEPLOYS}/sc/scale`, { body: { spec: { replicas: -1 } } });
  assert.equal(neg.status, 422);
  assert.equal((await api.request('GET', `${PODS}/p1/scale`)).status, 404, 'pods have no scale subresource');
});

test('node-facing subresources answer with a clear 503 until the node agent exists', async () => {
  const r = await api.request('GET', `${PODS}/p1/log?container=c`);
  assert.equal(r.status, 503);
  assert.equal(r.json().reason, 'ServiceUnavailable');
  assert.equal(r.json().message, 'pods/log is served by the node agent, which is not running yet');
  assert.equal((await api.request('POST', `${PODS}/p1/exec?command=sh`)).status, 503);
});

test('pod binding sets spec.nodeName once', async () => {
  await api.request('POST', PODS, { body: pod('bindme') });
  const bind = await api.request('POST', `${PODS}/bindme/binding`, { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'n1' } } });
  assert.equal(bind.status, 201);
  const p = (await api.request('GET', `${PODS}/bindme`)).json();
  assert.equal(p.spec.nodeName, 'n1');
  assert.ok(p.status.conditions.some((c: any) => c.type === 'PodScheduled' && c.status === 'True'));
  const again = await api.request('POST', `${PODS}/bindme/binding`, { body: { target: { kind: 'Node', name: 'n2' } } });
  assert.equal(again.status, 409);
});

test('list: selectors, Table output, pagination with continue and remainingItemCount', async () => {
  for (const n of ['l1', 'l2', 'l3', 'l4', 'l5']) await api.request('POST', '/api/v1/namespaces/kube-public/pods', { body: pod(n, { metadata: { name: n, labels: { page: 'yes', n } } }) });
  const all = (await api.request('GET', '/api/v1/namespaces/kube-public/pods')).json();
  assert.equal(all.kind, 'PodList');
  assert.deepEqual(all.items.map((p: any) => p.metadata.name), ['l1', 'l2', 'l3', 'l4', 'l5']);

  const first = (await api.request('GET', '/api/v1/namespaces/kube-public/pods?limit=2')).json();
  assert.deepEqual(first.items.map((p: any) => p.metadata.name), ['l1', 'l2']);
  assert.equal(first.metadata.remainingItemCount, 3);
  assert.ok(first.metadata.continue);
  await api.request('DELETE', '/api/v1/namespaces/kube-public/pods/l3');
  const second = (await api.request('GET', `/api/v1/namespaces/kube-public/pods?limit=2&continue=${first.metadata.continue}`)).json();
  assert.deepEqual(second.items.map((p: any) => p.metadata.name), ['l3', 'l4'], 'pages are read at the first page’s revision');
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const third = (await api.request('GET', `/api/v1/namespaces/kube-public/pods?limit=2&continue=${second.metadata.continue}`)).json();
  assert.deepEqual(third.items.map((p: any) => p.metadata.name), ['l5']);
  assert.equal(third.metadata.continue, undefined);

  const filtered = (await api.request('GET', '/api/v1/namespaces/kube-public/pods?labelSelector=n%20in%20(l2,l4,l5)&limit=1')).json();
  assert.deepEqual(filtered.items.map((p: any) => p.metadata.name), ['l2']);
  const rest = (await api.request('GET', `/api/v1/namespaces/kube-public/pods?labelSelector=n%20in%20(l2,l4,l5)&continue=${filtered.metadata.continue}`)).json();
  assert.deepEqual(rest.items.map((p: any) => p.metadata.name), ['l4', 'l5']);
  const byName = (await api.request('GET', '/api/v1/pods?fieldSelector=metadata.name%3Dl2')).json();
  assert.deepEqual(byName.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`), ['kube-public/l2'], 'all-namespace list');

  const table = await api.request('GET', '/api/v1/namespaces/kube-public/pods?limit=2', { headers: { Accept: TABLE } });
  assert.equal(table.headers['content-type'], 'application/json;as=Table;v=v1;g=meta.k8s.io');
  const t = table.json();
  assert.equal(t.kind, 'Table');
  assert.equal(t.rows.length, 2);
  assert.ok(t.metadata.continue, 'Tables carry the continue token');
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  const one = (await api.request('GET', '/api/v1/namespaces/kube-public/pods/l1', { headers: { Accept: TABLE } })).json();
  assert.equal(one.rows.length, 1);
  assert.equal(one.rows[0].cells[0], 'l1');
  assert.equal((await api.request('GET', '/api/v1/namespaces/kube-public/pods?continue=garbage')).status, 400);
});

test('autoscaling v1 and v2 are one stored object', async () => {
  const hpa = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 } };
  const r = await api.request('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { body: hpa });
  assert.equal(r.status, 201, r.body);
  const v2 = (await api.request('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h')).json();
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
  v2.spec.metrics.push({ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } });
  assert.equal((await api.request('PUT', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h', { body: v2 })).status, 200);
  const v1 = (await api.request('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h')).json();
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
  assert.equal(v1.spec.metrics, undefined);
  const back = (await api.request('PUT', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h', { body: { ...v1, spec: { ...v1.spec, maxReplicas: 7 } } })).json();
  assert.equal(back.spec.maxReplicas, 7);
  const v2again = (await api.request('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h')).json();
  assert.equal(v2again.spec.metrics.length, 2, 'what v1 cannot express survives a v1 round trip');
  assert.equal(v2again.metadata.annotations, undefined);
});
