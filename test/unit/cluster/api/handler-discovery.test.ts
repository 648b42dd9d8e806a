// Non-resource endpoints served by the handler: version, health, discovery (aggregated and legacy), OpenAPI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer({ memory: true });
});
after(() => api.stop());

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('/version has a strict semver gitVersion', async () => {
  const v = (await api.request('GET', '/version')).json();
  assert.match(v.gitVersion, /^v1\.32\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  for (const k of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) assert.ok(k in v, k);
});

test('health endpoints answer ok, readyz checks storage', async () => {
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const r = await api.request('GET', p);
    assert.equal(r.status, 200, p);
    assert.equal(r.body, 'ok');
  }
  const verbose = await api.request('GET', '/readyz?verbose');
  assert.match(verbose.body, /\[\+\]etcd ok\nreadyz check passed/);
});

test('aggregated discovery is chosen by Accept and marked by Content-Type', async () => {
  const apis = await api.request('GET', '/apis', { headers: { Accept: AGGREGATED } });
  assert.equal(apis.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const doc = apis.json();
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  const apps = doc.items.find((g: any) => g.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
  assert.deepEqual(deploy.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(deploy.scope, 'Namespaced');
  assert.deepEqual(deploy.categories, ['all']);
  assert.deepEqual(deploy.subresources.find((s: any) => s.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  const autoscaling = doc.items.find((g: any) => g.metadata.name === 'autoscaling');
  assert.deepEqual(autoscaling.versions.map((v: any) => v.version), ['v2', 'v1'], 'preferred version first');

  const core = (await api.request('GET', '/api', { headers: { Accept: AGGREGATED } })).json();
  assert.equal(core.items.length, 1);
  assert.equal(core.items[0].metadata.name, '');
  assert.ok(core.items[0].versions[0].resources.some((r: any) => r.resource === 'pods' && r.shortNames.includes('po')));
});

test('legacy discovery documents', async () => {
  const api0 = (await api.request('GET', '/api')).json();
  assert.equal(api0.kind, 'APIVersions');
  assert.deepEqual(api0.versions, ['v1']);
  const groups = (await api.request('GET', '/apis', { headers: { Accept: 'application/json' } })).json();
  assert.equal(groups.kind, 'APIGroupList');
  assert.deepEqual(groups.groups.find((g: any) => g.name === 'autoscaling').preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  const group = (await api.request('GET', '/apis/apps')).json();
  assert.equal(group.kind, 'APIGroup');
  const v1 = (await api.request('GET', '/api/v1')).json();
  assert.equal(v1.kind, 'APIResourceList');
  assert.ok(v1.resources.some((r: any) => r.name === 'pods/log'));
  const apps = (await api.request('GET', '/apis/apps/v1')).json();
  const scale = apps.resources.find((r: any) => r.name === 'deployments/scale');
  assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
  assert.equal((await api.request('GET', '/apis/nope.example.com/v1')).status, 404);
  assert.equal((await api.request('GET', '/apis/nope.example.com')).status, 404);
});

test('OpenAPI v3 index and documents with ETag / If-None-Match', async () => {
  const index = await api.request('GET', '/openapi/v3');
  assert.equal(index.status, 200);
  const url = index.json().paths['api/v1'].serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
  const doc = await api.request('GET', url);
  assert.equal(doc.status, 200);
  assert.ok(doc.headers.etag);
  assert.ok(doc.json().components.schemas['io.k8s.api.core.v1.Pod']);
  const again = await api.request('GET', url, { headers: { 'If-None-Match': doc.headers.etag as string } });
  assert.equal(again.status, 304);
  assert.equal((await api.request('GET', '/openapi/v3/apis/nope/v1')).status, 404);
});

test('unknown paths are 404 Status objects', async () => {
  const r = await api.request('GET', '/nothing/here');
  assert.equal(r.status, 404);
  assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
  assert.equal((await api.request('GET', '/api/v1/widgets')).status, 404);
  assert.equal((await api.request('GET', '/api/v1/namespaces/default/nodes/n1')).status, 404, 'cluster-scoped kinds have no namespaced path');
});
