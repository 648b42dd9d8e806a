// The seeds' pod walkthrough with the real kubectl 1.32 against Berth's API on a real etcd: create -f of a
// two-container pod, get (table, -o wide, -o json/yaml), describe (with its events), label/annotate, delete -f.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startApiServer, type TestApiServer } from '../../fixtures/api-server.js';

let api: TestApiServer;
let podFile: string;

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: auto-pod
  labels:
    app: auto
spec:
  containers:
  - name: auto-client
    image: busybox
    command: ["sh", "-c", "while true; do wget -qO- http://localhost:8080; sleep 5; done"]
    resources:
      requests:
        cpu: 100m
        memory: 32Mi
      limits:
        cpu: 200m
        memory: 64Mi
  - name: auto-serve
    image: nginx:1.25
    ports:
    - containerPort: 8080
      name: http
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
      limits:
        cpu: 500m
        memory: 128Mi
`;

before(async () => {
  api = await startApiServer();
  podFile = path.join(api.dir, 'pod.yaml');
  fs.writeFileSync(podFile, POD_YAML);
});
after(() => api.stop());

test('kubectl create -f pod.yaml creates the two-container pod', async () => {
  const r = await api.kubectl('create', '-f', podFile);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pod/auto-pod created\n');
  const again = await api.kubectl('create', '-f', podFile);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*pod.yaml": pods "auto-pod" already exists/);
});

test('kubectl get pod/auto-pod -o wide: Pending, nothing scheduled', async () => {
  const r = await api.kubectl('get', 'pod/auto-pod', '-o', 'wide');
  assert.equal(r.code, 0, r.stderr);
  const [header, row] = r.stdout.trimEnd().split('\n');
  assert.match(header!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  assert.match(row!, /^auto-pod\s+0\/2\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/);
  const plain = await api.kubectl('get', 'pods');
  assert.match(plain.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nauto-pod\s+0\/2\s+Pending\s+0\s+\d+s\n$/);
  const named = await api.kubectl('get', 'po', '-o', 'name');
  assert.equal(named.stdout, 'pod/auto-pod\n');
});

test('kubectl get -o json / -o yaml show the stored object with defaults', async () => {
  const json = await api.kubectl('get', 'pod/auto-pod', '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  const pod = JSON.parse(json.stdout);
  assert.equal(pod.kind, 'Pod');
  assert.deepEqual(pod.spec.containers.map((c: any) => c.name), ['auto-client', 'auto-serve']);
  assert.deepEqual(pod.spec.containers[1].ports, [{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
  assert.deepEqual(pod.spec.containers[0].resources, { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
  assert.equal(pod.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.status.qosClass, 'Burstable');
  assert.equal(pod.metadata.managedFields, undefined, 'kubectl hides managedFields by default');
  const managed = JSON.parse((await api.kubectl('get', 'pod/auto-pod', '-o', 'json', '--show-managed-fields')).stdout);
  assert.ok(managed.metadata.managedFields.some((m: any) => m.manager === 'kubectl-create' && m.operation === 'Update'));
  const yaml = await api.kubectl('get', 'pod/auto-pod', '-o', 'yaml');
  assert.match(yaml.stdout, /^apiVersion: v1\nkind: Pod\n/);
  assert.match(yaml.stdout, /\n  uid: [0-9a-f-]{36}\n/);
});

test('kubectl describe pod/auto-pod lists containers and the pod’s events', async () => {
  const pod = JSON.parse((await api.kubectl('get', 'pod/auto-pod', '-o', 'json')).stdout);
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'auto-pod.17a', namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'auto-pod', namespace: 'default', uid: pod.metadata.uid },
    reason: 'FailedScheduling',
    message: 'no nodes available to schedule pods',
    type: 'Warning',
    source: { component: 'default-scheduler' },
    firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    count: 3,
  };
  const evFile = path.join(api.dir, 'event.json');
  fs.writeFileSync(evFile, JSON.stringify(event));
  assert.equal((await api.kubectl('create', '-f', evFile)).code, 0);
  const r = await api.kubectl('describe', 'pod/auto-pod');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Name:\s+auto-pod$/m);
  assert.match(r.stdout, /^Status:\s+Pending$/m);
  assert.match(r.stdout, /^\s+auto-client:$/m);
  assert.match(r.stdout, /^\s+auto-serve:$/m);
  assert.match(r.stdout, /^\s+Port:\s+8080\/TCP$/m);
  assert.match(r.stdout, /^QoS Class:\s+Burstable$/m);
  assert.match(r.stdout, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
  assert.match(r.stdout, /Warning\s+FailedScheduling\s+\S+ \(x3 over \S+\)\s+default-scheduler\s+no nodes available to schedule pods/);
  const events = await api.kubectl('get', 'events');
  assert.match(events.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\S+\s+Warning\s+FailedScheduling\s+pod\/auto-pod\s+no nodes available to schedule pods\n$/);
});

test('kubectl label and annotate', async () => {
  const l = await api.kubectl('label', 'pod/auto-pod', 'tier=web');
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout, 'pod/auto-pod labeled\n');
  const a = await api.kubectl('annotate', 'pod/auto-pod', 'owner=team-a');
  assert.equal(a.stdout, 'pod/auto-pod annotated\n');
  const shown = await api.kubectl('get', 'pods', '-l', 'tier=web', '--show-labels');
  assert.match(shown.stdout, /auto-pod\s+0\/2\s+Pending\s+0\s+\d+s\s+app=auto,tier=web/);
  const none = await api.kubectl('get', 'pods', '-l', 'tier=db');
  assert.match(none.stderr, /No resources found in default namespace/);
  const ann = await api.kubectl('get', 'pod/auto-pod', '-o', 'jsonpath={.metadata.annotations.owner}');
  assert.equal(ann.stdout, 'team-a');
  const relabel = await api.kubectl('label', 'pod/auto-pod', 'tier=db');
  assert.notEqual(relabel.code, 0, 'changing a label needs --overwrite');
});

test('kubectl delete -f pod.yaml removes it (kubectl waits for the deletion)', async () => {
  const r = await api.kubectl('delete', '-f', podFile);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pod "auto-pod" deleted\n');
  const gone = await api.kubectl('get', 'pod/auto-pod');
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /Error from server \(NotFound\): pods "auto-pod" not found/);
});
