import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdClient, prefixEnd, gatewayError } from '../../../../src/cluster/storage/etcd-client.js';
import { StorageError } from '../../../../src/cluster/storage/errors.js';
import { FakeTransport, refused, timedOut, gwKv, b64 } from '../../../fixtures/etcd.js';

const E = ['http://e0', 'http://e1', 'http://e2'];
const noSleep = { sleep: async () => undefined };

test('prefixEnd increments the last byte below 0xff', () => {
  assert.equal(prefixEnd('/registry/pods/').toString(), '/registry/pods0');
  assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
  assert.deepEqual(prefixEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]));
});

test('range decodes base64 and string int64s, treating omitted fields as zero', async () => {
  const t = new FakeTransport((_e, path, body) => {
    assert.equal(path, '/v3/kv/range');
    assert.deepEqual(body, { key: b64('/a/'), range_end: b64('/a0'), limit: '2', revision: '7' });
    return { status: 200, body: { header: { revision: '9' }, kvs: [gwKv('/a/x', '{"v":1}', 3, 5)], more: true, count: '4' } };
  });
  const c = new EtcdClient({ endpoints: E, transport: t });
  const r = await c.range('/a/', { rangeEnd: prefixEnd('/a/'), limit: 2, revision: 7 });
  assert.deepEqual(r, { revision: 9, more: true, count: 4, kvs: [{ key: '/a/x', value: Buffer.from('{"v":1}'), createRevision: 3, modRevision: 5, version: 1 }] });
  const empty = new EtcdClient({ endpoints: E, transport: new FakeTransport(() => ({ status: 200, body: { header: { revision: '2' } } })) });
  assert.deepEqual(await empty.range('/nothing'), { revision: 2, kvs: [], more: false, count: 0 });
});

test('txn encodes compares and ops; an absent `succeeded` means the compare failed', async () => {
  let sent: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const t = new FakeTransport((_e, _p, body) => {
    sent = body;
    return { status: 200, body: { header: { revision: '3' }, responses: [{ response_range: { kvs: [gwKv('/k', 'x', 2, 2)] } }] } };
  });
  const c = new EtcdClient({ endpoints: E, transport: t });
  const r = await c.txn([{ key: '/k', target: 'MOD', result: 'EQUAL', value: 5 }], [{ put: { key: '/k', value: Buffer.from('v'), prevKv: true } }], [{ range: { key: '/k' } }]);
  assert.deepEqual(sent.compare, [{ key: b64('/k'), target: 'MOD', result: 'EQUAL', mod_revision: '5' }]);
  assert.deepEqual(sent.success, [{ request_put: { key: b64('/k'), value: b64('v'), prev_kv: true } }]);
  assert.deepEqual(sent.failure, [{ request_range: { key: b64('/k') } }]);
  assert.equal(r.succeeded, false);
  assert.equal(r.responses[0]!.range!.kvs[0]!.modRevision, 2);
});

test('a write fails over when the connection is refused (it surely was not applied)', async () => {
  const t = new FakeTransport((endpoint) => {
    if (endpoint === 'http://e0') throw refused(endpoint);
    return { status: 200, body: { header: { revision: '4' }, succeeded: true } };
  });
  const c = new EtcdClient({ endpoints: E, transport: t, ...noSleep });
  const r = await c.txn([], [{ put: { key: '/k', value: Buffer.from('v') } }]);
  assert.equal(r.succeeded, true);
  assert.equal(c.currentEndpoint, 'http://e1');
  assert.deepEqual(t.posts.map((p) => p.endpoint), ['http://e0', 'http://e1']);
  await c.txn([], []); // sticks to the endpoint that answered
  assert.equal(t.posts[2]!.endpoint, 'http://e1');
});

test('a write whose outcome is unknown is not retried; a read is', async () => {
  const t = new FakeTransport((endpoint, path) => {
    if (endpoint === 'http://e0') throw timedOut(endpoint);
    return { status: 200, body: path === '/v3/kv/range' ? { header: { revision: '1' } } : { succeeded: true } };
  });
  const c = new EtcdClient({ endpoints: E, transport: t, ...noSleep });
  await assert.rejects(c.txn([], []), (e: StorageError) => e.kind === 'Unavailable' && /outcome unknown/.test(e.message));
  assert.equal(t.posts.length, 1);
  assert.equal((await c.range('/k')).revision, 1);
  assert.deepEqual(t.posts.map((p) => p.endpoint), ['http://e0', 'http://e0', 'http://e1']);
});

test('"no leader" is retried (with backoff between rounds) until the deadline, then Unavailable', async () => {
  let now = 0;
  const sleeps: number[] = [];
  const t = new FakeTransport(() => ({ status: 503, body: { error: 'etcdserver: no leader', code: 14 } }));
  const c = new EtcdClient({ endpoints: E, transport: t, deadlineMs: 1000, now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } });
  await assert.rejects(c.txn([], []), (e: StorageError) => e.kind === 'Unavailable' && /no leader/.test(e.message));
  assert.ok(t.posts.length >= 6);
  assert.deepEqual(sleeps.slice(0, 3), [50, 100, 200]);
  // …and succeeds as soon as a leader is back.
  let calls = 0;
  const t2 = new FakeTransport(() => (++calls < 3 ? { status: 503, body: { error: 'etcdserver: leader changed', code: 14 } } : { status: 200, body: { succeeded: true } }));
  const c2 = new EtcdClient({ endpoints: E, transport: t2, ...noSleep });
  assert.equal((await c2.txn([], [])).succeeded, true);
});

test('gateway errors map onto the storage taxonomy', () => {
  assert.equal(gatewayError(400, { error: 'etcdserver: mvcc: required revision has been compacted', code: 11 }).error.kind, 'Expired');
  assert.equal(gatewayError(400, { error: 'etcdserver: mvcc: required revision is a future revision', code: 11 }).error.kind, 'Invalid');
  const timeout = gatewayError(503, { error: 'etcdserver: request timed out', code: 14 });
  assert.deepEqual([timeout.error.kind, timeout.retry, timeout.safe], ['Unavailable', true, false]);
  assert.equal(gatewayError(400, { error: 'etcdserver: key is not provided', code: 3 }).retry, false);
});

test('openStream skips endpoints that refuse and reports Unavailable when none connects', async () => {
  const t = new FakeTransport();
  t.down.add('http://e0');
  const c = new EtcdClient({ endpoints: E, transport: t });
  const handlers = { onMessage: () => undefined, onClose: () => undefined };
  const s = await c.openStream('/v3/watch', {}, handlers);
  assert.equal(s.endpoint, 'http://e1');
  for (const e of E) t.down.add(e);
  await assert.rejects(c.openStream('/v3/watch', {}, handlers), (e: StorageError) => e.kind === 'Unavailable');
});
