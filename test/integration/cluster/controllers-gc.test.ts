// The garbage collector and namespace controller behind the real kubectl: `kubectl delete
// --cascade=foreground|orphan|background` on a ReplicaSet that owns ConfigMaps, and `kubectl delete ns`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerthCluster, eventually, type BerthCluster } from './cluster-up-fixture.js';

let c: BerthCluster;
before(async () => {
  c = await startBerthCluster();
});
after(async () => {
  await c?.stop();
});

const replicaSet = (ns: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: owner, namespace: ${ns}}
spec:
  replicas: 0
  selector: {matchLabels: {app: owner}}
  template:
    metadata: {labels: {app: owner}}
    spec: {containers: [{name: c, image: busybox}]}
`;

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A namespace with the ReplicaSet `owner` and dependents `dep1` (held by a finalizer when asked) and `dep2`. */
async function ownerWithDependents(ns: string, hold = false): Promise<string> {
  await ok(c.kubectlWith({ input: `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n---\n${replicaSet(ns)}` }, 'apply', '-f', '-'));
  const uid = await ok(c.kubectl('get', 'rs', 'owner', '-n', ns, '-o', 'jsonpath={.metadata.uid}'));
  const ref = `ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: owner, uid: ${uid}, controller: true, blockOwnerDeletion: true}]`;
  const cm = (name: string, finalizers: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  ${ref}\n${finalizers}data: {k: v}\n`;
  await ok(c.kubectlWith({ input: `${cm('dep1', hold ? '  finalizers: [example.com/hold]\n' : '')}---\n${cm('dep2', '')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bystander, namespace: ${ns}}\n` }, 'create', '-f', '-'));
  return uid;
}

const names = async (kind: string, ns: string) => (await ok(c.kubectl('get', kind, '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}'))).split(' ').filter((n) => n && n !== 'kube-root-ca.crt').sort();

/** Removes every finalizer of an object through a plain update (kubectl replace). */
async function release(kind: string, name: string, ns: string): Promise<void> {
  const obj = JSON.parse(await ok(c.kubectl('get', kind, name, '-n', ns, '-o', 'json')));
  obj.metadata.finalizers = [];
  await ok(c.kubectlWith({ input: JSON.stringify(obj) }, 'replace', '-f', '-'));
}

test('--cascade=background: the owner goes at once, its dependents follow', async () => {
  await ownerWithDependents('bg');
  const out = await ok(c.kubectl('delete', 'rs', 'owner', '-n', 'bg', '--cascade=background'));
  assert.match(out, /replicaset\.apps "owner" deleted/);
  await eventually('dependents collected', async () => (await names('configmaps', 'bg')).join() === 'bystander');
  assert.deepEqual(await names('rs', 'bg'), []);
});

test('--cascade=orphan: dependents stay, without their reference to the owner', async () => {
  await ownerWithDependents('orphan');
  const out = await ok(c.kubectl('delete', 'rs', 'owner', '-n', 'orphan', '--cascade=orphan'));
  assert.match(out, /replicaset\.apps "owner" deleted/);
  assert.deepEqual(await names('rs', 'orphan'), [], 'kubectl waited for the orphan finalizer to be processed');
  assert.deepEqual(await names('configmaps', 'orphan'), ['bystander', 'dep1', 'dep2']);
  for (const d of ['dep1', 'dep2']) {
    assert.equal(await ok(c.kubectl('get', 'cm', d, '-n', 'orphan', '-o', 'jsonpath={.metadata.ownerReferences}')), '');
  }
});

test('--cascade=foreground: dependents first; the owner waits for a blocking dependent', async () => {
  await ownerWithDependents('fg', true);
  await ok(c.kubectl('delete', 'rs', 'owner', '-n', 'fg', '--cascade=foreground', '--wait=false'));
  await eventually('dep2 deleted and dep1 marked', async () => {
    const left = await names('configmaps', 'fg');
    const marked = await ok(c.kubectl('get', 'cm', 'dep1', '-n', 'fg', '-o', 'jsonpath={.metadata.deletionTimestamp}'));
    return left.join() === 'bystander,dep1' && marked !== '';
  });
  const owner = JSON.parse(await ok(c.kubectl('get', 'rs', 'owner', '-n', 'fg', '-o', 'json')));
  assert.ok(owner.metadata.deletionTimestamp, 'the owner is being deleted');
  assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion'], 'and waits for dep1');
  await release('cm', 'dep1', 'fg');
  await ok(c.kubectl('wait', '--for=delete', 'rs/owner', '-n', 'fg', '--timeout=30s'));
  assert.deepEqual(await names('configmaps', 'fg'), ['bystander']);
});

test('deleting a namespace: Terminating while its content goes, then it disappears', async () => {
  const ns = 'doomed';
  await ok(c.kubectlWith({
    input: `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n---\n${replicaSet(ns)}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ${ns}}\n---\n` +
      `apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: ${ns}}\nspec: {ports: [{port: 80}]}\n---\n` +
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: ${ns}, finalizers: [example.com/hold]}\n`,
  }, 'apply', '-f', '-'));
  await ok(c.kubectl('delete', 'ns', ns, '--wait=false'));
  await eventually('content deleted except the held ConfigMap', async () => {
    const left = [...(await names('configmaps', ns)), ...(await names('rs', ns)), ...(await names('secrets', ns)), ...(await names('services', ns))];
    return left.join() === 'held';
  });
  assert.equal(await ok(c.kubectl('get', 'ns', ns, '-o', 'jsonpath={.status.phase}')), 'Terminating');
  const refused = await c.kubectlWith({ input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: ${ns}}\n` }, 'create', '-f', '-');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /forbidden: unable to create new content in namespace doomed because it is being terminated/);
  await release('cm', 'held', ns);
  await ok(c.kubectl('wait', '--for=delete', `namespace/${ns}`, '--timeout=30s'));
  const gone = await c.kubectl('get', 'ns', ns);
  assert.match(gone.stderr, /namespaces "doomed" not found/);
});
