// The kubectl sessions, verbatim, against `berth cluster up` (embedded etcd, HTTPS, the admin
// kubeconfig merged into ~/.kube/config): a two-container pod created, listed wide (Pending: nothing schedules
// yet), described and deleted; a Deployment applied (created → unchanged → configured → server-side), listed
// with `get deploy,svc,all`, scaled, edited with a scripted EDITOR, watched; explain; invalid and unknown-field
// manifests refused with kubectl's usual messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { run, startBerthCluster, type BerthCluster } from '../integration/cluster/cluster-up-fixture.js';

let c: BerthCluster;
const file = (name: string, text: string) => {
  const p = path.join(c.dir, name);
  fs.writeFileSync(p, text);
  return p;
};

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: auto-pod
  labels:
    app: auto
spec:
  containers:
  - name: auto-client
    image: busybox:1.36
    command: ["sh", "-c", "while true; do wget -qO- http://localhost:8080; sleep 5; done"]
    resources:
      requests: { cpu: 100m, memory: 32Mi }
      limits: { cpu: 200m, memory: 64Mi }
  - name: auto-serve
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080"]
    ports:
    - containerPort: 8080
      name: http
    resources:
      requests: { cpu: 100m, memory: 32Mi }
      limits: { cpu: 200m, memory: 64Mi }
`;

const deployment = (replicas: number, image = 'nginx:1.25') => `apiVersion: apps/v1
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
---
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: 80
`;

before(async () => {
  c = await startBerthCluster();
});
after(async () => {
  await c?.stop();
});

test('create, get -o wide, describe and delete a two-container pod', async () => {
  const pod = file('pod.yaml', POD);
  const created = await c.kubectl('create', '-f', pod);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'pod/auto-pod created\n');
  const wide = await c.kubectl('get', 'pod/auto-pod', '-o', 'wide');
  assert.equal(wide.code, 0, wide.stderr);
  const [head, row] = wide.stdout.trim().split('\n');
  assert.match(head!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  assert.match(row!, /^auto-pod\s+0\/2\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>$/);
  const described = await c.kubectl('describe', 'pod/auto-pod');
  assert.equal(described.code, 0, described.stderr);
  for (const want of [/^Name:\s+auto-pod$/m, /^Namespace:\s+default$/m, /^Status:\s+Pending$/m, /^\s+auto-client:$/m, /^\s+auto-serve:$/m, /Port:\s+8080\/TCP/, /Limits:\n\s+cpu:\s+200m\n\s+memory:\s+64Mi/, /QoS Class:\s+Burstable/]) {
    assert.match(described.stdout, want);
  }
  const deleted = await c.kubectl('delete', '-f', pod);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'pod "auto-pod" deleted\n');
  const gone = await c.kubectl('get', 'pod/auto-pod');
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /pods "auto-pod" not found/);
});

test('apply: created, unchanged, configured, server-side; get deploy,svc,all; scale; edit', async () => {
  const f = file('nginx-deployment.yaml', deployment(2));
  let r = await c.kubectl('apply', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/nginx-deployment created\nservice/nginx created\n');
  r = await c.kubectl('apply', '-f', f);
  assert.equal(r.stdout, 'deployment.apps/nginx-deployment unchanged\nservice/nginx unchanged\n');
  fs.writeFileSync(f, deployment(2, 'nginx:1.27'));
  r = await c.kubectl('apply', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/nginx-deployment configured\nservice/nginx unchanged\n');
  assert.equal((await c.kubectl('get', 'deploy', 'nginx-deployment', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}')).stdout, 'nginx:1.27 2');

  const ssa = file('ssa.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-demo\ndata:\n  a: "1"\n`);
  r = await c.kubectl('apply', '--server-side', '-f', ssa);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap/ssa-demo serverside-applied\n');
  const mf = await c.kubectl('get', 'cm', 'ssa-demo', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}');
  assert.equal(mf.stdout, 'kubectl Apply');

  r = await c.kubectl('get', 'deploy,svc');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/nginx-deployment\s+0\/2\s+0\s+0\s+\S+\n/m);
  assert.match(r.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(r.stdout, /^service\/nginx\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m);
  r = await c.kubectl('get', 'all');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /service\/kubernetes\s+ClusterIP/);
  assert.match(r.stdout, /deployment\.apps\/nginx-deployment/);

  r = await c.kubectl('scale', 'deployment/nginx-deployment', '--replicas=3');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/nginx-deployment scaled\n');
  assert.equal((await c.kubectl('get', 'deploy', 'nginx-deployment', '-o', 'jsonpath={.spec.replicas}')).stdout, '3');

  const editor = file('editor.sh', '#!/bin/sh\nsed -i "s/nginx:1.27/nginx:1.28/" "$1"\n');
  fs.chmodSync(editor, 0o755);
  r = await run('kubectl', ['edit', 'deployment/nginx-deployment'], { env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig, KUBE_EDITOR: editor } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/nginx-deployment edited\n');
  assert.equal((await c.kubectl('get', 'deploy', 'nginx-deployment', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).stdout, 'nginx:1.28');
});

test('get pods -w prints each change as it happens', async () => {
  const w = spawn('kubectl', ['get', 'pods', '-w', '--namespace', 'default'], { env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig } });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, re);
  };
  try {
    await new Promise((r) => setTimeout(r, 500));
    const pod = file('watched.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: watched\nspec:\n  containers:\n  - name: c\n    image: busybox\n');
    assert.equal((await c.kubectl('create', '-f', pod)).code, 0);
    await waitFor(/^watched\s+0\/1\s+Pending\s+0\s+\S+$/m);
    assert.equal((await c.kubectl('label', 'pod', 'watched', 'tier=web')).code, 0);
    await waitFor(/watched[\s\S]*\nwatched\s+0\/1\s+Pending/);
    assert.equal((await c.kubectl('delete', 'pod', 'watched', '--wait=false')).code, 0);
    await waitFor(/(watched[\s\S]*){3}/);
  } finally {
    w.kill();
  }
});

test('explain, invalid manifests (422) and unknown fields under strict validation', async () => {
  const ex = await c.kubectl('explain', 'pod.spec.containers');
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /^KIND:\s+Pod$/m);
  assert.match(ex.stdout, /^FIELD:\s+containers <\[\]Container>$/m);
  assert.match(ex.stdout, /^\s+image\s+<string>$/m);

  const bad = file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n');
  let r = await c.kubectl('create', '-f', bad);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Pod "bad" is invalid: spec\.containers\[0\]\.image: Required value/);
  const badName = file('badname.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
  r = await c.kubectl('create', '-f', badName);
  assert.match(r.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  const unknown = file('unknown.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: unk\nspec:\n  foo: bar\n  containers:\n  - name: c\n    image: busybox\n');
  r = await c.kubectl('create', '-f', unknown);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /strict decoding error: unknown field "spec\.foo"/);
  assert.equal((await c.kubectl('get', 'pod', 'unk')).code, 1, 'nothing was created');
});
