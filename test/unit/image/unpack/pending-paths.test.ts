// PendingPaths: which in-flight writes a later entry waits for (same path, ancestors, descendants), and how
// failures are kept for the applier to rethrow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingPaths } from '../../../../src/image/unpack/pending-paths.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

/** Resolves to true when p settles within a couple of event-loop turns. */
async function settles(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await flush();
  await flush();
  return done;
}

test('at() waits for the same path only; above() for ancestors; within() for the path and below', async () => {
  const p = new PendingPaths();
  const a = deferred();
  const ab = deferred();
  const other = deferred();
  p.track('a', a.promise);
  p.track('a/b/c', ab.promise);
  p.track('ax', other.promise);
  assert.equal(p.size, 3);

  assert.equal(await settles(p.at('a/b')), true, 'nothing pending at a/b itself');
  assert.equal(await settles(p.at('a')), false);
  assert.equal(await settles(p.above('a/x/y')), false, 'a is an ancestor of a/x/y');
  assert.equal(await settles(p.above('ax/y')), false, 'ax is an ancestor of ax/y');
  assert.equal(await settles(p.above('b/c')), true);
  const within = p.within('a/b');
  assert.equal(await settles(within), false, 'a/b/c is below a/b');
  ab.resolve();
  assert.equal(await settles(within), true);
  assert.equal(await settles(p.within('a')), false, 'a itself is still pending');
  a.resolve();
  other.resolve();
  await p.drain();
  assert.equal(p.size, 0);
});

test('a failed write is kept: check() and drain() throw the first failure, settleAll() does not', async () => {
  const p = new PendingPaths();
  const first = deferred();
  const second = deferred();
  p.track('x', first.promise);
  p.track('y', second.promise);
  p.check();
  first.reject(new Error('EACCES first'));
  second.reject(new Error('second'));
  await p.settleAll();
  assert.equal(p.size, 0, 'settled writes are forgotten');
  assert.throws(() => p.check(), /EACCES first/);
  await assert.rejects(p.drain(), /EACCES first/);
  assert.match(String(p.error), /EACCES first/);
});

test('within("") waits for everything; drain() also waits for writes tracked while draining', async () => {
  const p = new PendingPaths();
  const one = deferred();
  p.track('deep/er/file', one.promise);
  assert.equal(await settles(p.within('')), false);
  const late = deferred();
  const drained = p.drain();
  p.track('later', late.promise);
  one.resolve();
  assert.equal(await settles(drained), false, 'a write tracked during the drain is waited for');
  late.resolve();
  await drained;
});
