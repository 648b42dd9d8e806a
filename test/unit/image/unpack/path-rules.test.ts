import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isImageError } from '../../../../src/image/errors.js';
import { ancestorsOf, entryPath, hardlinkTarget, parentOf, whiteoutOf } from '../../../../src/image/unpack/path-rules.js';
import { LimitTracker, resolveLimits, DEFAULT_LIMITS } from '../../../../src/image/unpack/limits.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e) => isImageError(e, 'InvalidArgument') && message.test((e as Error).message));

test('entry paths are normalised relative to the layer root', () => {
  assert.equal(entryPath('./a//b/'), 'a/b');
  assert.equal(entryPath('a/./b'), 'a/b');
  assert.equal(entryPath('./'), '');
  assert.equal(entryPath('.'), '');
  assert.equal(entryPath('..a/b..'), '..a/b..');
  assert.equal(entryPath('x'.repeat(4096)), 'x'.repeat(4096));
});

test('absolute, dot-dot, NUL and over-long paths are refused, naming the entry and the rule', () => {
  refused(() => entryPath('/etc/passwd'), /^layer entry "\/etc\/passwd": absolute paths are not allowed in a layer$/);
  refused(() => entryPath('../x'), /^layer entry "\.\.\/x": path escapes the layer root$/);
  refused(() => entryPath('a/../b'), /^layer entry "a\/\.\.\/b": path escapes the layer root$/);
  refused(() => entryPath('a/..'), /path escapes the layer root/);
  refused(() => entryPath('a\0b'), /path contains a NUL byte/);
  refused(() => entryPath('x'.repeat(4097)), /path is longer than 4096 bytes/);
  refused(() => entryPath('é'.repeat(2049)), /path is longer than 4096 bytes/); // bytes, not characters
  refused(() => entryPath('abc', 2), /path is longer than 2 bytes/);
});

test('hardlink targets: absolute, dot-dot and root targets are refused', () => {
  assert.equal(hardlinkTarget('l', './bin/sh'), 'bin/sh');
  refused(() => hardlinkTarget('l', '/bin/sh'), /^layer entry "l": hardlink target "\/bin\/sh" is absolute$/);
  refused(() => hardlinkTarget('l', 'bin/../../x'), /^layer entry "l": hardlink target "bin\/\.\.\/\.\.\/x" escapes the layer root$/);
  refused(() => hardlinkTarget('l', './'), /hardlink target is the layer root/);
});

test('whiteouts: plain, opaque, aufs metadata, and bad names', () => {
  assert.equal(whiteoutOf('a/b', 'a/b'), null);
  assert.deepEqual(whiteoutOf('a/.wh.b', 'a/.wh.b'), { kind: 'whiteout', dir: 'a', name: 'b' });
  assert.deepEqual(whiteoutOf('.wh.b', '.wh.b'), { kind: 'whiteout', dir: '', name: 'b' });
  assert.deepEqual(whiteoutOf('a/.wh..wh..opq', 'a/.wh..wh..opq'), { kind: 'opaque', dir: 'a' });
  assert.deepEqual(whiteoutOf('.wh..wh.plnk', '.wh..wh.plnk'), { kind: 'meta' });
  refused(() => whiteoutOf('a/.wh.', 'a/.wh.'), /whiteout names no file/);
  refused(() => whiteoutOf('.wh..', '.wh..'), /whiteout names no file/);
  refused(() => whiteoutOf('.wh...', '.wh...'), /whiteout escapes the layer root/);
});

test('path helpers', () => {
  assert.equal(parentOf('a/b/c'), 'a/b');
  assert.equal(parentOf('a'), '');
  assert.deepEqual(ancestorsOf('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(ancestorsOf('a'), []);
});

test('limits: entries, per-entry and total sizes are counted from headers', () => {
  assert.equal(resolveLimits({}).maxTotalSize, DEFAULT_LIMITS.maxTotalSize);
  assert.equal(resolveLimits({ maxEntries: 2, maxTotalSize: undefined }).maxEntries, 2);
  const t = new LimitTracker(resolveLimits({ maxEntries: 3, maxEntrySize: 10, maxTotalSize: 15 }));
  t.admit('a', 10);
  refused(() => t.admit('b', 11), /^layer entry "b": size 11 exceeds the limit of 10 bytes per entry \(maxEntrySize\)$/);
  refused(() => t.admit('c', 6), /layer entry "c": the layer's files add up to more than the limit of 15 bytes \(maxTotalSize\)/);
  const n = new LimitTracker(resolveLimits({ maxEntries: 1 }));
  n.admit('a', 0);
  refused(() => n.admit('b', 0), /layer entry "b": the layer has more than 1 entries \(maxEntries\)/);
});
