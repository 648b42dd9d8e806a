// Request decomposition as kube-apiserver's RequestInfoFactory does it: RBAC sees these verbs and resources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from '../../../../src/cluster/api/request-info.js';

const info = (method: string, url: string) => {
  const u = new URL(url, 'http://x');
  return parseRequestInfo(method, u.pathname, u.searchParams);
};

test('namespaced resource paths: list, get, create, subresources', () => {
  const list = info('GET', '/api/v1/namespaces/default/pods');
  assert.equal(list.isResourceRequest, true);
  assert.deepEqual([list.verb, list.apiGroup, list.apiVersion, list.namespace, list.resource, list.name], ['list', '', 'v1', 'default', 'pods', '']);
  const get = info('GET', '/apis/apps/v1/namespaces/ns/deployments/web');
  assert.deepEqual([get.verb, get.apiGroup, get.resource, get.name], ['get', 'apps', 'deployments', 'web']);
  const scale = info('PATCH', '/apis/apps/v1/namespaces/ns/deployments/web/scale');
  assert.deepEqual([scale.verb, scale.subresource], ['patch', 'scale']);
  assert.equal(info('POST', '/api/v1/namespaces/default/pods').verb, 'create');
  assert.equal(info('PUT', '/api/v1/namespaces/default/pods/x/status').verb, 'update');
  assert.equal(info('DELETE', '/api/v1/namespaces/default/pods/x').verb, 'delete');
  assert.equal(info('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
  assert.deepEqual(info('GET', '/api/v1/namespaces/default/pods/x/log').subresource, 'log');
});

test('watch: ?watch=true and the legacy /watch/ prefix', () => {
  assert.equal(info('GET', '/api/v1/namespaces/default/pods?watch=true').verb, 'watch');
  assert.equal(info('GET', '/api/v1/pods?watch=1').verb, 'watch');
  const legacy = info('GET', '/api/v1/watch/namespaces/default/pods/x');
  assert.deepEqual([legacy.verb, legacy.namespace, legacy.resource, legacy.name], ['watch', 'default', 'pods', 'x']);
  // A watch of one name through a field selector is authorized as that name.
  assert.equal(info('GET', '/api/v1/namespaces/d/pods?watch=true&fieldSelector=metadata.name%3Dweb').name, 'web');
});

test('namespaces are their own resource; status and finalize are its subresources', () => {
  const ns = info('GET', '/api/v1/namespaces/kube-system');
  assert.deepEqual([ns.verb, ns.namespace, ns.resource, ns.name], ['get', 'kube-system', 'namespaces', 'kube-system']);
  const fin = info('PUT', '/api/v1/namespaces/doomed/finalize');
  assert.deepEqual([fin.resource, fin.name, fin.subresource], ['namespaces', 'doomed', 'finalize']);
  assert.equal(info('GET', '/api/v1/namespaces').verb, 'list');
});

test('cluster-scoped resources and non-resource paths', () => {
  const node = info('GET', '/api/v1/nodes/n1');
  assert.deepEqual([node.namespace, node.resource, node.name], ['', 'nodes', 'n1']);
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3', '/healthz']) {
    const r = info('GET', p);
    assert.equal(r.isResourceRequest, false, p);
    assert.equal(r.verb, 'get');
  }
  assert.equal(info('POST', '/version').verb, 'post');
});
