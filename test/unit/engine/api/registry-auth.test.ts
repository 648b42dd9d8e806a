// X-Registry-Auth and /auth bodies: decoding and the credentials they carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsOf, decodeRegistryAuthHeader, registryOfServerAddress } from '../../../../src/engine/api/registry-auth.js';
import { isEngineError } from '../../../../src/engine/errors.js';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

test('the header is base64url JSON (standard base64 accepted too); empty or absent means none', () => {
  const doc = { username: 'alice', password: 's3cret?>>', serveraddress: 'localhost:5000' };
  assert.deepEqual(decodeRegistryAuthHeader(b64url(doc)), doc);
  assert.deepEqual(decodeRegistryAuthHeader(Buffer.from(JSON.stringify(doc)).toString('base64')), doc);
  assert.equal(decodeRegistryAuthHeader(undefined), undefined);
  assert.equal(decodeRegistryAuthHeader(''), undefined);
  assert.deepEqual(decodeRegistryAuthHeader(b64url({})), {});
  assert.throws(() => decodeRegistryAuthHeader('!!!not json'), (e: unknown) => isEngineError(e, 'InvalidArgument'));
  assert.throws(() => decodeRegistryAuthHeader(b64url([1])), (e: unknown) => isEngineError(e, 'InvalidArgument'));
});

test('credentials: username/password, the config.json "auth" pair, identity and registry tokens; nothing → undefined', () => {
  assert.deepEqual(credentialsOf({ username: 'a', password: 'b' }), { username: 'a', password: 'b' });
  assert.deepEqual(credentialsOf({ auth: Buffer.from('bob:pa:ss').toString('base64') }), { username: 'bob', password: 'pa:ss' });
  assert.deepEqual(credentialsOf({ username: 'a', identitytoken: 'tok' }), { username: 'a', identityToken: 'tok' });
  assert.deepEqual(credentialsOf({ registrytoken: 'rt' }), { registryToken: 'rt' });
  assert.equal(credentialsOf({}), undefined);
  assert.equal(credentialsOf({ serveraddress: 'x', email: '' }), undefined);
  assert.equal(credentialsOf(undefined), undefined);
});

test('server addresses name registries as references do', () => {
  assert.equal(registryOfServerAddress('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryOfServerAddress('localhost:5000'), 'localhost:5000');
  assert.equal(registryOfServerAddress('https://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(registryOfServerAddress(''), 'docker.io');
  assert.equal(registryOfServerAddress(undefined), 'docker.io');
});
