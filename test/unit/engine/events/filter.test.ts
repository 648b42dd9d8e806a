// `docker events --filter` with moby's matching rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatches, validateEventFilters } from '../../../../src/engine/events/filter.js';
import { createEventBus } from '../../../../src/engine/events/bus.js';
import { isEngineError } from '../../../../src/engine/errors.js';

const bus = createEventBus();
const start = bus.publish('container', 'start', 'a1b2c3d4e5f6a1b2', { name: 'web', image: 'busybox:latest', 'com.example.tier': 'front' });
const exec = bus.publish('container', 'exec_start: sh -c date', 'a1b2c3d4e5f6a1b2', { name: 'web', image: 'busybox:latest' });
const tag = bus.publish('image', 'tag', 'sha256:feed', { name: 'localhost:5000/app:v1' });
const vol = bus.publish('volume', 'create', 'data', { driver: 'local' });
const net = bus.publish('network', 'connect', 'n0123456', { name: 'bridge', container: 'a1b2c3d4e5f6a1b2' });
const all = [start, exec, tag, vol, net];

const f = (o: Record<string, string[]>) => new Map(Object.entries(o));
const pick = (o: Record<string, string[]>) => all.filter((e) => eventMatches(e, f(o))).map((e) => `${e.Type}:${e.Action}`);

test('no filters: everything', () => {
  assert.equal(pick({}).length, all.length);
});

test('type and event are exact; several values of one key are alternatives', () => {
  assert.deepEqual(pick({ type: ['image'] }), ['image:tag']);
  assert.deepEqual(pick({ type: ['volume', 'network'] }), ['volume:create', 'network:connect']);
  assert.deepEqual(pick({ event: ['start'] }), ['container:start']);
  assert.deepEqual(pick({ action: ['create'] }), ['volume:create']);
});

test('exec_start matches actions with their command suffix', () => {
  assert.deepEqual(pick({ event: ['exec_start'] }), ['container:exec_start: sh -c date']);
});

test('container matches the id by prefix or the exact name, and excludes other types', () => {
  assert.deepEqual(pick({ container: ['a1b2c3'] }), ['container:start', 'container:exec_start: sh -c date']);
  assert.deepEqual(pick({ container: ['web'] }), ['container:start', 'container:exec_start: sh -c date']);
  assert.deepEqual(pick({ container: ['we'] }), [], 'names are not prefixes');
});

test('image matches the id, the name, or the name without its tag (port kept)', () => {
  assert.deepEqual(pick({ image: ['localhost:5000/app'] }), ['image:tag']);
  assert.deepEqual(pick({ image: ['sha256:feed'] }), ['image:tag']);
  assert.deepEqual(pick({ image: ['busybox'] }), ['container:start', 'container:exec_start: sh -c date']);
  assert.deepEqual(pick({ image: ['localhost'] }), []);
});

test('volume and network filters, and keys combine with AND', () => {
  assert.deepEqual(pick({ volume: ['data'] }), ['volume:create']);
  assert.deepEqual(pick({ network: ['bridge'] }), ['network:connect']);
  assert.deepEqual(pick({ type: ['container'], event: ['start', 'create'] }), ['container:start']);
  assert.deepEqual(pick({ type: ['image'], event: ['start'] }), []);
});

test('label filters match attributes, with or without a value', () => {
  assert.deepEqual(pick({ label: ['com.example.tier'] }), ['container:start']);
  assert.deepEqual(pick({ label: ['com.example.tier=front'] }), ['container:start']);
  assert.deepEqual(pick({ label: ['com.example.tier=back'] }), []);
});

test('unknown filter keys are refused', () => {
  assert.throws(() => validateEventFilters(f({ colour: ['red'] })), (e: unknown) => isEngineError(e, 'InvalidArgument') && /invalid filter 'colour'/.test((e as Error).message));
  validateEventFilters(f({ type: ['image'], label: ['a'] }));
});
