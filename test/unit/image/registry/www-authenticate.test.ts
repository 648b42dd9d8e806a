import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findChallenge, parseWwwAuthenticate } from '../../../../src/image/registry/www-authenticate.js';

test('Bearer challenge with realm, service and scope (Docker Hub shape)', () => {
  const [c] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  assert.deepEqual(c, {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
  });
});

test('insufficient_scope error, commas inside quotes, spaces, mixed case', () => {
  const [c] = parseWwwAuthenticate('BEARER  Realm="http://127.0.0.1:5001/token" , service="reg", scope="repository:a/b:pull,push", error="insufficient_scope"');
  assert.equal(c!.scheme, 'bearer');
  assert.equal(c!.params['realm'], 'http://127.0.0.1:5001/token');
  assert.equal(c!.params['scope'], 'repository:a/b:pull,push');
  assert.equal(c!.params['error'], 'insufficient_scope');
});

test('Basic, several challenges in one header and across headers, escapes and tokens', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  const two = parseWwwAuthenticate('Basic realm="a", Bearer realm="https://t/x",service=s');
  assert.deepEqual(two.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(findChallenge(two, 'Bearer')!.params['service'], 's');
  const many = parseWwwAuthenticate(['Basic realm="r"', 'Bearer realm="q\\"x"']);
  assert.equal(findChallenge(many, 'bearer')!.params['realm'], 'q"x');
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate('Negotiate'), [{ scheme: 'negotiate', params: {} }]);
});
