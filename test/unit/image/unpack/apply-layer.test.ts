// applyLayer without root: entries owned by the test's own uid, and a recording FsOps standing in for
// berth-fsops (mknod makes a placeholder file so later checks see something there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isImageError } from '../../../../src/image/errors.js';
import type { FsOps } from '../../../../src/image/native/fsops.js';
import { applyLayer } from '../../../../src/image/unpack/apply-layer.js';
import { rawTar, sha256, snapshotTree, streamOf, tarOf, gzip, type FixtureEntry } from '../../../fixtures/layer-tars.js';

type Call = [string, ...unknown[]];

function recordingFsOps(): FsOps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async mknod(file, mode, major, minor) {
      calls.push(['mknod', file, mode, major, minor]);
      try {
        fs.writeFileSync(file, '', { flag: 'wx' });
      } catch (err) {
        throw Object.assign(new Error('exists'), { errno: (err as NodeJS.ErrnoException).code === 'EEXIST' ? 17 : 5 });
      }
    },
    async setxattr(file, name, value) {
      calls.push(['setxattr', file, name, value.toString('hex')]);
    },
    async xattrs() {
      return new Map();
    },
    async mount() {},
    async umount() {},
    async pinNetns() {}, async run() { throw new Error("not used here"); },
    async close() {},
  };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-apply-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

const dir = (name: string, extra: Partial<FixtureEntry> = {}): FixtureEntry => ({ name, type: 'directory', ...extra });
const file = (name: string, content = name, extra: Partial<FixtureEntry> = {}): FixtureEntry => ({ name, content, ...extra });
const T = new Date(1_500_000_000_000);

test('regular files, directories, symlinks and hardlinks with modes and mtimes; diffId is the tar sha256', withDir(async (root) => {
  const tar = await tarOf([
    dir('etc', { mode: 0o750, mtime: T }),
    file('etc/hosts', '127.0.0.1 localhost\n', { mode: 0o640, mtime: T }),
    file('etc/big', 'b'.repeat(3 * 1024 * 1024 + 3)),
    { name: 'etc/link', type: 'symlink', linkname: 'hosts', mtime: T },
    { name: 'etc/hard', type: 'link', linkname: 'etc/hosts' },
    file('implicit/parent/file'),
    file('etc/empty', ''),
  ]);
  const fsops = recordingFsOps();
  const seen: number[] = [];
  const result = await applyLayer(streamOf(gzip(tar), 1000), root, { whiteouts: 'delete', fsops, onBytes: (n) => seen.push(n) });
  assert.equal(result.diffId, sha256(tar));
  assert.equal(result.size, tar.length);
  assert.equal(result.entries, 7);
  assert.equal(seen.at(-1), gzip(tar).length);
  const t = await snapshotTree(root);
  assert.equal(t['etc']!.mode, 0o750);
  assert.equal(t['etc']!.mtime, 1_500_000_000);
  assert.equal(t['etc/hosts']!.mode, 0o640);
  assert.equal(t['etc/hosts']!.mtime, 1_500_000_000);
  assert.equal(fs.readFileSync(path.join(root, 'etc/hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.equal(t['etc/big']!.size, 3 * 1024 * 1024 + 3);
  assert.equal(t['etc/link']!.link, 'hosts');
  assert.equal(t['etc/link']!.mtime, 1_500_000_000);
  assert.equal(t['etc/hard']!.inode, 'etc/hard');
  assert.equal(t['etc/hosts']!.inode, 'etc/hard');
  assert.equal(t['implicit/parent']!.mode, 0o755);
  assert.equal(t['etc/empty']!.size, 0);
  assert.deepEqual(fsops.calls, []);
}));

test('later entries replace earlier ones: file over dir, dir over file, symlink over dir; an existing dir is kept', withDir(async (root) => {
  const fsops = recordingFsOps();
  await applyLayer(streamOf(await tarOf([dir('a'), file('a/x'), file('b'), dir('c'), file('c/keep'), dir('d'), file('d/y')])), root, { whiteouts: 'delete', fsops });
  await applyLayer(streamOf(await tarOf([file('a', 'now a file'), dir('b'), file('b/z'), dir('c', { mode: 0o700 }), { name: 'd', type: 'symlink', linkname: '/tmp' }])), root, { whiteouts: 'delete', fsops });
  const t = await snapshotTree(root);
  assert.equal(t['a']!.type, 'file');
  assert.equal(t['b']!.type, 'dir');
  assert.ok(t['b/z']);
  assert.equal(t['c']!.mode, 0o700);
  assert.ok(t['c/keep'], 'an existing directory keeps its contents');
  assert.equal(t['d']!.type, 'symlink');
  assert.equal(t['d/y'], undefined);
}));

test('delete mode: whiteouts remove lower files; opaque empties a directory but keeps what this layer wrote', withDir(async (root) => {
  const fsops = recordingFsOps();
  await applyLayer(streamOf(await tarOf([
    dir('gone'), file('gone/inner'), file('file'), dir('opq'), file('opq/old'), dir('opq/sub'), file('opq/sub/old2'), file('opq/sub/keep-name'),
  ])), root, { whiteouts: 'delete', fsops });
  await applyLayer(streamOf(await tarOf([
    file('.wh.gone', ''), file('.wh.file', ''), file('.wh.never-existed', ''),
    dir('opq'), file('opq/new'), file('opq/sub/keep-name', 'new content'), file('opq/.wh..wh..opq', ''),
    file('late', 'written before its whiteout'), file('.wh.late', ''),
  ])), root, { whiteouts: 'delete', fsops });
  const t = await snapshotTree(root);
  assert.deepEqual(Object.keys(t).sort(), ['late', 'opq', 'opq/new', 'opq/sub', 'opq/sub/keep-name']);
  assert.equal(fs.readFileSync(path.join(root, 'opq/sub/keep-name'), 'utf8'), 'new content');
  assert.deepEqual(fsops.calls, []);
}));

test('overlay mode: whiteouts become 0:0 character devices and opaque dirs get trusted.overlay.opaque=y', withDir(async (root) => {
  const fsops = recordingFsOps();
  await applyLayer(streamOf(await tarOf([
    dir('a'), file('a/.wh.deleted', '', { mtime: T }), file('.wh.top', ''), dir('o'), file('o/.wh..wh..opq', ''), file('o/new'),
    file('mine'), file('.wh.mine', ''), file('.wh..wh.plnk', ''),
    // A layer must not forge overlay metadata.
    file('forged', 'x', { pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.ok': 'v' } }),
  ])), root, { whiteouts: 'overlay', fsops });
  const abs = (p: string) => path.join(root, p);
  assert.deepEqual(fsops.calls, [
    ['mknod', abs('a/deleted'), 0o020000, 0, 0],
    ['mknod', abs('top'), 0o020000, 0, 0],
    ['setxattr', abs('o'), 'trusted.overlay.opaque', '79'],
    ['setxattr', abs('forged'), 'user.ok', Buffer.from('v').toString('hex')],
  ]);
  assert.equal(Math.floor(fs.lstatSync(abs('a/deleted')).mtimeMs / 1000), 1_500_000_000);
  assert.equal(fs.readFileSync(abs('mine'), 'utf8'), 'mine', 'a whiteout never deletes what the same layer wrote');
  assert.ok(fs.existsSync(abs('o/new')));
  assert.equal(fs.existsSync(abs('.wh..wh.plnk')), false);
}));

test('a hostile entry fails with InvalidArgument; a non-directory target is refused', withDir(async (root) => {
  const fsops = recordingFsOps();
  await assert.rejects(
    applyLayer(streamOf(await tarOf([{ name: 'ln', type: 'symlink', linkname: '/' }, file('ln/tmp/pwned')])), root, { whiteouts: 'delete', fsops }),
    (e) => isImageError(e, 'InvalidArgument') && (e as Error).message === 'layer entry "ln/tmp/pwned": parent "ln" is a symlink; a layer must not write through a symlink',
  );
  fs.writeFileSync(path.join(root, 'plain'), '');
  await assert.rejects(applyLayer(streamOf(Buffer.alloc(1024)), path.join(root, 'plain'), { whiteouts: 'delete', fsops }), /is not a directory/);
  await assert.rejects(
    applyLayer(streamOf(rawTar([{ name: 'x', data: Buffer.from('12345') }])), root, { whiteouts: 'delete', fsops, limits: { maxEntrySize: 4 } }),
    /layer entry "x": size 5 exceeds the limit of 4 bytes per entry/,
  );
  await assert.rejects(applyLayer(streamOf(await tarOf([file('f', 'data')])), root, { whiteouts: 'delete', fsops, compression: 'gzip' }), /not valid gzip data/);
  await assert.rejects(
    applyLayer(streamOf(rawTar([{ name: 's', type: 'symlink', linkname: 'x'.repeat(5000) }])), root, { whiteouts: 'delete', fsops }),
    /layer entry "s": symlink target is longer than 4096 bytes/,
  );
}));

test('the root entry sets the target\'s own mode and mtime; a non-directory root is refused', withDir(async (root) => {
  const fsops = recordingFsOps();
  const target = path.join(root, 't');
  fs.mkdirSync(target);
  await applyLayer(streamOf(await tarOf([dir('./', { mode: 0o711, mtime: T }), file('./f')])), target, { whiteouts: 'delete', fsops });
  assert.equal(fs.statSync(target).mode & 0o7777, 0o711);
  assert.equal(Math.floor(fs.statSync(target).mtimeMs / 1000), 1_500_000_000);
  await assert.rejects(applyLayer(streamOf(await tarOf([file('./')])), target, { whiteouts: 'delete', fsops }), /the layer root can only be a directory/);
}));
