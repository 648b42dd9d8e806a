// Route matching: version prefixes and their bounds, greedy image names, precedence, HEAD → GET, decoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter, splitVersion, type Route } from '../../../../src/engine/api/router.js';

const h = async () => {};
const route = (method: Route['method'], path: string): Route => ({ method, path, handler: h });

const routes = [
  route('GET', '/images/json'),
  route('GET', '/images/:name*/json'),
  route('GET', '/images/:name*/history'),
  route('POST', '/images/:name*/push'),
  route('POST', '/images/:name*/tag'),
  route('POST', '/images/create'),
  route('DELETE', '/images/:name*'),
  route('GET', '/containers/:id/json'),
  route('GET', '/containers/json'),
  route('GET', '/_ping'),
  route('HEAD', '/_ping'),
  route('GET', '/version'),
];
const router = createRouter(routes);

function found(method: string, path: string) {
  const m = router.match(method, path);
  assert.equal(m.kind, 'found', `${method} ${path} → ${JSON.stringify(m)}`);
  return m as Extract<typeof m, { kind: 'found' }>;
}

test('paths match with and without a /vX.Y prefix, and the version is reported', () => {
  assert.equal(found('GET', '/version').version, '1.47');
  assert.equal(found('GET', '/v1.41/version').version, '1.41');
  assert.equal(found('GET', '/v1.24/version').version, '1.24');
  assert.equal(found('GET', '/v1.47/version').version, '1.47');
});

test('versions outside [1.24, 1.47] are refused with moby\'s messages', () => {
  assert.deepEqual(router.match('GET', '/v1.99/version'), {
    kind: 'bad-version',
    message: 'client version 1.99 is too new. Maximum supported API version is 1.47',
  });
  const old = router.match('GET', '/v1.12/version');
  assert.equal(old.kind, 'bad-version');
  assert.match((old as { message: string }).message, /client version 1\.12 is too old\. Minimum supported API version is 1\.24/);
  // 1.100 is newer than 1.47 (numeric, not string, comparison)
  assert.equal(router.match('GET', '/v1.100/version').kind, 'bad-version');
  assert.equal(splitVersion('/v2.0/x', { min: '1.24', max: '1.47' }).kind, 'bad-version');
});

test('greedy names take slashes and registry ports; the suffix picks the route', () => {
  assert.equal(found('GET', '/images/localhost:5000/a/b/json').params.name, 'localhost:5000/a/b');
  assert.equal(found('GET', '/v1.47/images/busybox/json').params.name, 'busybox');
  assert.equal(found('GET', '/images/a/b/history').route.path, '/images/:name*/history');
  assert.equal(found('POST', '/images/127.0.0.1:5000/x/y/push').params.name, '127.0.0.1:5000/x/y');
  assert.equal(found('POST', '/images/busybox/tag').params.name, 'busybox');
  assert.equal(found('DELETE', '/images/localhost:5000/a/b:v1').params.name, 'localhost:5000/a/b:v1');
  assert.equal(found('DELETE', '/images/sha256:abc').params.name, 'sha256:abc');
});

test('literal routes win over parameter routes', () => {
  assert.equal(found('GET', '/images/json').route.path, '/images/json');
  assert.equal(found('GET', '/containers/json').route.path, '/containers/json');
  assert.equal(found('GET', '/containers/abc/json').params.id, 'abc');
  assert.equal(found('POST', '/images/create').route.path, '/images/create');
  // An image literally named "json" is still reachable through the greedy route.
  assert.equal(found('GET', '/images/json/json').params.name, 'json');
});

test('single-segment parameters do not take slashes', () => {
  assert.equal(router.match('GET', '/containers/a/b/json').kind, 'not-found');
});

test('parameters are percent-decoded; a malformed escape matches nothing', () => {
  assert.equal(found('GET', '/images/localhost%3A5000%2Fa/json').params.name, 'localhost:5000/a');
  assert.equal(router.match('GET', '/containers/%E0%A4%A/json').kind, 'not-found');
});

test('HEAD uses its own route, or falls back to GET; other methods do not', () => {
  assert.equal(found('HEAD', '/_ping').route.method, 'HEAD');
  assert.equal(found('HEAD', '/version').route.method, 'GET');
  assert.equal(router.match('POST', '/version').kind, 'not-found');
  assert.equal(router.match('PUT', '/images/json').kind, 'not-found');
});

test('unknown paths are not found', () => {
  assert.equal(router.match('GET', '/nope').kind, 'not-found');
  assert.equal(router.match('GET', '/v1.47/nope').kind, 'not-found');
  assert.equal(router.match('GET', '/images').kind, 'not-found');
});
