import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchCache, type CacheEvent, type WatchSource } from '../../../../src/cluster/storage/watch-cache.js';
import { StorageError } from '../../../../src/cluster/storage/errors.js';
import type { StoreWatchEvent } from '../../../../src/cluster/storage/object-store.js';
import { flush } from '../../../fixtures/etcd.js';

interface FakeWatch { prefix: string; from: number; onEvent: (e: StoreWatchEvent) => void; onError: (e: StorageError) => void; onProgress?: (r: number) => void; active: boolean }

/** An in-memory etcd: a revisioned event log with compaction; watches replay history asynchronously. */
class FakeSource implements WatchSource {
  revision = 1;
  compacted = 0;
  log: StoreWatchEvent[] = [];
  watches: FakeWatch[] = [];

  watch(prefix: string, from: number, onEvent: FakeWatch['onEvent'], onError: FakeWatch['onError'], onProgress?: FakeWatch['onProgress']) {
    const w: FakeWatch = { prefix, from, onEvent, onError, onProgress, active: false };
    this.watches.push(w);
    setTimeout(() => {
      if (from > 0 && from + 1 < this.compacted) return onError(new StorageError('Expired', 'compacted', { compactRevision: this.compacted }));
      for (const e of this.log) if (e.revision > from && e.object.key.startsWith(prefix)) onEvent(e);
      w.active = true;
      if (from === 0) onProgress?.(this.revision);
    }, 0);
    return () => {
      this.watches = this.watches.filter((x) => x !== w);
    };
  }

  /** Commits one revision holding changes to the given keys. */
  commit(...keys: string[]): number {
    const revision = ++this.revision;
    for (const key of keys) {
      const e: StoreWatchEvent = { type: 'ADDED', object: { key, value: { revision }, modRevision: revision, createRevision: revision }, revision };
      this.log.push(e);
      for (const w of this.watches) if (w.active && key.startsWith(w.prefix)) w.onEvent(e);
    }
    return revision;
  }

  progress(): void {
    for (const w of this.watches) if (w.active) w.onProgress?.(this.revision);
  }

  fail(prefix: string): void {
    for (const w of this.watches.filter((x) => x.prefix === prefix)) w.onError(new StorageError('Expired', 'gone'));
  }
}

const revs = (events: CacheEvent[]) => events.filter((e): e is StoreWatchEvent => 'object' in e).map((e) => `${e.revision}:${e.object.key}`);

test('subscribers share one source watch and each gets every change once, in order', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src });
  const a: CacheEvent[] = [];
  const b: CacheEvent[] = [];
  const ua = cache.subscribe('/p/', 1, (e) => a.push(e));
  const ub = cache.subscribe('/p/', 1, (e) => b.push(e));
  await flush();
  assert.equal(src.watches.length, 1);
  src.commit('/p/a');
  src.commit('/p/b', '/p/c'); // one revision, two events
  src.commit('/q/x'); // other prefix
  assert.deepEqual(revs(a), ['2:/p/a', '3:/p/b', '3:/p/c']);
  assert.deepEqual(revs(b), revs(a));
  ua();
  src.commit('/p/d');
  assert.equal(revs(a).length, 3);
  assert.deepEqual(revs(b).slice(-1), ['5:/p/d']);
  assert.deepEqual(cache.stats(), { sharedWatches: 1, privateWatches: 0, subscribers: 1 });
  ub();
  cache.close();
  assert.equal(src.watches.length, 0);
});

test('a late subscriber is replayed from the window; a future revision skips until it is reached', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src });
  cache.subscribe('/p/', 1, () => undefined);
  await flush();
  for (const k of ['a', 'b', 'c', 'd']) src.commit(`/p/${k}`); // revisions 2..5
  const late: CacheEvent[] = [];
  cache.subscribe('/p/', 3, (e) => late.push(e));
  assert.deepEqual(revs(late), ['4:/p/c', '5:/p/d']); // synchronously, from memory
  const future: CacheEvent[] = [];
  cache.subscribe('/p/', 7, (e) => future.push(e));
  src.commit('/p/e');
  src.commit('/p/f');
  src.commit('/p/g');
  assert.deepEqual(revs(future), ['8:/p/g']);
  assert.deepEqual(revs(late).slice(2), ['6:/p/e', '7:/p/f', '8:/p/g']);
  const now: CacheEvent[] = [];
  cache.subscribe('/p/', 0, (e) => now.push(e));
  src.commit('/p/h');
  assert.deepEqual(revs(now), ['9:/p/h']);
  cache.close();
});

test('older than the window: a private watch catches up, then hands over at a revision boundary', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src, windowSize: 3 });
  cache.subscribe('/p/', 1, () => undefined);
  await flush();
  src.commit('/p/a'); // 2
  src.commit('/p/b', '/p/c'); // 3
  src.commit('/p/d'); // 4
  src.commit('/p/e', '/p/f'); // 5: the window now holds 4 and 5 (start 3)
  const old: CacheEvent[] = [];
  cache.subscribe('/p/', 1, (e) => old.push(e));
  assert.equal(cache.stats().privateWatches, 1);
  await flush(); // the private watch replays 2..5 from "etcd", handing over at the first event above the window
  assert.equal(cache.stats().privateWatches, 0);
  src.commit('/p/g', '/p/h'); // 6, live
  assert.deepEqual(revs(old), ['2:/p/a', '3:/p/b', '3:/p/c', '4:/p/d', '5:/p/e', '5:/p/f', '6:/p/g', '6:/p/h']);
  cache.close();
});

test('a private watch hands over on the first event above the window, or on progress when there is none', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src, windowSize: 1 });
  cache.subscribe('/p/', 1, () => undefined);
  await flush();
  src.commit('/p/a'); // 2
  src.commit('/q/x'); // 3, elsewhere
  src.commit('/p/b'); // 4: the window holds 4 (start 2)
  const sub: CacheEvent[] = [];
  cache.subscribe('/p/', 1, (e) => sub.push(e));
  await flush();
  // The private stream delivered 2; its next event (4) is above the window start, so 4 came from the window.
  assert.deepEqual(revs(sub), ['2:/p/a', '4:/p/b']);
  assert.equal(cache.stats().privateWatches, 0);
  cache.close();

  const src2 = new FakeSource();
  src2.commit('/p/a'); // 2
  src2.commit('/p/b'); // 3
  src2.commit('/q/x'); // 4
  const cache2 = new WatchCache({ source: src2 });
  cache2.subscribe('/p/', 4, () => undefined); // the shared window starts at 4, empty
  await flush();
  const older: CacheEvent[] = [];
  cache2.subscribe('/p/', 1, (e) => older.push(e));
  await flush();
  assert.deepEqual(revs(older), ['2:/p/a', '3:/p/b']);
  assert.equal(cache2.stats().privateWatches, 1); // nothing above 4 yet to prove it caught up
  src2.progress(); // etcd: everything up to 4 was sent
  assert.equal(cache2.stats().privateWatches, 0);
  src2.commit('/p/c');
  assert.deepEqual(revs(older), ['2:/p/a', '3:/p/b', '5:/p/c']);
  cache2.close();
});

test('a compacted revision gives one ERROR Expired; a failed shared watch fails its subscribers and is replaced', async () => {
  const src = new FakeSource();
  for (let i = 0; i < 5; i++) src.commit('/p/x');
  src.compacted = 5;
  const cache = new WatchCache({ source: src });
  const got: CacheEvent[] = [];
  cache.subscribe('/p/', 2, (e) => got.push(e));
  await flush();
  assert.equal(got.length, 1);
  assert.ok(got[0]!.type === 'ERROR' && got[0]!.error.kind === 'Expired');
  assert.equal(cache.stats().sharedWatches, 0);

  const a: CacheEvent[] = [];
  cache.subscribe('/p/', 6, (e) => a.push(e));
  await flush();
  src.fail('/p/');
  assert.deepEqual(a.map((e) => e.type), ['ERROR']);
  assert.equal(cache.stats().sharedWatches, 0);
  const b: CacheEvent[] = [];
  cache.subscribe('/p/', 6, (e) => b.push(e));
  await flush();
  src.commit('/p/y');
  assert.deepEqual(revs(b), ['7:/p/y']);
  cache.close();
});

test('progress becomes BOOKMARK events and the prefix position', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src });
  const got: CacheEvent[] = [];
  cache.subscribe('/p/', 1, (e) => got.push(e));
  await flush();
  src.commit('/q/elsewhere'); // 2
  src.commit('/q/elsewhere'); // 3
  src.progress();
  assert.deepEqual(got, [{ type: 'BOOKMARK', revision: 3 }]);
  assert.equal(cache.progress('/p/'), 3);
  src.progress(); // no advance: no duplicate bookmark… but a bookmark at the same revision is harmless
  assert.ok(got.every((e) => e.type === 'BOOKMARK' && e.revision === 3));
  cache.close();
});

test('watchPrefixOf lets narrower subscriptions share the resource watch', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src, watchPrefixOf: (p) => p.split('/').slice(0, 3).join('/') + '/' });
  const all: CacheEvent[] = [];
  const ns: CacheEvent[] = [];
  cache.subscribe('/registry/pods/', 1, (e) => all.push(e));
  cache.subscribe('/registry/pods/ns1/', 1, (e) => ns.push(e));
  await flush();
  assert.deepEqual(src.watches.map((w) => w.prefix), ['/registry/pods/']);
  src.commit('/registry/pods/ns1/a', '/registry/pods/ns2/b');
  assert.deepEqual(revs(all), ['2:/registry/pods/ns1/a', '2:/registry/pods/ns2/b']);
  assert.deepEqual(revs(ns), ['2:/registry/pods/ns1/a']);
  cache.close();
});

test('a subscriber whose send throws is dropped without disturbing the others', async () => {
  const src = new FakeSource();
  const cache = new WatchCache({ source: src });
  const ok: CacheEvent[] = [];
  let calls = 0;
  cache.subscribe('/p/', 1, () => {
    calls++;
    throw new Error('client gone');
  });
  cache.subscribe('/p/', 1, (e) => ok.push(e));
  await flush();
  src.commit('/p/a');
  src.commit('/p/b');
  assert.equal(calls, 1);
  assert.deepEqual(revs(ok), ['2:/p/a', '3:/p/b']);
  assert.equal(cache.stats().subscribers, 1);
  cache.close();
});
