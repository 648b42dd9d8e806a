// Authentication and authorization at the handler's door: 401 without credentials, 403 worded like
// kube-apiserver, the attributes the authorizer sees, and the health checks open to anyone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';
import type { RequestAttributes, UserInfo } from '../../../../src/cluster/api/types.js';

let api: TestApiServer;
const seen: RequestAttributes[] = [];
const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };

before(async () => {
  api = await startApiServer({
    memory: true,
    // A bearer token "alice" authenticates as alice; anything else is anonymous.
    authenticator: { authenticate: async (req) => (req.headers.authorization === 'Bearer alice' ? alice : req.headers.authorization === 'Bearer admin' ? { name: 'admin', groups: ['system:masters'] } : undefined) },
    // alice may only read pods in "default".
    authorizer: {
      authorize: async (a) => {
        seen.push(a);
        if (a.user.groups.includes('system:masters')) return { allowed: true };
        return { allowed: a.resourceRequest && a.resource === 'pods' && !a.subresource && a.namespace === 'default' && ['get', 'list', 'watch'].includes(a.verb) };
      },
    },
  });
});
after(() => api.stop());

const as = (who: string) => ({ Authorization: `Bearer ${who}` });

test('no credentials: 401 Unauthorized; health checks and version stay open', async () => {
  const r = await api.request('GET', '/api/v1/namespaces/default/pods');
  assert.equal(r.status, 401);
  assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  assert.equal((await api.request('GET', '/apis')).status, 401);
  for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await api.request('GET', p)).status, 200, p);
});

test('RBAC-style denials are 403 with Kubernetes’ message', async () => {
  assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods', { headers: as('alice') })).status, 200);
  const other = await api.request('GET', '/api/v1/namespaces/kube-system/pods', { headers: as('alice') });
  assert.equal(other.status, 403);
  assert.deepEqual(other.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    reason: 'Forbidden',
    details: { kind: 'pods' },
    code: 403,
  });
  const create = await api.request('POST', '/api/v1/namespaces/default/pods', { headers: as('alice'), body: {} });
  assert.equal(create.json().message, 'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "default"');
  const named = await api.request('DELETE', '/apis/apps/v1/namespaces/default/deployments/web', { headers: as('alice') });
  assert.equal(named.json().message, 'deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "default"');
  const nodes = await api.request('GET', '/api/v1/nodes', { headers: as('alice') });
  assert.equal(nodes.json().message, 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  const log = await api.request('GET', '/api/v1/namespaces/default/pods/x/log', { headers: as('alice') });
  assert.equal(log.json().message, 'pods "x" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "default"');
  const path = await api.request('GET', '/apis', { headers: as('alice') });
  assert.equal(path.json().message, 'forbidden: User "alice" cannot get path "/apis"');
});

test('the authorizer sees Kubernetes’ attributes', async () => {
  seen.length = 0;
  await api.request('GET', '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dweb', { headers: as('admin') });
  await api.request('PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', { headers: { ...as('admin'), 'Content-Type': 'application/merge-patch+json' }, body: '{}' });
  await api.request('GET', '/openapi/v3', { headers: as('admin') });
  assert.deepEqual(
    seen.map((a) => ({ ...a, user: a.user.name })),
    [
      { user: 'admin', verb: 'watch', resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'web', path: '/api/v1/namespaces/default/pods' },
      { user: 'admin', verb: 'patch', resourceRequest: true, apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', namespace: 'ns1', name: 'web', path: '/apis/apps/v1/namespaces/ns1/deployments/web/scale' },
      { user: 'admin', verb: 'get', resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', path: '/openapi/v3' },
    ],
  );
});
