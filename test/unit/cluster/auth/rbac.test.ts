import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestAttributes, UserInfo } from '../../../../src/cluster/api/types.js';
import { nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows, subjectMatches } from '../../../../src/cluster/auth/rbac-rules.js';
import { createRbacAuthorizer, staticPolicySource } from '../../../../src/cluster/auth/rbac.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../../../../src/cluster/auth/bootstrap-policy.js';

const alice: UserInfo = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const req = (over: Partial<RequestAttributes>): RequestAttributes => ({
  user: alice,
  verb: 'get',
  resourceRequest: true,
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'pods',
  namespace: 'team',
  path: '/api/v1/namespaces/team/pods',
  ...over,
});

test('resources: exact, `*`, subresources only when named, `*/sub`', () => {
  assert.ok(resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods'));
  assert.ok(!resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods', 'log'), 'pods does not grant pods/log');
  assert.ok(resourceMatches({ verbs: ['get'], resources: ['pods/log'] }, 'pods', 'log'));
  assert.ok(!resourceMatches({ verbs: ['get'], resources: ['pods/log'] }, 'pods'), 'pods/log does not grant pods');
  assert.ok(resourceMatches({ verbs: ['get'], resources: ['*'] }, 'pods', 'exec'));
  assert.ok(resourceMatches({ verbs: ['get'], resources: ['*/scale'] }, 'deployments', 'scale'));
  assert.ok(!resourceMatches({ verbs: ['get'], resources: ['*/scale'] }, 'deployments'));
});

test('resourceNames restrict to named objects and never match unnamed requests', () => {
  const rule = { verbs: ['get', 'list'], resources: ['configmaps'], resourceNames: ['app-config'] };
  assert.ok(resourceNameMatches(rule, 'app-config'));
  assert.ok(!resourceNameMatches(rule, 'other'));
  assert.ok(!resourceNameMatches(rule, undefined), 'a list without a name is not covered');
  assert.ok(resourceNameMatches({ verbs: ['get'] }, undefined));
});

test('nonResourceURLs: exact, `*`, trailing-`*` prefix', () => {
  assert.ok(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/version'] }, '/version'));
  assert.ok(!nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/version'] }, '/version/x'));
  assert.ok(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, '/apis/apps/v1'));
  assert.ok(!nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, '/api'));
  assert.ok(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['*'] }, '/anything'));
});

test('ruleAllows checks verb and group; non-resource rules never grant resources and vice versa', () => {
  const podsRead = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] };
  assert.ok(ruleAllows(req({ verb: 'list' }), podsRead));
  assert.ok(!ruleAllows(req({ verb: 'create' }), podsRead));
  assert.ok(!ruleAllows(req({ apiGroup: 'apps', resource: 'pods' }), podsRead));
  assert.ok(ruleAllows(req({ apiGroup: 'apps', resource: 'deployments', verb: 'delete' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  const nonRes = req({ resourceRequest: false, verb: 'get', path: '/healthz', resource: '' });
  assert.ok(!ruleAllows(nonRes, podsRead));
  assert.ok(ruleAllows(nonRes, { verbs: ['get'], nonResourceURLs: ['/healthz'] }));
  assert.ok(!ruleAllows(req({}), { verbs: ['get'], nonResourceURLs: ['*'] }));
});

test('subjects: users, groups, service accounts (namespace defaults to the binding)', () => {
  assert.ok(subjectMatches({ kind: 'User', name: 'alice' }, alice));
  assert.ok(subjectMatches({ kind: 'Group', name: 'dev' }, alice));
  assert.ok(!subjectMatches({ kind: 'Group', name: 'ops' }, alice));
  const sa = { name: 'system:serviceaccount:team:builder', groups: [] };
  assert.ok(subjectMatches({ kind: 'ServiceAccount', name: 'builder', namespace: 'team' }, sa));
  assert.ok(subjectMatches({ kind: 'ServiceAccount', name: 'builder' }, sa, 'team'));
  assert.ok(!subjectMatches({ kind: 'ServiceAccount', name: 'builder' }, sa, 'other'));
});

const policy = [
  ...bootstrapClusterRoles(),
  ...bootstrapClusterRoleBindings(),
  {
    kind: 'RoleBinding',
    metadata: { name: 'alice-view', namespace: 'team' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }],
  },
  { kind: 'Role', metadata: { name: 'cm-one', namespace: 'team' }, rules: [{ verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] },
  {
    kind: 'RoleBinding',
    metadata: { name: 'dev-cm', namespace: 'team' },
    roleRef: { kind: 'Role', name: 'cm-one' },
    subjects: [{ kind: 'Group', name: 'dev' }],
  },
];

test('authorizer: view bound in one namespace reads there, cannot write, cannot read elsewhere', async () => {
  const authz = createRbacAuthorizer(() => staticPolicySource(policy));
  assert.equal((await authz.authorize(req({ verb: 'list' }))).allowed, true);
  assert.equal((await authz.authorize(req({ verb: 'get', subresource: 'log', name: 'p' }))).allowed, true);
  assert.equal((await authz.authorize(req({ verb: 'create' }))).allowed, false);
  assert.equal((await authz.authorize(req({ verb: 'list', namespace: 'other' }))).allowed, false);
  assert.equal((await authz.authorize(req({ verb: 'get', resource: 'secrets', name: 's' }))).allowed, false, 'view excludes secrets');
  assert.equal((await authz.authorize(req({ verb: 'create', subresource: 'exec', name: 'p' }))).allowed, false);
  assert.equal((await authz.authorize(req({ verb: 'list', namespace: undefined }))).allowed, false, 'a RoleBinding never grants cluster-wide');
});

test('authorizer: a Role with resourceNames, bound to a group', async () => {
  const authz = createRbacAuthorizer(() => staticPolicySource(policy));
  assert.equal((await authz.authorize(req({ verb: 'update', resource: 'configmaps', name: 'settings' }))).allowed, true);
  assert.equal((await authz.authorize(req({ verb: 'update', resource: 'configmaps', name: 'other' }))).allowed, false);
});

test('authorizer: discovery for every authenticated user, everything for system:masters, nothing for strangers', async () => {
  const authz = createRbacAuthorizer(() => staticPolicySource(policy));
  const nonRes = (path: string, user: UserInfo = alice) => req({ user, resourceRequest: false, path, resource: '', namespace: undefined });
  for (const p of ['/api', '/apis', '/apis/apps/v1', '/version', '/openapi/v3', '/openapi/v3/api/v1', '/healthz', '/readyz']) {
    assert.equal((await authz.authorize(nonRes(p))).allowed, true, p);
  }
  assert.equal((await authz.authorize(nonRes('/metrics'))).allowed, false);
  const admin = { name: 'berth-admin', groups: ['system:masters', 'system:authenticated'] };
  const d = await authz.authorize(req({ user: admin, verb: 'delete', resource: 'nodes', namespace: undefined }));
  assert.equal(d.allowed, true);
  const nobody = { name: 'eve', groups: [] };
  assert.equal((await authz.authorize(nonRes('/api', nobody))).allowed, false);
  const denied = await authz.authorize(req({ user: { name: 'bob', groups: ['system:authenticated'] }, verb: 'list' }));
  assert.deepEqual(denied, { allowed: false });
});

test('bootstrap: cluster-admin is bound to system:masters; edit and admin include view', () => {
  const roles = bootstrapClusterRoles();
  const names = roles.map((r) => r.metadata.name);
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery']) assert.ok(names.includes(n), n);
  const crb = bootstrapClusterRoleBindings().find((b) => b.metadata.name === 'cluster-admin')!;
  assert.deepEqual(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  const authz = (role: string) => createRbacAuthorizer(() =>
    staticPolicySource([
      ...roles,
      { kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: 'alice' }] },
    ]));
  return (async () => {
    assert.equal((await authz('edit').authorize(req({ verb: 'create', resource: 'secrets' }))).allowed, true);
    assert.equal((await authz('edit').authorize(req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' }))).allowed, false);
    assert.equal((await authz('admin').authorize(req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' }))).allowed, true);
    assert.equal((await authz('view').authorize(req({ verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'd' }))).allowed, true);
  })();
});
