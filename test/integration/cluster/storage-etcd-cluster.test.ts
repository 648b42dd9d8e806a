// External etcd (HA): a 3-member cluster on loopback. Stopping the member the client is using leaves reads,
// writes and an open watch working (the client and the watch fail over to the other members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEtcdCluster, waitFor } from '../../fixtures/etcd.js';
import { EtcdClient } from '../../../src/cluster/storage/etcd-client.js';
import { createEtcdObjectStore, type StoreWatchEvent } from '../../../src/cluster/storage/object-store.js';
import { startEtcdSupervisor } from '../../../src/cluster/storage/etcd-supervisor.js';

test('3-member cluster: with one member stopped, the store still reads, writes and watches', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-etcd3-'));
  const cluster = await startEtcdCluster(3, dir);
  const client = new EtcdClient({ endpoints: cluster.endpoints });
  const store = createEtcdObjectStore({ client });
  const supervisor = await startEtcdSupervisor({ endpoints: cluster.endpoints });
  const seen: StoreWatchEvent[] = [];
  const errors: unknown[] = [];
  let cancel = () => undefined as void;
  try {
    assert.equal(await supervisor.check(), true);
    assert.equal(supervisor.health().state, 'external');
    const a = await store.create('/registry/pods/default/a', { n: 1 });
    cancel = store.watch('/registry/pods/', a.modRevision, (e) => seen.push(e), (e) => errors.push(e));
    await store.update('/registry/pods/default/a', { n: 2 }, a.modRevision);
    await waitFor('the first watch event', () => seen.length === 1);

    // Stop the member requests currently go to (the first endpoint).
    const victim = cluster.members.find((m) => m.endpoint === client.currentEndpoint)!;
    await victim.stop();

    const b = await store.create('/registry/pods/default/b', { n: 1 });
    assert.notEqual(client.currentEndpoint, victim.endpoint);
    const got = await store.get('/registry/pods/default/a');
    assert.deepEqual(got?.value, { n: 2 });
    await store.update(b.key, { n: 2 }, b.modRevision);
    const list = await store.list('/registry/pods/');
    assert.deepEqual(list.items.map((o) => o.key), ['/registry/pods/default/a', '/registry/pods/default/b']);
    await waitFor('the watch to resume on another member', () => seen.length === 3);
    assert.deepEqual(seen.map((e) => [e.type, e.object.key, e.object.value]), [
      ['MODIFIED', '/registry/pods/default/a', { n: 2 }],
      ['ADDED', '/registry/pods/default/b', { n: 1 }],
      ['MODIFIED', '/registry/pods/default/b', { n: 2 }],
    ]);
    assert.deepEqual(errors, []);
    assert.equal(await supervisor.check(), true); // two members still healthy

    // The stopped member comes back and catches up.
    await victim.start();
    await waitFor('the member to rejoin', async () => {
      const c = new EtcdClient({ endpoints: [victim.endpoint], deadlineMs: 500 });
      try {
        return (await c.range('/registry/pods/default/b')).kvs.length === 1;
      } catch {
        return false;
      } finally {
        c.close();
      }
    });
  } finally {
    cancel();
    await store.close();
    await supervisor.stop();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
