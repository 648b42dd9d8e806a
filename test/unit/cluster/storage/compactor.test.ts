import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCompactor } from '../../../../src/cluster/storage/compactor.js';

function fakeStore() {
  const s = { revision: 1, compactions: [] as number[], fail: false };
  return {
    s,
    store: {
      currentRevision: async () => s.revision,
      compact: async (r: number) => {
        if (s.fail) throw new Error('etcd down');
        s.compactions.push(r);
      },
    },
  };
}

test('each tick compacts to the revision seen at the previous tick', async () => {
  const { s, store } = fakeStore();
  const c = startCompactor({ store, intervalMs: 1e9 });
  s.revision = 10;
  assert.equal(await c.tick(), undefined);
  s.revision = 25;
  assert.equal(await c.tick(), 10);
  s.revision = 25; // quiet: nothing new to compact beyond 25 next time, and 25 is kept this time
  assert.equal(await c.tick(), 25);
  assert.equal(await c.tick(), undefined);
  assert.deepEqual(s.compactions, [10, 25]);
  assert.equal(c.compacted, 25);
  c.stop();
});

test('minRetainedRevisions keeps recent history however quiet it is', async () => {
  const { s, store } = fakeStore();
  const c = startCompactor({ store, intervalMs: 1e9, minRetainedRevisions: 100 });
  s.revision = 150;
  await c.tick();
  s.revision = 160;
  assert.equal(await c.tick(), 60);
  c.stop();
});

test('the injected timer drives ticks; failures are reported and the next tick retries', async () => {
  const { s, store } = fakeStore();
  let fire: () => void = () => undefined;
  let cleared = false;
  const errors: unknown[] = [];
  const compacted: number[] = [];
  let notify: () => void = () => undefined;
  const c = startCompactor({
    store,
    intervalMs: 5,
    setInterval: (fn, ms) => {
      assert.equal(ms, 5);
      fire = fn;
      return {};
    },
    clearInterval: () => void (cleared = true),
    onError: (e) => {
      errors.push(e);
      notify();
    },
    onCompact: (r) => {
      compacted.push(r);
      notify();
    },
  });
  const next = () => new Promise<void>((r) => (notify = r));
  s.revision = 5;
  await c.tick(); // records 5
  s.revision = 9;
  s.fail = true;
  let p = next();
  fire();
  await p;
  assert.equal(errors.length, 1);
  s.fail = false;
  s.revision = 12;
  p = next();
  fire();
  await p;
  assert.deepEqual(compacted, [9]);
  c.stop();
  assert.equal(cleared, true);
});
