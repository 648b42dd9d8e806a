import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdClient } from '../../../../src/cluster/storage/etcd-client.js';
import { watchPrefix, type RawWatchEvent } from '../../../../src/cluster/storage/etcd-watch.js';
import type { StorageError } from '../../../../src/cluster/storage/errors.js';
import { FakeTransport, gwKv, b64, flush } from '../../../fixtures/etcd.js';

const E = ['http://e0', 'http://e1'];
const put = (key: string, rev: number, create = rev) => ({ kv: gwKv(key, `v${rev}`, create, rev) });

function setup(start: number | undefined) {
  const t = new FakeTransport();
  const client = new EtcdClient({ endpoints: E, transport: t });
  const events: RawWatchEvent[] = [];
  const progress: number[] = [];
  const errors: StorageError[] = [];
  const cancel = watchPrefix(client, '/registry/pods/', start, {
    onEvents: (es) => events.push(...es),
    onProgress: (r) => progress.push(r),
    onError: (e) => errors.push(e),
  }, { reconnectDelayMs: 1, maxReconnectDelayMs: 1 });
  const waitStreams = async (n: number) => {
    for (let i = 0; i < 100 && t.streams.length < n; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(t.streams.length, n);
    await flush(); // let the watch take the stream it opened
    return t.streams[n - 1]!;
  };
  return { t, events, progress, errors, cancel, waitStreams };
}

test('asks etcd for the prefix from the start revision, with prev_kv and progress notifications', async () => {
  const w = setup(5);
  const s = await w.waitStreams(1);
  assert.deepEqual(s.body, { create_request: { key: b64('/registry/pods/'), range_end: b64('/registry/pods0'), prev_kv: true, progress_notify: true, start_revision: '5' } });
  w.cancel();
  assert.equal(s.closed, true);
});

test('after a broken stream it resumes at the next revision and never delivers twice', async () => {
  const w = setup(5);
  const s1 = await w.waitStreams(1);
  s1.send({ result: { header: { revision: '6' }, created: true } });
  s1.send({ result: { header: { revision: '6' }, events: [put('/registry/pods/a', 5), put('/registry/pods/a', 6, 5)] } });
  s1.end();
  const s2 = await w.waitStreams(2);
  assert.equal(s2.body.create_request.start_revision, '7');
  s2.send({ result: { header: { revision: '8' }, events: [put('/registry/pods/a', 6, 5), { type: 'DELETE', kv: { key: b64('/registry/pods/a'), mod_revision: '8' }, prev_kv: gwKv('/registry/pods/a', 'last', 5, 6) }] } });
  assert.deepEqual(w.events.map((e) => [e.type, e.kv.modRevision, (e.prevKv?.value ?? e.kv.value).toString()]), [
    ['PUT', 5, 'v5'],
    ['PUT', 6, 'v6'],
    ['DELETE', 8, 'last'],
  ]);
  w.cancel();
});

test('progress notifications advance the resume point', async () => {
  const w = setup(5);
  const s1 = await w.waitStreams(1);
  s1.send({ result: { header: { revision: '10' } } });
  assert.deepEqual(w.progress, [10]);
  s1.end();
  const s2 = await w.waitStreams(2);
  assert.equal(s2.body.create_request.start_revision, '11');
  w.cancel();
});

test('watching from now takes the creation revision as its position', async () => {
  const w = setup(undefined);
  const s1 = await w.waitStreams(1);
  assert.equal(s1.body.create_request.start_revision, undefined);
  s1.send({ result: { header: { revision: '20' }, created: true } });
  assert.deepEqual(w.progress, [20]);
  s1.end();
  assert.equal((await w.waitStreams(2)).body.create_request.start_revision, '21');
  w.cancel();
});

test('a compacted start revision ends the watch with Expired, and no reconnect', async () => {
  const w = setup(2);
  const s1 = await w.waitStreams(1);
  s1.send({ result: { header: { revision: '9' }, created: true } });
  s1.send({ result: { header: {}, canceled: true, compact_revision: '4' } });
  assert.equal(w.errors.length, 1);
  assert.equal(w.errors[0]!.kind, 'Expired');
  assert.equal(w.errors[0]!.compactRevision, 4);
  assert.equal(s1.closed, true);
  await flush();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(w.t.streams.length, 1);
});

test('reconnects to another endpoint when the first is down', async () => {
  const w = setup(3);
  const s1 = await w.waitStreams(1);
  assert.equal(s1.endpoint, 'http://e0');
  w.t.down.add('http://e0');
  s1.end();
  const s2 = await w.waitStreams(2);
  assert.equal(s2.endpoint, 'http://e1');
  w.cancel();
});
