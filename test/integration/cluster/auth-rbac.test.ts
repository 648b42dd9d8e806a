// Authentication and RBAC against a real control plane with the real kubectl: no credentials → 401; a
// client-certificate identity and a token identity, each bound to the `view` ClusterRole in one namespace,
// read there, and get kubectl's 403 messages for writes and for other namespaces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startBerthCluster, eventually, type BerthCluster } from './cluster-up-fixture.js';

let c: BerthCluster;
before(async () => {
  c = await startBerthCluster();
});
after(async () => {
  await c?.stop();
});

const manifest = `apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: auditors, apiGroup: rbac.authorization.k8s.io}
`;
const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox}]}\n';

test('a request without credentials is 401, as a Status and in kubectl', async () => {
  const r = await c.request('GET', '/api/v1/namespaces/default/pods', undefined, { anonymous: true });
  assert.equal(r.status, 401);
  assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  // kubectl with a certificate the cluster CA did not sign (claiming system:masters): refused as unauthenticated.
  const dir = path.join(c.dir, 'mallory');
  fs.mkdirSync(dir);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem',
    '-days', '1', '-subj', '/CN=mallory/O=system:masters'], { cwd: dir, stdio: 'ignore' });
  const forged = path.join(dir, 'kubeconfig');
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString('base64');
  fs.writeFileSync(forged, `apiVersion: v1\nkind: Config\nclusters: [{name: b, cluster: {server: "https://127.0.0.1:${c.port}", certificate-authority: "${c.state.pki}/ca.crt"}}]\n` +
    `users: [{name: m, user: {client-certificate-data: ${b64('c.pem')}, client-key-data: ${b64('k.pem')}}}]\ncontexts: [{name: b, context: {cluster: b, user: m}}]\ncurrent-context: b\n`);
  const k = await c.kubectlWith({ kubeconfig: forged }, 'get', 'pods');
  assert.equal(k.code, 1);
  // kubectl's words when discovery gets a 401 (the same against kube-apiserver).
  assert.match(k.stderr, /^error: You must be logged in to the server \(the server has asked for the client to provide credentials\)$/m);
  // A bearer token nobody issued is no better.
  const tokenKc = path.join(dir, 'token-kubeconfig');
  fs.writeFileSync(tokenKc, fs.readFileSync(forged, 'utf8').replace(/users: .*\n/, 'users: [{name: m, user: {token: not-a-token}}]\n'));
  const bad = await c.kubectlWith({ kubeconfig: tokenKc }, 'get', 'pods');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: You must be logged in to the server \(the server has asked for the client to provide credentials\)$/m);
});

test('limited identities (client certificate and token) bound to view in one namespace', async () => {
  const applied = await c.kubectlWith({ input: manifest }, 'apply', '-f', '-');
  assert.equal(applied.code, 0, applied.stderr);
  const alice = path.join(c.dir, 'alice.kubeconfig');
  const carol = path.join(c.dir, 'carol.kubeconfig');
  const certOut = await c.berth('credentials', '--user', 'alice', '--group', 'devs', '-o', alice);
  assert.equal(certOut.code, 0, certOut.stderr);
  const tokOut = await c.berth('credentials', '--user', 'carol', '--group', 'auditors', '--token', '-o', carol);
  assert.equal(tokOut.code, 0, tokOut.stderr);

  for (const [who, kubeconfig] of [['alice', alice], ['carol', carol]] as const) {
    // The binding reaches the RBAC cache through a watch: allow it a moment.
    await eventually(`${who} can list pods in team`, async () => (await c.kubectlWith({ kubeconfig }, 'get', 'pods', '-n', 'team')).code === 0);
    const list = await c.kubectlWith({ kubeconfig }, 'get', 'pods', '-n', 'team');
    assert.match(list.stderr, /No resources found in team namespace\./);

    const create = await c.kubectlWith({ kubeconfig, input: pod }, 'create', '-n', 'team', '-f', '-');
    assert.equal(create.code, 1);
    assert.match(create.stderr, new RegExp(`Error from server \\(Forbidden\\): error when creating "STDIN": pods is forbidden: User "${who}" cannot create resource "pods" in API group "" in the namespace "team"`));

    const elsewhere = await c.kubectlWith({ kubeconfig }, 'get', 'pods', '-n', 'other');
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, new RegExp(`Error from server \\(Forbidden\\): pods is forbidden: User "${who}" cannot list resource "pods" in API group "" in the namespace "other"`));

    const secrets = await c.kubectlWith({ kubeconfig }, 'get', 'secrets', '-n', 'team');
    assert.match(secrets.stderr, new RegExp(`secrets is forbidden: User "${who}" cannot list resource "secrets"`), 'view does not read Secrets');

    // Discovery works for any authenticated user (kubectl needs it for everything else).
    const resources = await c.kubectlWith({ kubeconfig }, 'api-resources', '--api-group=apps', '-o', 'name');
    assert.equal(resources.code, 0, resources.stderr);
    assert.match(resources.stdout, /^deployments\.apps$/m);
  }

  // The admin still can do it all; revoking the binding takes the access away again.
  assert.equal((await c.kubectlWith({ input: pod }, 'create', '-n', 'team', '-f', '-')).code, 0);
  assert.equal((await c.kubectl('delete', 'rolebinding', 'viewers', '-n', 'team')).code, 0);
  await eventually('alice loses access', async () => (await c.kubectlWith({ kubeconfig: alice }, 'get', 'pods', '-n', 'team')).code !== 0);
});
