// Error mapping at the API edge: kinds → statuses, Docker's exact error body and content type, 304 without
// a body, "page not found", and the standard headers on every answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statusOf, errorBody } from '../../../../src/engine/api/errors.js';
import { EngineError, type EngineErrorKind } from '../../../../src/engine/errors.js';
import { ImageError, type ImageErrorKind } from '../../../../src/image/index.js';
import type { Route } from '../../../../src/engine/api/router.js';
import { startTestServer, type TestServer } from './helpers.js';

test('EngineError kinds map to Docker statuses', () => {
  const want: Record<EngineErrorKind, number> = {
    InvalidArgument: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, NotModified: 304, FailedPrecondition: 409, Internal: 500,
  };
  for (const [kind, status] of Object.entries(want)) assert.equal(statusOf(new EngineError('x', kind as EngineErrorKind)), status, kind);
});

test('ImageError kinds map to Docker statuses (an image in use is 409)', () => {
  const want: Record<ImageErrorKind, number> = {
    NotFound: 404, AlreadyExists: 409, InvalidArgument: 400, FailedPrecondition: 409, Unauthorized: 401, PermissionDenied: 403, Unavailable: 503, DataLoss: 500, Internal: 500,
  };
  for (const [kind, status] of Object.entries(want)) assert.equal(statusOf(new ImageError('x', kind as ImageErrorKind)), status, kind);
});

test('other errors: a known kind property is honoured, anything else is 500 with its message', () => {
  assert.equal(statusOf(Object.assign(new Error('gone'), { kind: 'NotFound' })), 404);
  assert.equal(statusOf(Object.assign(new Error('odd'), { kind: 'Weird' })), 500);
  assert.equal(statusOf(new TypeError('boom')), 500);
  assert.equal(statusOf('a string'), 500);
  assert.deepEqual(errorBody(new Error('boom')), { message: 'boom' });
  assert.deepEqual(errorBody('text'), { message: 'text' });
});

let srv: TestServer;
const routes: Route[] = [
  { method: 'GET', path: '/missing/:id', handler: async (req) => { throw new EngineError(`No such container: ${req.params.id}`, 'NotFound'); } },
  { method: 'POST', path: '/containers/:id/start', handler: async () => { throw new EngineError('container already started', 'NotModified'); } },
  { method: 'GET', path: '/crash', handler: async () => { throw new TypeError('cannot read properties of undefined'); } },
  { method: 'GET', path: '/image-in-use', handler: async () => { throw new ImageError('conflict: unable to remove busybox (must force) - image is in use', 'FailedPrecondition'); } },
  { method: 'GET', path: '/silent', handler: async () => {} },
  { method: 'GET', path: '/ok', handler: async (_req, res) => res.json(200, { fine: true }) },
];
before(async () => (srv = await startTestServer(routes)));
after(async () => srv.close());

function assertStandardHeaders(headers: Record<string, unknown>): void {
  assert.match(String(headers.server), /^Docker\/\S+ \(linux\)$/);
  assert.equal(headers['api-version'], '1.47');
  assert.equal(headers.ostype, 'linux');
  assert.equal(headers['docker-experimental'], 'false');
}

test('a thrown NotFound is a 404 with {"message"} and Content-Type application/json exactly', async () => {
  const r = await srv.request('GET', '/v1.47/missing/abc');
  assert.equal(r.status, 404);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(r.text), { message: 'No such container: abc' });
  assertStandardHeaders(r.headers);
});

test('NotModified is a bare 304', async () => {
  const r = await srv.request('POST', '/containers/x/start');
  assert.equal(r.status, 304);
  assert.equal(r.body.length, 0);
  assertStandardHeaders(r.headers);
});

test('an image in use is a 409 carrying the image layer\'s message', async () => {
  const r = await srv.request('GET', '/image-in-use');
  assert.equal(r.status, 409);
  assert.match(JSON.parse(r.text).message, /must force/);
});

test('an unexpected error is a 500 with its message, and is logged with its stack', async () => {
  const r = await srv.request('GET', '/crash');
  assert.equal(r.status, 500);
  assert.deepEqual(JSON.parse(r.text), { message: 'cannot read properties of undefined' });
  assert.ok(srv.log.some((l) => l.startsWith('error: GET /crash: 500: TypeError')), srv.log.join('\n'));
});

test('a handler that never answers is a 500 naming the route, not a hung request', async () => {
  const r = await srv.request('GET', '/silent');
  assert.equal(r.status, 500);
  assert.match(JSON.parse(r.text).message, /GET \/silent returned without answering/);
});

test('unknown routes are 404 "page not found"; wrong versions are 400; both with the standard headers', async () => {
  const r = await srv.request('GET', '/v1.47/no/such/route');
  assert.equal(r.status, 404);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(r.text), { message: 'page not found' });
  assertStandardHeaders(r.headers);
  const v = await srv.request('GET', '/v1.99/ok');
  assert.equal(v.status, 400);
  assert.deepEqual(JSON.parse(v.text), { message: 'client version 1.99 is too new. Maximum supported API version is 1.47' });
  assertStandardHeaders(v.headers);
  const good = await srv.request('GET', '/v1.24/ok');
  assert.equal(good.status, 200);
  assertStandardHeaders(good.headers);
});
