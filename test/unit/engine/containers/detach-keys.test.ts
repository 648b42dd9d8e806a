// Docker's detach keys: the spec parser and the filter that holds back a possible sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DETACH_KEYS, DetachFilter, parseDetachKeys } from '../../../../src/engine/containers/detach-keys.js';
import { isEngineError } from '../../../../src/engine/errors.js';

test('specs: the default, ctrl- letters and symbols, single characters; anything else is refused naming the spec', () => {
  assert.deepEqual(parseDetachKeys(''), DEFAULT_DETACH_KEYS);
  assert.deepEqual([...DEFAULT_DETACH_KEYS], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-A,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [1, 0, 27, 28, 29, 30, 31]);
  assert.deepEqual([...parseDetachKeys('a,b')], [0x61, 0x62]);
  for (const bad of ['ctrl-!', 'ctrl-', 'ab', 'ctrl-p,,ctrl-q', 'meta-x']) {
    assert.throws(() => parseDetachKeys(bad), (e: unknown) => isEngineError(e) && e.message.startsWith(`Invalid detach keys (${bad}) provided`), bad);
  }
});

test('the filter forwards everything but the sequence; a broken sequence is forwarded, split across chunks too', () => {
  const f = new DetachFilter(Buffer.from([0x10, 0x11]));
  assert.equal(f.push(Buffer.from('ls\r')).toString(), 'ls\r');
  assert.equal(f.push(Buffer.from([0x10])).length, 0, 'a possible start is held');
  assert.deepEqual([...f.push(Buffer.from('x'))], [0x10, 0x78], 'then released when the sequence breaks');
  assert.deepEqual([...f.push(Buffer.from([0x10, 0x10]))], [0x10], 'a repeated first key restarts the match');
  assert.equal(f.detached, false);
  assert.deepEqual([...f.push(Buffer.from([0x11, 0x41]))], [], 'the sequence completes; nothing after it goes through');
  assert.equal(f.detached, true);
  const one = new DetachFilter(Buffer.from('q'));
  assert.equal(one.push(Buffer.from('abq!')).toString(), 'ab');
  assert.equal(one.detached, true);
});
