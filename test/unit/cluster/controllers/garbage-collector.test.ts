import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GarbageCollector } from '../../../../src/cluster/controllers/garbage-collector.js';
import { NamespaceLifecycle } from '../../../../src/cluster/controllers/namespace-lifecycle.js';
import { findResource } from '../../../../src/cluster/resources/catalog.js';
import { FakeClusterClient } from './fake-cluster-client.js';

const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const CM = { group: '', version: 'v1', resource: 'configmaps' };
const NS = { group: '', version: 'v1', resource: 'namespaces' };
const resources = [findResource('apps', 'v1', 'replicasets')!, findResource('', 'v1', 'configmaps')!];

const until = async (what: string, fn: () => boolean) => {
  for (let i = 0; i < 500; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
};

function world() {
  const client = new FakeClusterClient();
  const rs = client.seed(RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' } });
  const ownerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
  for (const n of ['c1', 'c2']) client.seed(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default', ownerReferences: [ownerRef] } });
  client.seed(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'default' } });
  const gc = new GarbageCollector({ client, resources });
  return { client, gc, rs };
}

test('Background: deleting the owner deletes its dependents, and only them', async () => {
  const { client, gc } = world();
  await gc.start();
  try {
    await client.delete(RS, 'default', 'web', { propagationPolicy: 'Background' });
    await until('dependents gone', () => client.names(CM).length === 1);
    assert.deepEqual(client.names(CM), ['unrelated']);
  } finally {
    gc.stop();
  }
});

test('Orphan: dependents lose their reference and stay; then the owner goes', async () => {
  const { client, gc } = world();
  await gc.start();
  try {
    await client.delete(RS, 'default', 'web', { propagationPolicy: 'Orphan' });
    await until('owner gone', () => client.names(RS).length === 0);
    assert.deepEqual(client.names(CM), ['c1', 'c2', 'unrelated']);
    for (const n of ['c1', 'c2']) assert.equal((await client.get(CM, 'default', n))!.metadata.ownerReferences, undefined);
    // The owner's finalizer went only after both dependents were orphaned.
    const order = client.log.filter((l) => l.startsWith('update'));
    assert.deepEqual([...order].sort(), ['update configmaps c1', 'update configmaps c2', 'update replicasets web']);
    assert.equal(order.at(-1), 'update replicasets web');
  } finally {
    gc.stop();
  }
});

test('Foreground: dependents are deleted first, the owner stays until blocking ones are gone', async () => {
  const { client, gc } = world();
  // c1 has a finalizer of its own, so it lingers (deletionTimestamp set) and keeps blocking the owner.
  const c1 = (await client.get(CM, 'default', 'c1'))!;
  c1.metadata.finalizers = ['example.com/hold'];
  await client.update(CM, 'default', c1);
  await gc.start();
  try {
    await client.delete(RS, 'default', 'web', { propagationPolicy: 'Foreground' });
    await until('c2 deleted, c1 marked', () => client.names(CM).join() === 'c1,unrelated' && !!client.objects.get('/configmaps|default|c1')?.metadata.deletionTimestamp);
    await gc.idle();
    const owner = await client.get(RS, 'default', 'web');
    assert.ok(owner, 'the owner waits for its blocking dependent');
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    // Releasing c1 lets everything finish.
    const held = (await client.get(CM, 'default', 'c1'))!;
    held.metadata.finalizers = [];
    await client.update(CM, 'default', held);
    await until('owner gone', () => client.names(RS).length === 0);
    assert.deepEqual(client.names(CM), ['unrelated']);
  } finally {
    gc.stop();
  }
});

test('dependents whose owner vanished while the collector was down are collected on start', async () => {
  const { client, gc } = world();
  client.objects.delete('apps/replicasets|default|web'); // gone without any event
  await gc.start();
  try {
    await until('dependents gone', () => client.names(CM).join() === 'unrelated');
  } finally {
    gc.stop();
  }
});

test('an owner replaced by a new object of the same name does not keep old dependents alive', async () => {
  const { client, gc } = world();
  client.objects.delete('apps/replicasets|default|web');
  client.seed(RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' } }); // new uid
  await gc.start();
  try {
    await until('dependents gone', () => client.names(CM).join() === 'unrelated');
    assert.equal(client.names(RS).length, 1);
  } finally {
    gc.stop();
  }
});

test('namespace deletion: Terminating, contents deleted, then finalized and removed', async () => {
  const client = new FakeClusterClient();
  client.seed(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  client.seed(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'team' } });
  client.seed(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'team', finalizers: ['example.com/hold'] } });
  client.seed(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
  const ctl = new NamespaceLifecycle({ client, resources, recheckMs: 10 });
  await ctl.start();
  try {
    // What the API does on DELETE of a namespace: it has a (spec) finalizer, so it is only marked.
    await client.delete(NS, undefined, 'team');
    await until('terminating and emptied but held', () => client.names(CM, 'team').join() === 'held');
    assert.equal((await client.get(NS, undefined, 'team'))!.status.phase, 'Terminating');
    assert.ok(client.log.includes('update/status namespaces team'));
    const held = (await client.get(CM, 'team', 'held'))!;
    held.metadata.finalizers = [];
    await client.update(CM, 'team', held);
    await until('namespace gone', () => client.names(NS).length === 0);
    assert.ok(client.log.includes('update/finalize namespaces team'));
    assert.deepEqual(client.names(CM), ['b'], 'other namespaces untouched');
  } finally {
    ctl.stop();
  }
});

test('a dependent the watches have not delivered yet is still found before an owner is let go', async () => {
  const client = new FakeClusterClient();
  const rs = client.seed(RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' } });
  const gc = new GarbageCollector({ client, resources });
  await gc.start();
  try {
    // Stored, but no watch event reaches the collector (a lagging watch).
    const ownerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, blockOwnerDeletion: true };
    client.objects.set('/configmaps|default|late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default', uid: 'late-1', resourceVersion: '500', ownerReferences: [ownerRef] } });
    await client.delete(RS, 'default', 'web', { propagationPolicy: 'Orphan' });
    await until('owner gone', () => client.names(RS).length === 0);
    const late = await client.get(CM, 'default', 'late');
    assert.ok(late, 'orphaned, not deleted');
    assert.equal(late.metadata.ownerReferences, undefined);
  } finally {
    gc.stop();
  }
});
