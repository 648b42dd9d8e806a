// Query and body parsing with Docker's rules: booleans, integers, both filter forms, JSON bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { createApiRequest, parseBool, parseFilters, parseJsonBody } from '../../../../src/engine/api/request.js';
import { isEngineError } from '../../../../src/engine/errors.js';

const invalid = (e: unknown) => isEngineError(e, 'InvalidArgument');

function req(query: string, body = '', headers: Record<string, string> = {}) {
  const raw = Object.assign(Readable.from(body ? [Buffer.from(body)] : []), { headers }) as unknown as IncomingMessage;
  return createApiRequest({ raw, params: {}, query: new URLSearchParams(query), version: '1.41', body: () => raw });
}

test('bool: "1", "true", "True" and any other value are true; "", "0", "false", "no", "none" false; absent → fallback', () => {
  for (const v of ['1', 'true', 'True', 'yes', 'anything']) assert.equal(parseBool(v), true, v);
  for (const v of ['', '0', 'false', 'FALSE', 'no', 'none', ' 0 ']) assert.equal(parseBool(v), false, v);
  assert.equal(parseBool(null), false);
  assert.equal(parseBool(null, true), true);
  const r = req('force=1&noprune=0&all=True');
  assert.equal(r.bool('force'), true);
  assert.equal(r.bool('noprune'), false);
  assert.equal(r.bool('all'), true);
  assert.equal(r.bool('absent'), false);
  assert.equal(r.bool('absent', true), true);
});

test('int: whole numbers, fallback when absent or empty, 400 otherwise', () => {
  const r = req('t=10&neg=-3&empty=&bad=1.5&word=ten');
  assert.equal(r.int('t'), 10);
  assert.equal(r.int('neg'), -3);
  assert.equal(r.int('empty', 7), 7);
  assert.equal(r.int('absent'), undefined);
  assert.throws(() => r.int('bad'), invalid);
  assert.throws(() => r.int('word'), (e: unknown) => invalid(e) && /"word": "ten" is not an integer/.test((e as Error).message));
});

test('filters: the map form and the legacy list form both parse; false entries are dropped', () => {
  const modern = parseFilters(JSON.stringify({ dangling: { true: true }, label: { 'a=b': true, c: true, off: false } }));
  assert.deepEqual([...modern], [['dangling', ['true']], ['label', ['a=b', 'c']]]);
  const legacy = parseFilters(JSON.stringify({ reference: ['busybox', 'alpine:*'] }));
  assert.deepEqual([...legacy], [['reference', ['busybox', 'alpine:*']]]);
  assert.equal(parseFilters(null).size, 0);
  assert.equal(parseFilters('').size, 0);
  assert.deepEqual([...req(`filters=${encodeURIComponent('{"type":["image"]}')}`).filters()], [['type', ['image']]]);
});

test('filters: malformed JSON or shapes are 400 with an example of the right form', () => {
  assert.throws(() => parseFilters('{'), (e: unknown) => invalid(e) && /not JSON/.test((e as Error).message));
  assert.throws(() => parseFilters('[1]'), invalid);
  assert.throws(() => parseFilters('{"a":"b"}'), (e: unknown) => invalid(e) && /invalid filter "a"/.test((e as Error).message));
});

test('json body: empty → {}, valid JSON parsed, invalid → 400 naming the problem', async () => {
  assert.deepEqual(await req('').json(), {});
  assert.deepEqual(await req('', '{"Image":"busybox","Cmd":["sh"]}').json(), { Image: 'busybox', Cmd: ['sh'] });
  await assert.rejects(req('', '{"Image":').json(), (e: unknown) => invalid(e) && /invalid JSON in the request body/.test((e as Error).message));
  assert.deepEqual(parseJsonBody(Buffer.from('  \n')), {});
});

test('header lookup is case-insensitive; versionAtLeast compares numerically', () => {
  const r = req('', '', { 'x-registry-auth': 'abc' });
  assert.equal(r.header('X-Registry-Auth'), 'abc');
  assert.equal(r.header('missing'), undefined);
  assert.equal(r.versionAtLeast('1.41'), true);
  assert.equal(r.versionAtLeast('1.9'), true);
  assert.equal(r.versionAtLeast('1.42'), false);
});
