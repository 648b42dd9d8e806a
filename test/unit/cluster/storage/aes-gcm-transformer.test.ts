import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { aesGcmTransformer, loadOrCreateKey, AES_GCM_PREFIX } from '../../../../src/cluster/storage/aes-gcm-transformer.js';
import { prefixScopedTransformer } from '../../../../src/cluster/storage/transformer.js';

const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

test('round-trips, with the prefix and a fresh nonce per write', () => {
  const t = aesGcmTransformer(randomBytes(32));
  const a = t.toStorage('/registry/secrets/ns/s', plain);
  const b = t.toStorage('/registry/secrets/ns/s', plain);
  assert.ok(a.subarray(0, AES_GCM_PREFIX.length).equals(Buffer.from(AES_GCM_PREFIX)));
  assert.ok(!a.includes(Buffer.from('password')));
  assert.notDeepEqual(a, b);
  assert.deepEqual(t.fromStorage('/registry/secrets/ns/s', a), plain);
  assert.deepEqual(t.fromStorage('/registry/secrets/ns/s', b), plain);
});

test('the etcd key is authenticated; tampering and wrong keys are detected', () => {
  const key = randomBytes(32);
  const t = aesGcmTransformer(key);
  const sealed = t.toStorage('/registry/secrets/ns/a', plain);
  assert.throws(() => t.fromStorage('/registry/secrets/ns/b', sealed), /cannot decrypt the value at \/registry\/secrets\/ns\/b/);
  const flipped = Buffer.from(sealed);
  flipped[flipped.length - 20]! ^= 1;
  assert.throws(() => t.fromStorage('/registry/secrets/ns/a', flipped), /wrong key or tampered/);
  assert.throws(() => aesGcmTransformer(randomBytes(32)).fromStorage('/registry/secrets/ns/a', sealed), /cannot decrypt/);
  assert.throws(() => t.fromStorage('/k', Buffer.from(AES_GCM_PREFIX + 'short')), /truncated/);
  assert.throws(() => aesGcmTransformer(randomBytes(16)), /32-byte/);
});

test('plaintext (written before encryption was enabled) reads back unchanged', () => {
  assert.deepEqual(aesGcmTransformer(randomBytes(32)).fromStorage('/registry/secrets/ns/old', plain), plain);
});

test('the key file is created 0600 on first use and reused afterwards', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-key-'));
  try {
    const file = path.join(dir, 'state', 'encryption.key');
    const k1 = loadOrCreateKey(file);
    assert.equal(k1.length, 32);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKey(file), k1);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['encryption.key']); // no temp file left
    fs.writeFileSync(file, Buffer.alloc(8).toString('base64'));
    assert.throws(() => loadOrCreateKey(file), /must hold 32 base64-encoded bytes, found 8/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prefixScopedTransformer encrypts only under its prefixes but decrypts anything it recognises', () => {
  const inner = aesGcmTransformer(randomBytes(32));
  const t = prefixScopedTransformer(['/registry/secrets/'], inner);
  assert.deepEqual(t.toStorage('/registry/configmaps/ns/c', plain), plain);
  const sealed = t.toStorage('/registry/secrets/ns/s', plain);
  assert.notDeepEqual(sealed, plain);
  assert.deepEqual(t.fromStorage('/registry/secrets/ns/s', sealed), plain);
  assert.deepEqual(t.fromStorage('/registry/configmaps/ns/c', plain), plain);
});
