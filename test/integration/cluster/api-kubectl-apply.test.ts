// Declarative workflows with the real kubectl 1.32 on a real etcd: apply (created → unchanged → configured),
// apply --server-side, get deploy,svc,all, scale, edit with a scripted EDITOR, explain, dry-run=server,
// strict validation and 422 messages, 409 on a stale replace, and delete --cascade as finalizers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startApiServer, type TestApiServer } from '../../fixtures/api-server.js';

let api: TestApiServer;
const file = (name: string, text: string) => {
  const p = path.join(api.dir, name);
  fs.writeFileSync(p, text);
  return p;
};

const deployment = (image: string, replicas = 3) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: 80
  clusterIP: 10.96.0.50
`;

before(async () => {
  api = await startApiServer();
});
after(() => api.stop());

const json = async (...args: string[]) => {
  const r = await api.kubectl(...args, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('kubectl apply: created, unchanged, configured', async () => {
  const f = file('nginx-deployment.yaml', deployment('nginx:1.14.2'));
  const created = await api.kubectl('apply', '-f', f);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'deployment.apps/nginx-deployment created\n');
  const rv = (await json('get', 'deploy/nginx-deployment')).metadata.resourceVersion;
  const unchanged = await api.kubectl('apply', '-f', f);
  assert.equal(unchanged.stdout, 'deployment.apps/nginx-deployment unchanged\n');
  assert.equal((await json('get', 'deploy/nginx-deployment')).metadata.resourceVersion, rv, 'nothing was written');
  fs.writeFileSync(f, deployment('nginx:1.16.1'));
  const configured = await api.kubectl('apply', '-f', f);
  assert.equal(configured.code, 0, configured.stderr);
  assert.equal(configured.stdout, 'deployment.apps/nginx-deployment configured\n');
  const d = await json('get', 'deploy/nginx-deployment');
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.16.1');
  assert.deepEqual(d.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(d.metadata.generation, 2);
  assert.equal(d.spec.strategy.type, 'RollingUpdate', 'defaults survive the three-way patch');
  assert.match(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /nginx:1\.16\.1/);
});

test('kubectl get deploy,svc,all', async () => {
  assert.equal((await api.kubectl('apply', '-f', file('svc.yaml', service))).code, 0);
  const r = await api.kubectl('get', 'deploy,svc');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/nginx-deployment\s+0\/3\s+0\s+0\s+\d+s\n\nNAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nservice\/nginx\s+ClusterIP\s+10\.96\.0\.50\s+<none>\s+80\/TCP\s+\d+s\n$/);
  const all = await api.kubectl('get', 'all');
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /service\/nginx\s+ClusterIP/);
  assert.match(all.stdout, /deployment\.apps\/nginx-deployment\s+0\/3/);
  const wide = await api.kubectl('get', 'deploy', '-o', 'wide');
  assert.match(wide.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nnginx-deployment\s+0\/3\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.16\.1\s+app=nginx\n$/);
});

test('kubectl scale and kubectl edit', async () => {
  const s = await api.kubectl('scale', 'deploy/nginx-deployment', '--replicas=5');
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, 'deployment.apps/nginx-deployment scaled\n');
  assert.equal((await json('get', 'deploy/nginx-deployment')).spec.replicas, 5);
  const editor = file('editor.sh', '#!/bin/sh\nsed -i "s/replicas: 5/replicas: 2/; s/nginx:1.16.1/nginx:1.17/" "$1"\n');
  fs.chmodSync(editor, 0o755);
  const e = await api.kubectlWith({ env: { KUBE_EDITOR: editor, EDITOR: editor } }, 'edit', 'deploy/nginx-deployment');
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.stdout, 'deployment.apps/nginx-deployment edited\n');
  const d = await json('get', 'deploy/nginx-deployment', '--show-managed-fields');
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.17');
  assert.ok(d.metadata.managedFields.some((m: any) => m.manager === 'kubectl-edit'));
});

test('kubectl apply --server-side: conflicts with other managers, then --force-conflicts', async () => {
  const f = file('ssa.yaml', deployment('nginx:1.18', 4).replace('nginx-deployment', 'ssa'));
  const created = await api.kubectl('apply', '--server-side', '-f', f);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'deployment.apps/ssa serverside-applied\n');
  const d = await json('get', 'deploy/ssa', '--show-managed-fields');
  assert.deepEqual(d.metadata.managedFields.map((m: any) => [m.manager, m.operation]), [['kubectl', 'Apply']]);
  assert.equal((await api.kubectl('scale', 'deploy/ssa', '--replicas=1')).code, 0);
  const conflict = await api.kubectl('apply', '--server-side', '-f', f);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas/);
  const forced = await api.kubectl('apply', '--server-side', '--force-conflicts', '-f', f);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await json('get', 'deploy/ssa')).spec.replicas, 4);
});

test('kubectl explain pod.spec.containers', async () => {
  const r = await api.kubectl('explain', 'pod.spec.containers');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^KIND:\s+Pod$/m);
  assert.match(r.stdout, /^FIELD: containers <\[\]Container>$/m);
  assert.match(r.stdout, /^\s+name\s+<string> -required-$/m);
});

test('dry-run=server writes nothing; strict validation and 422s as kubectl prints them', async () => {
  const cm = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n');
  const dry = await api.kubectl('apply', '-f', cm, '--dry-run=server');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout, 'configmap/settings created (server dry run)\n');
  assert.notEqual((await api.kubectl('get', 'cm/settings')).code, 0);

  const unknown = file('unknown.yaml', deployment('nginx').replace('nginx-deployment', 'typo').replace('  replicas: 3\n', '  replicas: 3\n  replicaz: 4\n'));
  const strict = await api.kubectl('create', '-f', unknown);
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /^Error from server \(BadRequest\): error when creating ".*unknown.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"\n$/);
  const warn = await api.kubectl('create', '-f', unknown, '--validate=warn');
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "spec.replicaz"/);

  const invalid = file('invalid.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: c\n');
  const r = await api.kubectl('create', '-f', invalid);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The Pod "Bad_Name" is invalid: \n\* metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
  assert.match(r.stderr, /\* spec.containers\[0\].image: Required value/);
});

test('kubectl replace with a stale resourceVersion is a 409 Conflict', async () => {
  const d = await json('get', 'deploy/nginx-deployment');
  assert.equal((await api.kubectl('label', 'deploy/nginx-deployment', 'bump=1')).code, 0);
  d.spec.replicas = 9;
  const stale = file('stale.json', JSON.stringify(d));
  const r = await api.kubectl('replace', '-f', stale);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(Conflict\): error when replacing ".*stale.json": Operation cannot be fulfilled on deployments.apps "nginx-deployment": the object has been modified; please apply your changes to the latest version and try again/);
});

test('kubectl delete --cascade=foreground|orphan marks the owner for the garbage collector', async () => {
  const owner = file('owner.yaml', deployment('nginx').replace('nginx-deployment', 'owner-fg'));
  await api.kubectl('apply', '-f', owner);
  const fg = await api.kubectl('delete', 'deploy/owner-fg', '--cascade=foreground', '--wait=false');
  assert.equal(fg.code, 0, fg.stderr);
  const marked = await json('get', 'deploy/owner-fg');
  assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(marked.metadata.deletionTimestamp);

  await api.kubectl('apply', '-f', file('owner2.yaml', deployment('nginx').replace('nginx-deployment', 'owner-or')));
  const uid = (await json('get', 'deploy/owner-or')).metadata.uid;
  const dependent = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'owner-or', uid, controller: true, blockOwnerDeletion: true }] } };
  assert.equal((await api.kubectl('create', '-f', file('dep.json', JSON.stringify(dependent)))).code, 0);
  const or = await api.kubectl('delete', 'deploy/owner-or', '--cascade=orphan', '--wait=false');
  assert.equal(or.code, 0, or.stderr);
  assert.deepEqual((await json('get', 'deploy/owner-or')).metadata.finalizers, ['orphan']);
  assert.equal((await json('get', 'cm/dependent')).metadata.ownerReferences[0].uid, uid, 'dependents are the collector’s to release');

  const bg = await api.kubectl('delete', 'svc/nginx', '--cascade=background');
  assert.equal(bg.code, 0, bg.stderr);
  assert.equal(bg.stdout, 'service "nginx" deleted\n');
  assert.notEqual((await api.kubectl('get', 'svc/nginx')).code, 0);
});
