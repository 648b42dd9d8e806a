// The in-process ClusterClient controllers use: same semantics as HTTP (defaults, validation, finalizers),
// and watches that deliver every change once and in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';
import { ApiError, type WatchEventOut } from '../../../../src/cluster/api/types.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer({ memory: true });
});
after(() => api.stop());

const CM = { group: '', version: 'v1', resource: 'configmaps' };
const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };

test('create, get, list, update, delete in process', async () => {
  const c = api.client({ name: 'system:serviceaccount:kube-system:test-controller', groups: ['system:masters'] });
  const created = await c.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v' } });
  assert.match(created.metadata.uid, /-/);
  assert.deepEqual((await c.get(CM, 'default', 'a'))?.data, { k: 'v' });
  assert.equal(await c.get(CM, 'default', 'missing'), undefined);
  const listed = await c.list(CM, 'default', { labelSelector: 'x=1' });
  assert.deepEqual(listed.items.map((i) => i.metadata.name), ['a']);
  const updated = await c.update(CM, 'default', { ...created, data: { k: 'w' } });
  assert.equal(updated.data.k, 'w');
  await assert.rejects(c.update(CM, 'default', { ...created, data: { k: 'z' } }), (e: unknown) => e instanceof ApiError && e.code === 409);
  await assert.rejects(c.create(CM, 'nowhere', { metadata: { name: 'b' } }), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'namespaces "nowhere" not found');
  assert.equal((await c.delete(CM, 'default', 'a'))?.metadata.name, 'a');
  assert.equal(await c.delete(CM, 'default', 'a'), undefined);
});

test('status updates and foreground deletion for a controller', async () => {
  const c = api.client({ name: 'controller', groups: ['system:masters'] });
  const rs = await c.create(RS, 'default', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const st = await c.update(RS, 'default', { ...rs, status: { replicas: 2, observedGeneration: 1 } }, 'status');
  assert.equal(st.status.replicas, 2);
  const marked = await c.delete(RS, 'default', 'rs', { propagationPolicy: 'Foreground' });
  assert.deepEqual(marked?.metadata.finalizers, ['foregroundDeletion']);
  // The garbage collector removes the finalizer once dependents are gone; the object then disappears.
  await c.update(RS, 'default', { ...marked, metadata: { ...marked!.metadata, finalizers: [] } });
  assert.equal(await c.get(RS, 'default', 'rs'), undefined);
});

test('watch delivers every change once, in order', async () => {
  const c = api.client({ name: 'controller', groups: ['system:masters'] });
  const { resourceVersion } = await c.list(CM, 'default');
  const events: WatchEventOut[] = [];
  const stop = c.watch(CM, 'default', resourceVersion, (e) => events.push(e), (e) => assert.fail(e));
  for (let i = 0; i < 20; i++) await c.create(CM, 'default', { metadata: { name: `w${i}` } });
  for (let i = 0; i < 20; i++) await c.delete(CM, 'default', `w${i}`);
  const deadline = Date.now() + 10_000;
  while (events.filter((e) => e.type !== 'BOOKMARK').length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop();
  const seen = events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);
  assert.deepEqual(seen, [...Array.from({ length: 20 }, (_, i) => `ADDED w${i}`), ...Array.from({ length: 20 }, (_, i) => `DELETED w${i}`)]);
});
