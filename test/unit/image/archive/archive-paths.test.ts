import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ArchiveNode, normalizeEntryPath, resolveArchivePath } from '../../../../src/image/archive/archive-paths.js';

test('entry names are normalized; absolute names and ".." are refused', () => {
  assert.equal(normalizeEntryPath('./manifest.json'), 'manifest.json');
  assert.equal(normalizeEntryPath('blobs//sha256/./abc'), 'blobs/sha256/abc');
  assert.equal(normalizeEntryPath('abc/'), 'abc');
  assert.equal(normalizeEntryPath('./'), '');
  assert.throws(() => normalizeEntryPath('/etc/passwd'), /archive entry "\/etc\/passwd": absolute path/);
  assert.throws(() => normalizeEntryPath('../x'), /archive entry "\.\.\/x": path escapes the archive root/);
  assert.throws(() => normalizeEntryPath('a/../../x'), /path escapes/);
  assert.throws(() => normalizeEntryPath('a\0b'), /NUL/);
  assert.throws(() => normalizeEntryPath('a/'.repeat(3000)), /longer than 4096/);
});

const file = (n: number): ArchiveNode<number> => ({ type: 'file', file: n });

test('symlinks resolve relative to their directory (docker save links shared layers)', () => {
  const nodes = new Map<string, ArchiveNode<number>>([
    ['aaa', { type: 'dir' }],
    ['aaa/layer.tar', file(1)],
    ['bbb', { type: 'dir' }],
    ['bbb/layer.tar', { type: 'symlink', target: '../aaa/layer.tar' }],
    ['ccc', { type: 'symlink', target: 'bbb' }],
    ['hard', { type: 'hardlink', target: './aaa/layer.tar' }],
  ]);
  assert.deepEqual(resolveArchivePath(nodes, 'bbb/layer.tar'), { path: 'aaa/layer.tar', node: file(1) });
  assert.deepEqual(resolveArchivePath(nodes, 'ccc/layer.tar'), { path: 'aaa/layer.tar', node: file(1) });
  assert.deepEqual(resolveArchivePath(nodes, 'hard'), { path: 'aaa/layer.tar', node: file(1) });
  assert.deepEqual(resolveArchivePath(nodes, './aaa//layer.tar'), { path: 'aaa/layer.tar', node: file(1) });
  assert.equal(resolveArchivePath(nodes, 'aaa/missing'), undefined);
  assert.equal(resolveArchivePath(nodes, 'aaa/layer.tar/x'), undefined);
});

test('links leaving the archive, absolute targets and loops are refused', () => {
  const nodes = new Map<string, ArchiveNode<number>>([
    ['up', { type: 'symlink', target: '../../etc/passwd' }],
    ['abs', { type: 'symlink', target: '/etc/passwd' }],
    ['loop1', { type: 'symlink', target: 'loop2' }],
    ['loop2', { type: 'symlink', target: 'loop1' }],
  ]);
  assert.throws(() => resolveArchivePath(nodes, 'up'), /archive path "up" leads outside the archive root/);
  assert.throws(() => resolveArchivePath(nodes, 'abs'), /link target "\/etc\/passwd" is absolute/);
  assert.throws(() => resolveArchivePath(nodes, 'loop1'), /too many levels of links/);
  assert.throws(() => resolveArchivePath(nodes, '../x'), /leads outside the archive root/);
  assert.throws(() => resolveArchivePath(nodes, '/x'), /absolute path/);
});
