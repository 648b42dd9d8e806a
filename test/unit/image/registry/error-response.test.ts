import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFromResponse, isTransient, parseRegistryErrors, type ErrorContext } from '../../../../src/image/registry/error-response.js';

const ctx: ErrorContext = { registry: '127.0.0.1:5000', subject: '127.0.0.1:5000/a/b:v1', method: 'GET', hadCredentials: false, actions: 'pull,push' };
const body = (code: string, message?: string) => Buffer.from(JSON.stringify({ errors: [{ code, message, detail: {} }] }));

test('registry error codes map to kinds with messages naming the object', () => {
  const cases: [number, string, string, RegExp][] = [
    [404, 'MANIFEST_UNKNOWN', 'NotFound', /^127\.0\.0\.1:5000\/a\/b:v1: manifest unknown$/],
    [404, 'NAME_UNKNOWN', 'NotFound', /repository name not known/],
    [404, 'BLOB_UNKNOWN', 'NotFound', /blob unknown/],
    [400, 'TAG_INVALID', 'NotFound', /tag/],
    [400, 'DIGEST_INVALID', 'DataLoss', /digest did not match/],
    [403, 'DENIED', 'PermissionDenied', /access denied .*pull,push/],
    [401, 'UNAUTHORIZED', 'Unauthorized', /authentication required — run `berth login 127\.0\.0\.1:5000`/],
    [400, 'MANIFEST_INVALID', 'InvalidArgument', /manifest invalid \(registry says: bad json\)/],
  ];
  for (const [status, code, kind, re] of cases) {
    const e = errorFromResponse(status, body(code, code === 'MANIFEST_INVALID' ? 'bad json' : code.toLowerCase().replace('_', ' ')), ctx);
    assert.equal(e.kind, kind, code);
    assert.match(e.message, re, code);
  }
});

test('statuses without a body; 5xx and 429 are transient; 401 depends on credentials and scope', () => {
  assert.equal(errorFromResponse(404, Buffer.alloc(0), ctx).kind, 'NotFound');
  assert.equal(errorFromResponse(403, Buffer.alloc(0), ctx).kind, 'PermissionDenied');
  const e503 = errorFromResponse(503, Buffer.from('oops'), ctx);
  assert.equal(e503.kind, 'Unavailable');
  assert.ok(isTransient(e503));
  assert.ok(isTransient(errorFromResponse(429, Buffer.alloc(0), ctx)));
  assert.ok(!isTransient(errorFromResponse(404, Buffer.alloc(0), ctx)));
  assert.match(errorFromResponse(401, Buffer.alloc(0), { ...ctx, hadCredentials: true }).message, /authentication failed — check the username and password/);
  const scoped = errorFromResponse(401, body('UNAUTHORIZED'), { ...ctx, hadCredentials: true, insufficientScope: true });
  assert.equal(scoped.kind, 'PermissionDenied');
  assert.match(scoped.message, /do not grant pull,push access \(insufficient_scope\)/);
});

test('parseRegistryErrors tolerates junk', () => {
  assert.deepEqual(parseRegistryErrors('not json'), []);
  assert.deepEqual(parseRegistryErrors('{"errors":"x"}'), []);
  assert.deepEqual(parseRegistryErrors('{"errors":[{"code":"blob_unknown"},{"nocode":1}]}'), [{ code: 'BLOB_UNKNOWN', message: undefined, detail: undefined }]);
});
