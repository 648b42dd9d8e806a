// Watch fan-out against a real etcd: subscribers share one etcd watch (counted with etcd's own metric),
// each sees every change exactly once and in order under concurrent writers, resumes are replayed from the
// window or from etcd, compacted revisions are Expired, and progress turns into bookmarks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEtcd, etcdMetric, waitFor } from '../../fixtures/etcd.js';
import { EtcdClient } from '../../../src/cluster/storage/etcd-client.js';
import { createEtcdObjectStore, type ObjectStore } from '../../../src/cluster/storage/object-store.js';
import { WatchCache, type CacheEvent } from '../../../src/cluster/storage/watch-cache.js';

let etcd: Awaited<ReturnType<typeof startTestEtcd>>;
let store: ObjectStore;

before(async () => {
  etcd = await startTestEtcd('berth-watch-');
  store = createEtcdObjectStore({ client: new EtcdClient({ endpoints: etcd.endpoints }) });
});

after(async () => {
  await store?.close();
  await etcd?.stop();
});

const watchers = () => etcdMetric(etcd.endpoints[0]!, 'etcd_debugging_mvcc_watcher_total');
const changes = (events: CacheEvent[]) => events.filter((e) => e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') as Array<Extract<CacheEvent, { object: unknown }>>;

/** Writes n changes to distinct keys under prefix with `concurrency` writers; returns their revisions. */
async function write(prefix: string, n: number, concurrency: number): Promise<number[]> {
  const revisions: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const o = await store.create(`${prefix}obj-${i}`, { i });
      revisions.push(o.modRevision);
      const u = await store.update(o.key, { i, updated: true }, o.modRevision);
      revisions.push(u.modRevision);
    }
  }));
  return revisions.sort((a, b) => a - b);
}

test('two subscribers share one etcd watch and each sees every change once, in order', { timeout: 60_000 }, async () => {
  const cache = new WatchCache({ source: store, watchPrefixOf: (p) => p.split('/').slice(0, 3).join('/') + '/' });
  const before = await watchers();
  const start = await store.currentRevision();
  const a: CacheEvent[] = [];
  const b: CacheEvent[] = [];
  const ns: CacheEvent[] = [];
  const unsubs = [
    cache.subscribe('/registry/pods/', start, (e) => a.push(e)),
    cache.subscribe('/registry/pods/', start, (e) => b.push(e)),
    cache.subscribe('/registry/pods/ns1/', start, (e) => ns.push(e)), // namespace-scoped: same etcd watch
  ];
  try {
    await waitFor('the shared etcd watch', async () => (await watchers()) === before + 1);
    const revs = [...(await write('/registry/pods/ns1/', 30, 10)), ...(await write('/registry/pods/ns2/', 20, 5))].sort((x, y) => x - y);
    await waitFor('every event delivered', () => changes(a).length >= revs.length && changes(b).length >= revs.length);
    for (const events of [a, b]) {
      assert.deepEqual(changes(events).map((e) => e.revision), revs); // once each, in revision order
    }
    assert.equal(changes(ns).length, 60);
    assert.ok(changes(ns).every((e) => e.object.key.startsWith('/registry/pods/ns1/')));
    assert.equal(await watchers(), before + 1);
    assert.deepEqual(cache.stats(), { sharedWatches: 1, privateWatches: 0, subscribers: 3 });
  } finally {
    for (const u of unsubs) u();
    cache.close();
  }
  await waitFor('the etcd watch to go away', async () => (await watchers()) === before);
});

test('a late subscriber is replayed from the window, then from etcd when older than the window', { timeout: 60_000 }, async () => {
  const cache = new WatchCache({ source: store, windowSize: 5 });
  const prefix = '/registry/services/';
  const start = await store.currentRevision();
  const live: CacheEvent[] = [];
  const unsub = cache.subscribe(prefix, start, (e) => live.push(e));
  try {
    const revs = await write(prefix, 10, 2); // 20 changes: more than the window holds
    await waitFor('live delivery', () => changes(live).length === 20);
    // Recent enough: served from memory.
    const recent: CacheEvent[] = [];
    const u1 = cache.subscribe(prefix, revs[16]!, (e) => recent.push(e));
    assert.deepEqual(changes(recent).map((e) => e.revision), revs.slice(17));
    assert.equal(cache.stats().privateWatches, 0);
    u1();
    // Older than the window: a private etcd watch catches up, then the subscriber joins the shared stream.
    const old: CacheEvent[] = [];
    const u2 = cache.subscribe(prefix, start, (e) => old.push(e));
    assert.equal(cache.stats().privateWatches, 1);
    await waitFor('catch-up from etcd', () => changes(old).length === 20);
    const more = await write(`${prefix}late-`, 3, 1);
    await waitFor('the handover', () => cache.stats().privateWatches === 0 && changes(old).length === 26);
    assert.deepEqual(changes(old).map((e) => e.revision), [...revs, ...more]);
    assert.deepEqual(changes(live).map((e) => e.revision), [...revs, ...more]);
    u2();
  } finally {
    unsub();
    cache.close();
  }
});

test('a subscriber from a compacted revision gets Expired; progress becomes bookmarks', { timeout: 60_000 }, async () => {
  const cache = new WatchCache({ source: store });
  const prefix = '/registry/secrets/';
  const first = await store.create(`${prefix}s`, { v: 1 });
  const second = await store.update(`${prefix}s`, { v: 2 }, first.modRevision);
  await store.update(`${prefix}s`, { v: 3 }, second.modRevision);
  await store.compact(await store.currentRevision());
  const expired: CacheEvent[] = [];
  cache.subscribe(prefix, first.modRevision, (e) => expired.push(e));
  await waitFor('Expired', () => expired.length > 0);
  assert.equal(expired.length, 1);
  const e = expired[0]!;
  assert.ok(e.type === 'ERROR' && e.error.kind === 'Expired', JSON.stringify(e));

  const events: CacheEvent[] = [];
  const unsub = cache.subscribe(prefix, await store.currentRevision(), (ev) => events.push(ev));
  try {
    const written = await store.create(`${prefix}t`, { v: 1 });
    // etcd's progress notification (1 s in the fixture) confirms everything up to the write.
    await waitFor('a bookmark', () => events.some((ev) => ev.type === 'BOOKMARK' && ev.revision >= written.modRevision));
    assert.equal(changes(events).length, 1);
    assert.ok((cache.progress(prefix) ?? 0) >= written.modRevision);
  } finally {
    unsub();
    cache.close();
  }
});
