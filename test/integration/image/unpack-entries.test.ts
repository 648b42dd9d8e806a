// applyLayer as root on a real filesystem: every entry type, owners, modes with setuid/setgid/sticky,
// mtimes, xattrs (user.* and the binary security.capability), every compression, and a tar written by GNU
// tar from a real directory unpacking to an identical tree.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { applyLayer } from '../../../src/image/unpack/apply-layer.js';
import { gzip, rawTar, sha256, snapshotTree, streamOf, withWorkspace, zstd } from '../../fixtures/layer-tars.js';

const fsops = openFsOps();
after(() => fsops.close());

// VFS_CAP_REVISION_2 with the effective bit, permitted = CAP_NET_RAW (bit 13): bytes above 0x7f would break
// a text-based PAX decoder, so CAP_SETUID (bit 7, 0x80) is in too.
const CAP = Buffer.from('01000002' + '80200000' + '00000000' + '00000000' + '00000000', 'hex');
const T = 1_234_567_890;

const everyType = () => rawTar([
  { name: 'bin', type: 'directory', mode: 0o755, mtime: T },
  { name: 'bin/ping', data: Buffer.from('#!/bin/sh\necho ping\n'), mode: 0o4755, uid: 1234, gid: 1234, mtime: T, xattrs: new Map([['security.capability', CAP], ['user.origin', Buffer.from('test')]]) },
  { name: 'bin/sgid', data: Buffer.from('g'), mode: 0o2711, uid: 1234, gid: 1234, mtime: T + 1 },
  { name: 'bin/hard', type: 'link', linkname: 'bin/ping' },
  { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 1234, gid: 1234, mtime: T + 2 },
  { name: 'tmp', type: 'directory', mode: 0o1777, mtime: T + 3, xattrs: new Map([['user.dir', Buffer.from([0, 1, 2, 0xff])]]) },
  { name: 'dev', type: 'directory', mode: 0o755, uid: 1234, gid: 1234, mtime: T + 4 },
  { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666, mtime: T + 5 },
  { name: 'dev/loop0', type: 'block', devmajor: 7, devminor: 0, mode: 0o660, gid: 6, mtime: T + 6 },
  { name: 'dev/pipe', type: 'fifo', mode: 0o600, uid: 1234, gid: 1234, mtime: T + 7 },
  { name: 'data/big', data: Buffer.alloc(5 * 1024 * 1024 + 17, 'z'), mode: 0o600, mtime: T + 8 },
  { name: 'data/empty', data: Buffer.alloc(0), mode: 0o400, mtime: T + 9 },
]);

test('every entry type, with owners, modes, mtimes and xattrs, under every compression', async () => {
  const tar = everyType();
  for (const [name, bytes, compression] of [
    ['none', tar, 'none'], ['gzip', gzip(tar), 'gzip'], ['zstd', zstd(tar), 'zstd'],
    ['sniffed gzip', gzip(tar), 'unknown'], ['sniffed zstd', zstd(tar), 'unknown'], ['sniffed none', tar, undefined],
  ] as const) {
    await withWorkspace(fsops, async (ws) => {
      const target = ws.mkdir('target');
      const result = await applyLayer(streamOf(bytes, 4093), target, { whiteouts: 'overlay', fsops, compression });
      assert.equal(result.diffId, sha256(tar), name);
      assert.equal(result.entries, 12);
      const t = await snapshotTree(target, fsops);
      assert.deepEqual(t['bin/ping'], {
        type: 'file', mode: 0o4755, uid: 1234, gid: 1234, mtime: T, size: 20, content: t['bin/ping']!.content, inode: 'bin/hard',
        xattrs: { 'security.capability': CAP.toString('hex'), 'user.origin': Buffer.from('test').toString('hex') },
      });
      assert.equal(t['bin/hard']!.inode, 'bin/hard');
      assert.deepEqual([t['bin/sgid']!.mode, t['bin/sgid']!.uid, t['bin/sgid']!.mtime], [0o2711, 1234, T + 1]);
      assert.deepEqual(t['bin/sh'], { type: 'symlink', mode: 0o777, uid: 1234, gid: 1234, link: '/bin/busybox', mtime: T + 2 });
      assert.deepEqual(t['tmp'], { type: 'dir', mode: 0o1777, uid: 0, gid: 0, mtime: T + 3, xattrs: { 'user.dir': '000102ff' } });
      assert.deepEqual(t['dev'], { type: 'dir', mode: 0o755, uid: 1234, gid: 1234, mtime: T + 4 });
      assert.deepEqual(t['dev/null'], { type: 'char', mode: 0o666, uid: 0, gid: 0, mtime: T + 5, rdev: 0x103 });
      assert.deepEqual(t['dev/loop0'], { type: 'block', mode: 0o660, uid: 0, gid: 6, mtime: T + 6, rdev: 0x700 });
      assert.deepEqual(t['dev/pipe'], { type: 'fifo', mode: 0o600, uid: 1234, gid: 1234, mtime: T + 7 });
      assert.deepEqual([t['data/big']!.size, t['data/big']!.mode, t['data/big']!.mtime], [5 * 1024 * 1024 + 17, 0o600, T + 8]);
      assert.deepEqual([t['data/empty']!.size, t['data/empty']!.mode], [0, 0o400]);
      assert.equal(t['data']!.mode, 0o755, 'implicit parent directory');
    });
  }
});

test('a tar written by GNU tar from a real directory unpacks to an identical tree', async () => {
  await withWorkspace(fsops, async (ws) => {
    const src = ws.mkdir('src');
    fs.mkdirSync(path.join(src, 'etc/deep/er'), { recursive: true });
    fs.writeFileSync(path.join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    fs.writeFileSync(path.join(src, 'etc/deep/er/file'), 'x'.repeat(100_000));
    fs.linkSync(path.join(src, 'etc/passwd'), path.join(src, 'etc/passwd.hard'));
    fs.symlinkSync('../etc/passwd', path.join(src, 'etc/deep/link'));
    fs.mkdirSync(path.join(src, 'dev'));
    execFileSync('mknod', ['-m', '640', path.join(src, 'dev/tty9'), 'c', '4', '9']);
    execFileSync('mkfifo', ['-m', '620', path.join(src, 'dev/fifo')]);
    fs.writeFileSync(path.join(src, `${'long-name-'.repeat(20)}ü`), 'long');
    fs.writeFileSync(path.join(src, 'setuid'), 's');
    fs.chownSync(path.join(src, 'setuid'), 1234, 4321);
    fs.chmodSync(path.join(src, 'setuid'), 0o6755);
    fs.chmodSync(path.join(src, 'etc/deep'), 0o1750);
    await fsops.setxattr(path.join(src, 'setuid'), 'security.capability', CAP);
    await fsops.setxattr(path.join(src, 'etc/passwd'), 'user.kind', Buffer.from('config'));
    fs.lutimesSync(path.join(src, 'etc/deep/link'), T, T);
    for (const p of ['etc/passwd', 'etc/deep/er/file', 'dev/tty9', 'setuid', 'etc/deep/er', 'etc/deep', 'etc', 'dev']) fs.utimesSync(path.join(src, p), T, T);

    const tarFile = path.join(ws.dir, 'gnu.tar');
    execFileSync('tar', ['--format=posix', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-cf', tarFile, '-C', src, '.']);
    const target = ws.mkdir('target');
    const result = await applyLayer(fs.createReadStream(tarFile), target, { whiteouts: 'delete', fsops });
    assert.equal(result.diffId, sha256(fs.readFileSync(tarFile)));
    assert.deepEqual(await snapshotTree(target, fsops), await snapshotTree(src, fsops));
  });
});
