import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeKey } from '../../../../src/image/snapshot/key-escape.js';
import { isImageError } from '../../../../src/image/errors.js';

test('plain characters are kept; everything else is %XX of its UTF-8 bytes', () => {
  assert.equal(escapeKey('abc-DEF_09.x'), 'abc-DEF_09.x');
  assert.equal(escapeKey(`sha256:${'a'.repeat(64)}`), `sha256%3A${'a'.repeat(64)}`);
  assert.equal(escapeKey('default/ctr 1'), 'default%2Fctr%201');
  assert.equal(escapeKey('é'), '%C3%A9');
  assert.equal(escapeKey('100%'), '100%25');
});

test('names are never ".", "..", dot-files, or contain a slash or NUL', () => {
  for (const key of ['.', '..', '.hidden', '../../etc/passwd', 'a/../b', '\0', '/abs']) {
    const name = escapeKey(key);
    assert.ok(!name.startsWith('.'), `${key} -> ${name}`);
    assert.ok(!name.includes('/') && !name.includes('\0'), `${key} -> ${name}`);
  }
  assert.equal(escapeKey('..'), '%2E.');
});

test('distinct keys give distinct names, including near-identical and very long ones', () => {
  const long = 'k'.repeat(5000);
  const keys = ['a', 'A', 'a.', '%61', 'a%', 'a~', 'é', 'e\u0301', long, `${long}x`, `${long}y`, 'x'.repeat(200), 'x'.repeat(201),
    '/'.repeat(100), '/'.repeat(101)];
  const names = keys.map(escapeKey);
  assert.equal(new Set(names).size, keys.length);
  for (const n of names) assert.ok(Buffer.byteLength(n) + '.json'.length <= 255, `${n.length} bytes`);
});

test('empty or non-string keys are InvalidArgument', () => {
  assert.throws(() => escapeKey(''), (e) => isImageError(e, 'InvalidArgument') && /non-empty/.test(e.message));
  assert.throws(() => escapeKey(undefined as unknown as string), (e) => isImageError(e, 'InvalidArgument'));
});
