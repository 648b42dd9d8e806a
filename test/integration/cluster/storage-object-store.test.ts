// The object store against a real etcd: CRUD with optimistic concurrency, paginated lists at a fixed
// revision, watch from a revision, compaction, and Secrets encrypted at rest (checked with etcdctl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startTestEtcd } from '../../fixtures/etcd.js';
import { EtcdClient } from '../../../src/cluster/storage/etcd-client.js';
import { createEtcdObjectStore, type ObjectStore, type StoreWatchEvent } from '../../../src/cluster/storage/object-store.js';
import { aesGcmTransformerFromFile, AES_GCM_PREFIX } from '../../../src/cluster/storage/aes-gcm-transformer.js';
import { prefixScopedTransformer } from '../../../src/cluster/storage/transformer.js';
import { startCompactor } from '../../../src/cluster/storage/compactor.js';
import { StorageError, isStorageError } from '../../../src/cluster/storage/errors.js';

let etcd: Awaited<ReturnType<typeof startTestEtcd>>;
let store: ObjectStore;
const keyFile = () => path.join(etcd.dir, 'state', 'encryption-key');

before(async () => {
  etcd = await startTestEtcd('berth-store-');
  const transformer = prefixScopedTransformer(['/registry/secrets/'], aesGcmTransformerFromFile(keyFile()));
  store = createEtcdObjectStore({ client: new EtcdClient({ endpoints: etcd.endpoints }), transformer });
});

after(async () => {
  await store?.close();
  await etcd?.stop();
});

const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, ...extra });
const kind = (err: unknown) => (err instanceof StorageError ? err.kind : String(err));

function etcdctl(...args: string[]): string {
  const r = spawnSync('etcdctl', [`--endpoints=${etcd.endpoints[0]}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('latin1');
}

test('create, get, update, delete; values are stored without resourceVersion', { timeout: 60_000 }, async () => {
  const key = '/registry/pods/default/crud';
  const created = await store.create(key, { ...pod('crud'), metadata: { name: 'crud', namespace: 'default', resourceVersion: '999' } });
  assert.equal(created.createRevision, created.modRevision);
  const got = await store.get(key);
  assert.ok(got);
  assert.equal(got.modRevision, created.modRevision);
  assert.deepEqual(got.value, pod('crud'));
  const updated = await store.update(key, pod('crud', { spec: { nodeName: 'n1' } }), got.modRevision);
  assert.ok(updated.modRevision > got.modRevision);
  assert.equal(updated.createRevision, created.createRevision);
  assert.deepEqual((await store.get(key))?.value, pod('crud', { spec: { nodeName: 'n1' } }));
  const deleted = await store.delete(key);
  assert.deepEqual(deleted.value, pod('crud', { spec: { nodeName: 'n1' } }));
  assert.equal(deleted.modRevision, updated.modRevision);
  assert.equal(await store.get(key), undefined);
});

test('create twice → AlreadyExists; stale update/delete → Conflict; missing → NotFound', { timeout: 60_000 }, async () => {
  const key = '/registry/pods/default/occ';
  const first = await store.create(key, pod('occ'));
  await assert.rejects(store.create(key, pod('occ')), (e) => kind(e) === 'AlreadyExists');
  const second = await store.update(key, pod('occ', { spec: { a: 1 } }), first.modRevision);
  await assert.rejects(store.update(key, pod('occ', { spec: { a: 2 } }), first.modRevision), (e) => kind(e) === 'Conflict');
  await assert.rejects(store.delete(key, first.modRevision), (e) => kind(e) === 'Conflict');
  assert.deepEqual((await store.get(key))?.value, pod('occ', { spec: { a: 1 } }));
  await store.delete(key, second.modRevision);
  await assert.rejects(store.update(key, pod('occ'), second.modRevision), (e) => kind(e) === 'NotFound');
  await assert.rejects(store.delete(key), (e) => kind(e) === 'NotFound');
  await assert.rejects(store.delete(key, second.modRevision), (e) => kind(e) === 'NotFound');
});

test('concurrent updates from one revision: exactly one wins, the rest Conflict', { timeout: 60_000 }, async () => {
  const key = '/registry/pods/default/race';
  const base = await store.create(key, pod('race'));
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.update(key, pod('race', { spec: { i } }), base.modRevision)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => kind((r as PromiseRejectedResult).reason) === 'Conflict'));
});

test('list with limit/continue over 25 objects reads one consistent revision', { timeout: 60_000 }, async () => {
  const prefix = '/registry/configmaps/paged/';
  for (let i = 0; i < 25; i++) await store.create(`${prefix}cm-${String(i).padStart(2, '0')}`, { kind: 'ConfigMap', data: { i: String(i) } });
  const page1 = await store.list(prefix, { limit: 10 });
  assert.equal(page1.items.length, 10);
  assert.equal(page1.more, true);
  assert.equal(page1.remaining, 15);
  assert.equal(page1.items[0]!.key, `${prefix}cm-00`);
  // Changes after the first page must not show up in later pages.
  await store.create(`${prefix}cm-99`, { kind: 'ConfigMap', data: { i: '99' } });
  const victim = (await store.get(`${prefix}cm-20`))!;
  await store.update(victim.key, { kind: 'ConfigMap', data: { i: 'changed' } }, victim.modRevision);
  await store.delete(`${prefix}cm-24`);
  const page2 = await store.list(prefix, { limit: 10, continueKey: page1.nextKey!, revision: page1.revision });
  assert.equal(page2.items.length, 10);
  assert.equal(page2.more, true);
  assert.equal(page2.remaining, 5);
  const page3 = await store.list(prefix, { limit: 10, continueKey: page2.nextKey!, revision: page1.revision });
  assert.equal(page3.more, false);
  assert.equal(page3.nextKey, undefined);
  const all = [...page1.items, ...page2.items, ...page3.items];
  assert.deepEqual(all.map((o) => o.key), Array.from({ length: 25 }, (_, i) => `${prefix}cm-${String(i).padStart(2, '0')}`));
  assert.deepEqual(all.find((o) => o.key.endsWith('cm-20'))!.value, { kind: 'ConfigMap', data: { i: '20' } });
  const latest = await store.list(prefix);
  assert.equal(latest.items.length, 25); // +cm-99, −cm-24
  assert.ok(latest.revision > page1.revision);
  await assert.rejects(store.list(prefix, { continueKey: '/registry/pods/x' }), (e) => kind(e) === 'Invalid');
});

test('watch from revision N delivers exactly the later changes, in order, then live ones', { timeout: 60_000 }, async () => {
  const prefix = '/registry/services/w1/';
  await store.create(`${prefix}before`, { n: 0 });
  const n = await store.currentRevision();
  const a = await store.create(`${prefix}a`, { n: 1 });
  const a2 = await store.update(`${prefix}a`, { n: 2 }, a.modRevision);
  await store.create('/registry/services/w2/other', { n: 9 }); // another prefix: not seen
  await store.delete(`${prefix}a`);
  const seen: StoreWatchEvent[] = [];
  const errors: unknown[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const cancel = store.watch(prefix, n, (e) => {
    seen.push(e);
    if (seen.length === 4) done();
  }, (err) => errors.push(err));
  try {
    await new Promise((r) => setTimeout(r, 200)); // let the replay arrive before the live write
    await store.create(`${prefix}b`, { n: 3 });
    await finished;
  } finally {
    cancel();
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(seen.map((e) => [e.type, e.object.key.slice(prefix.length), e.object.value]), [
    ['ADDED', 'a', { n: 1 }],
    ['MODIFIED', 'a', { n: 2 }],
    ['DELETED', 'a', { n: 2 }],
    ['ADDED', 'b', { n: 3 }],
  ]);
  assert.equal(seen[1]!.revision, a2.modRevision);
  assert.ok(seen.every((e, i) => i === 0 || e.revision > seen[i - 1]!.revision));
  assert.ok(seen[0]!.revision > n);
});

test('compactor compacts to the previous tick; older revisions then read and watch as Expired', { timeout: 60_000 }, async () => {
  const key = '/registry/pods/default/compacted';
  const first = await store.create(key, pod('compacted'));
  let cur = await store.update(key, pod('compacted', { spec: { x: 1 } }), first.modRevision);
  cur = await store.update(key, pod('compacted', { spec: { x: 2 } }), cur.modRevision);
  const compacted: number[] = [];
  const compactor = startCompactor({ store, intervalMs: 3_600_000, onCompact: (r) => compacted.push(r) });
  try {
    assert.equal(await compactor.tick(), undefined); // the first tick only records where we are
    const atTick = await store.currentRevision();
    await store.update(key, pod('compacted', { spec: { x: 3 } }), cur.modRevision);
    assert.equal(await compactor.tick(), atTick);
    assert.deepEqual(compacted, [atTick]);
    assert.equal(compactor.compacted, atTick);
  } finally {
    compactor.stop();
  }
  await assert.rejects(store.list('/registry/pods/', { revision: first.modRevision }), (e) => kind(e) === 'Expired');
  const err = await new Promise<StorageError>((resolve) => {
    const cancel = store.watch('/registry/pods/', first.modRevision, () => undefined, (e) => {
      cancel();
      resolve(e);
    });
  });
  assert.ok(isStorageError(err, 'Expired'));
  await store.compact(1); // already compacted: a no-op
});

test('Secrets are AES-GCM encrypted in etcd (etcdctl sees no plaintext) and decrypt on read', { timeout: 60_000 }, async () => {
  const key = '/registry/secrets/default/db';
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, stringData: { password: 'hunter2-plaintext-marker' } };
  await store.create(key, secret);
  const raw = etcdctl('get', key, '--print-value-only');
  assert.ok(raw.startsWith(AES_GCM_PREFIX), raw.slice(0, 60));
  assert.ok(!raw.includes('hunter2-plaintext-marker'));
  assert.ok(!raw.includes('"Secret"'));
  assert.deepEqual((await store.get(key))?.value, secret);
  // Two writes of the same value differ (fresh nonce per write).
  const got = (await store.get(key))!;
  await store.update(key, secret, got.modRevision);
  assert.notEqual(etcdctl('get', key, '--print-value-only'), raw);
  // Other resources stay plaintext; plaintext written before encryption was enabled still reads back.
  await store.create('/registry/configmaps/default/plain', { kind: 'ConfigMap', data: { visible: 'yes-visible' } });
  assert.match(etcdctl('get', '/registry/configmaps/default/plain', '--print-value-only'), /yes-visible/);
  etcdctl('put', '/registry/secrets/default/legacy', JSON.stringify({ kind: 'Secret', data: { old: 'b2xk' } }));
  assert.deepEqual((await store.get('/registry/secrets/default/legacy'))?.value, { kind: 'Secret', data: { old: 'b2xk' } });
  assert.equal(fs.statSync(keyFile()).mode & 0o777, 0o600);
  // A value copied under another key does not decrypt (the key is authenticated data).
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const bytes = (await client.range(key)).kvs[0]!.value;
    await client.txn([], [{ put: { key: '/registry/secrets/default/copy', value: bytes } }]);
  } finally {
    client.close();
  }
  await assert.rejects(store.get('/registry/secrets/default/copy'), /cannot decrypt/);
});
