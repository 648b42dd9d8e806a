// GET /events over a real socket: headers at once, live events as JSON lines, since/until replay (a past
// until ends the stream; a future one ends it when reached), filters, and argument errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createEventBus, eventNano } from '../../../../src/engine/events/bus.js';
import { systemRoutes } from '../../../../src/engine/routes/system.js';
import type { EngineServices } from '../../../../src/engine/services.js';
import { startTestServer, type TestServer } from '../api/helpers.js';

const bus = createEventBus();
const services = { events: bus, config: { root: '/nonexistent' }, containerCounts: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }) } as unknown as EngineServices;
let srv: TestServer;
before(async () => (srv = await startTestServer(systemRoutes(services))));
after(async () => srv.close());

/** The CLI's timestamp form, seconds.nanoseconds, exact. */
const secs = (nano: bigint) => `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, '0')}`;

/** Opens /events and resolves once the response headers are in (before any event). */
function openEvents(query: string): Promise<{ res: http.IncomingMessage; lines: () => Record<string, unknown>[]; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: srv.socketPath, path: `/v1.47/events${query}` }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      const ended = new Promise<void>((r) => res.on('end', () => r()));
      resolve({ res, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l)), ended });
    }).on('error', reject);
  });
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 5));
}

test('headers arrive before any event; later events stream as JSON lines; filters apply', async () => {
  const filters = encodeURIComponent(JSON.stringify({ type: { container: true } }));
  const s = await openEvents(`?filters=${filters}`);
  assert.equal(s.res.statusCode, 200);
  assert.equal(s.res.headers['content-type'], 'application/json');
  assert.deepEqual(s.lines(), []);
  bus.publish('image', 'tag', 'sha256:1', { name: 'a:1' });
  bus.publish('container', 'start', 'c1', { name: 'web', image: 'busybox' });
  await until(() => s.lines().length === 1);
  const [e] = s.lines() as { Type: string; Action: string; Actor: { ID: string }; status: string; from: string }[];
  assert.equal(e!.Type, 'container');
  assert.equal(e!.Action, 'start');
  assert.equal(e!.status, 'start');
  assert.equal(e!.from, 'busybox');
  s.res.destroy();
});

test('since + a past until replays the window and ends the stream', async () => {
  const first = bus.publish('image', 'pull', 'busybox:latest', { name: 'busybox:latest' });
  bus.publish('image', 'untag', 'sha256:2', { name: 'b:1' });
  const last = bus.publish('volume', 'create', 'v1');
  bus.publish('volume', 'remove', 'v1');
  // since and until are inclusive: exactly `first` … `last`, not the remove that follows
  const s = await openEvents(`?since=${secs(eventNano(first))}&until=${secs(eventNano(last))}`);
  await s.ended;
  const actions = s.lines().map((e) => e.Action);
  assert.deepEqual(actions, ['pull', 'untag', 'create']);
});

test('until alone replays everything before it; no since/until replays nothing', async () => {
  const mark = bus.publish('network', 'create', 'n-before');
  const s = await openEvents(`?until=${secs(eventNano(mark))}`);
  await s.ended;
  assert.ok(s.lines().some((e) => (e.Actor as { ID: string }).ID === 'n-before'));
  const live = await openEvents('');
  bus.publish('network', 'remove', 'n-after');
  await until(() => live.lines().length === 1);
  assert.equal((live.lines()[0]!.Actor as { ID: string }).ID, 'n-after', 'nothing from before the request');
  live.res.destroy();
});

test('a future until streams live events and ends the stream when reached', async () => {
  const untilAt = (Date.now() + 300) / 1000;
  const s = await openEvents(`?until=${untilAt.toFixed(3)}`);
  bus.publish('daemon', 'reload', 'engine-1');
  await s.ended;
  assert.ok(s.lines().some((e) => e.Action === 'reload'));
});

test('since after until and unknown filters are 400 with a message', async () => {
  const bad = await srv.request('GET', '/events?since=200&until=100');
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.text).message, /"since" time \(200\) cannot be after "until" time \(100\)/);
  const f = await srv.request('GET', `/events?filters=${encodeURIComponent('{"colour":["red"]}')}`);
  assert.equal(f.status, 400);
  assert.equal(JSON.parse(f.text).message, "invalid filter 'colour'");
  const t = await srv.request('GET', '/events?since=yesterday');
  assert.equal(t.status, 400);
});
