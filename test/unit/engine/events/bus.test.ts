// The event bus: Docker's event shape (with the legacy fields for containers and images), a bounded history
// for `since`, subscription, and a nanosecond clock that never repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventBus, nanoClock } from '../../../../src/engine/events/bus.js';
import { parseTimestampNano } from '../../../../src/engine/events/timestamp.js';
import { isEngineError } from '../../../../src/engine/errors.js';

test('events have Docker\'s shape; containers and images carry status/id/from', () => {
  let t = 1_700_000_000_123_456_789n;
  const bus = createEventBus({ clock: () => t++ });
  const c = bus.publish('container', 'start', 'abc123', { image: 'busybox', name: 'web' });
  assert.deepEqual(c, {
    Type: 'container', Action: 'start', Actor: { ID: 'abc123', Attributes: { image: 'busybox', name: 'web' } },
    scope: 'local', time: 1_700_000_000, timeNano: Number(1_700_000_000_123_456_789n), status: 'start', id: 'abc123', from: 'busybox',
  });
  const i = bus.publish('image', 'tag', 'sha256:x', { name: 'busybox:1' });
  assert.equal(i.status, 'tag');
  assert.equal(i.id, 'sha256:x');
  assert.equal('from' in i, false);
  const n = bus.publish('network', 'create', 'net1', { name: 'n', type: 'bridge' });
  assert.equal('status' in n || 'id' in n, false, 'only containers and images have the legacy fields');
});

test('attributes are copied: a later change by the publisher does not alter the event', () => {
  const bus = createEventBus();
  const attrs = { name: 'a' };
  const e = bus.publish('volume', 'create', 'v', attrs);
  attrs.name = 'changed';
  assert.equal(e.Actor.Attributes.name, 'a');
});

test('history returns events at or after sinceNano, oldest first, within the capacity', () => {
  let t = 1000n;
  const bus = createEventBus({ capacity: 3, clock: () => (t += 10n) });
  for (const a of ['a', 'b', 'c', 'd', 'e']) bus.publish('image', a, a);
  assert.deepEqual(bus.history(0n).map((e) => e.Action), ['c', 'd', 'e']);
  assert.deepEqual(bus.history(1040n).map((e) => e.Action), ['d', 'e']);
  assert.deepEqual(bus.history(1051n).map((e) => e.Action), []);
});

test('subscribers get later events until they unsubscribe; a throwing subscriber does not stop the others', () => {
  const bus = createEventBus();
  const got: string[] = [];
  bus.subscribe(() => {
    throw new Error('closed stream');
  });
  const off = bus.subscribe((e) => got.push(e.Action));
  bus.publish('container', 'create', 'x');
  off();
  bus.publish('container', 'start', 'x');
  assert.deepEqual(got, ['create']);
});

test('the clock is wall time with sub-millisecond steps and never repeats', () => {
  const clock = nanoClock(() => 1_700_000_000_000);
  const a = clock();
  const b = clock();
  assert.ok(b > a);
  assert.ok(a >= 1_700_000_000_000_000_000n && a < 1_700_000_001_000_000_000n);
});

test('since/until timestamps: seconds with up to 9 fraction digits, or RFC 3339', () => {
  assert.equal(parseTimestampNano('since', '1700000000'), 1_700_000_000_000_000_000n);
  assert.equal(parseTimestampNano('since', '1700000000.5'), 1_700_000_000_500_000_000n);
  assert.equal(parseTimestampNano('since', '1700000000.000000001'), 1_700_000_000_000_000_001n);
  assert.equal(parseTimestampNano('until', '2023-11-14T22:13:20.25Z'), 1_700_000_000_250_000_000n);
  assert.throws(() => parseTimestampNano('since', '10 minutes'), (e: unknown) => isEngineError(e, 'InvalidArgument') && /invalid value for since/.test((e as Error).message));
});
