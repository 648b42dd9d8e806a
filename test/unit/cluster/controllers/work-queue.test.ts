import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../../src/cluster/controllers/work-queue.js';
import { Informer } from '../../../../src/cluster/controllers/informer.js';
import { FakeClusterClient } from './fake-cluster-client.js';

test('work queue: duplicates collapse, a key never runs twice at once, re-adds while running run again', async () => {
  const runs: string[] = [];
  let running = 0;
  let maxParallelSameKey = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue({
    concurrency: 4,
    process: async (key) => {
      running++;
      maxParallelSameKey = Math.max(maxParallelSameKey, running);
      runs.push(key);
      if (runs.length === 1) await gate;
      running--;
    },
  });
  q.add('a');
  q.add('a'); // running: marked dirty
  q.add('a'); // still one re-run
  await new Promise((r) => setTimeout(r, 5));
  release();
  await q.idle();
  assert.deepEqual(runs, ['a', 'a']);
  assert.equal(maxParallelSameKey, 1);
});

test('work queue: failures retry with backoff; a returned delay re-runs later', async () => {
  let attempts = 0;
  const errors: string[] = [];
  const q = new WorkQueue({
    baseBackoffMs: 1,
    process: async () => {
      attempts++;
      if (attempts < 3) throw new Error(`boom ${attempts}`);
      return attempts === 3 ? 1 : undefined;
    },
    onError: (_k, e) => errors.push((e as Error).message),
  });
  q.add('k');
  for (let i = 0; i < 200 && attempts < 4; i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal(attempts, 4);
  assert.deepEqual(errors, ['boom 1', 'boom 2']);
  q.stop();
});

test('informer: list then watch; a watch failure relists and reports the difference', async () => {
  const client = new FakeClusterClient();
  const CM = { group: '', version: 'v1', resource: 'configmaps' };
  client.seed(CM, { metadata: { name: 'a', namespace: 'ns' } });
  const seen: string[] = [];
  const timers: Array<() => void> = [];
  let failWatch: ((e: Error) => void) | undefined;
  const realWatch = client.watch.bind(client);
  client.watch = (gvr, ns, rv, onEvent, onError?: (e: Error) => void) => {
    failWatch = onError;
    return realWatch(gvr, ns, rv, onEvent, onError);
  };
  const inf = new Informer({
    client,
    gvr: CM,
    onAdd: (o) => seen.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => seen.push(`update ${n.metadata.name}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    setTimeout: (fn) => timers.push(fn),
  });
  inf.start();
  await inf.synced;
  client.seed(CM, { metadata: { name: 'b', namespace: 'ns' } });
  await client.delete(CM, 'ns', 'a');
  assert.deepEqual(seen, ['add a', 'add b', 'delete a']);
  // The watch breaks; meanwhile b changes and c appears, unseen. The relist reports both.
  failWatch!(new Error('etcd restarted'));
  const b = (await client.get(CM, 'ns', 'b'))!;
  b.data = { x: '1' };
  client.objects.set('/configmaps|ns|b', { ...b, metadata: { ...b.metadata, resourceVersion: '999' } });
  client.objects.set('/configmaps|ns|c', { metadata: { name: 'c', namespace: 'ns', uid: 'c1', resourceVersion: '1000' } });
  assert.equal(timers.length, 1);
  timers[0]!();
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen.slice(3), ['update b', 'add c']);
  assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['b', 'c']);
  inf.stop();
});
