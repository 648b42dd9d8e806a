// jsonmessage streams: image-layer progress events become Docker's pull/push/load lines; errors carry
// errorDetail; lines are \r\n separated; lazy streams turn early failures into HTTP errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { JsonMessageWriter, errorMessage, progressToMessage } from '../../../../src/engine/api/jsonmessage.js';
import { LazyJsonStream, lazyByteStream } from '../../../../src/engine/api/lazy-stream.js';
import type { ApiResponse } from '../../../../src/engine/api/router.js';
import { EngineError } from '../../../../src/engine/errors.js';

test('pull events map to Docker\'s lines; layer lines always have progressDetail', () => {
  assert.deepEqual(progressToMessage({ id: 'latest', status: 'Pulling from library/busybox' }), {
    status: 'Pulling from library/busybox', id: 'latest', progressDetail: {},
  });
  assert.deepEqual(progressToMessage({ id: 'abcdef012345', status: 'Pulling fs layer' }), { status: 'Pulling fs layer', id: 'abcdef012345', progressDetail: {} });
  const dl = progressToMessage({ id: 'abcdef012345', status: 'Downloading', progressDetail: { current: 500_000, total: 2_000_000 } })!;
  assert.equal(dl.status, 'Downloading');
  assert.deepEqual(dl.progressDetail, { current: 500_000, total: 2_000_000 });
  assert.match(dl.progress!, /^\[=+>\s+\]\s+500kB\/2MB$/);
  assert.deepEqual(progressToMessage({ id: 'abcdef012345', status: 'Download complete' }), { status: 'Download complete', id: 'abcdef012345', progressDetail: {} });
  assert.equal(progressToMessage({ id: 'abcdef012345', status: 'Extracting', progressDetail: { current: 1, total: 2 } })!.status, 'Extracting');
  assert.deepEqual(progressToMessage({ id: 'abcdef012345', status: 'Pull complete' }), { status: 'Pull complete', id: 'abcdef012345', progressDetail: {} });
  assert.deepEqual(progressToMessage({ status: 'Digest: sha256:abc' }), { status: 'Digest: sha256:abc' });
  assert.deepEqual(progressToMessage({ status: 'Status: Downloaded newer image for busybox:latest' }), { status: 'Status: Downloaded newer image for busybox:latest' });
  assert.deepEqual(progressToMessage({ status: 'Status: Image is up to date for busybox:latest' }), { status: 'Status: Image is up to date for busybox:latest' });
});

test('an error event becomes an error line with errorDetail', () => {
  assert.deepEqual(progressToMessage({ status: '', error: 'blob unknown' }), { errorDetail: { message: 'blob unknown' }, error: 'blob unknown' });
  assert.deepEqual(errorMessage(new Error('denied'), 401), { errorDetail: { code: 401, message: 'denied' }, error: 'denied' });
});

test('load: whole-operation lines are stream text, per-layer "Loaded" lines are dropped', () => {
  assert.deepEqual(progressToMessage({ status: 'Loaded image: busybox:latest' }, 'load'), { stream: 'Loaded image: busybox:latest\n' });
  assert.equal(progressToMessage({ id: 'abcdef012345', status: 'Loaded' }, 'load'), undefined);
  assert.equal(progressToMessage({ id: 'abcdef012345', status: 'Loading layer', progressDetail: { current: 1, total: 2 } }, 'load')!.status, 'Loading layer');
});

test('the writer separates lines with \\r\\n and stops writing once the client is gone', () => {
  const out = new PassThrough();
  const w = new JsonMessageWriter(out);
  w.status('Pulling fs layer', 'abc');
  w.stream('Step 1/2');
  w.aux({ ID: 'sha256:x' });
  w.error(new Error('boom'));
  w.end();
  w.status('after end');
  assert.equal(
    out.read().toString(),
    '{"status":"Pulling fs layer","id":"abc"}\r\n{"stream":"Step 1/2\\n"}\r\n{"progressDetail":{},"aux":{"ID":"sha256:x"}}\r\n' +
      '{"errorDetail":{"message":"boom"},"error":"boom"}\r\n',
  );
});

/** A fake ApiResponse that records whether (and how) a stream started. */
function fakeResponse() {
  const out = new PassThrough();
  const state = { started: false, type: '' };
  const res = {
    get started() {
      return state.started;
    },
    stream(type: string) {
      state.started = true;
      state.type = type;
      return out;
    },
  } as unknown as ApiResponse;
  return { res, out, state };
}

test('a lazy stream holds the preamble; a failure before the real start is rethrown (an HTTP error)', () => {
  const { res, state } = fakeResponse();
  const s = new LazyJsonStream(res, (m) => m.status !== 'Pulling from x');
  s.write({ status: 'Pulling from x', id: 'latest' });
  assert.equal(state.started, false);
  const err = new EngineError('manifest unknown', 'NotFound');
  assert.throws(() => s.fail(err), (e: unknown) => e === err);
});

test('a lazy stream starts at the first real line with the held lines first; later failures are error lines', () => {
  const { res, out, state } = fakeResponse();
  const s = new LazyJsonStream(res, (m) => m.status !== 'Pulling from x');
  s.progress('pull')({ id: 'latest', status: 'Pulling from x' });
  s.progress('pull')({ id: 'abcdef012345', status: 'Pulling fs layer' });
  assert.equal(state.started, true);
  assert.equal(state.type, 'application/json');
  s.fail(new Error('connection reset'));
  const lines = out.read().toString().trim().split('\r\n').map((l: string) => JSON.parse(l));
  assert.deepEqual(lines.map((l: { status?: string; error?: string }) => l.status ?? l.error), ['Pulling from x', 'Pulling fs layer', 'connection reset']);
  assert.deepEqual(lines[2].errorDetail, { message: 'connection reset' });
});

test('a lazy byte stream starts the response with its first byte (and also when it ends empty)', async () => {
  const a = fakeResponse();
  const w = lazyByteStream(a.res, 'application/x-tar');
  assert.equal(a.state.started, false);
  await new Promise<void>((r) => w.write(Buffer.from('tar'), () => r()));
  assert.equal(a.state.type, 'application/x-tar');
  await new Promise<void>((r) => w.end(() => r()));
  assert.equal(a.out.read().toString(), 'tar');
  const b = fakeResponse();
  await new Promise<void>((r) => lazyByteStream(b.res, 'application/x-tar').end(() => r()));
  assert.equal(b.state.started, true);
});
