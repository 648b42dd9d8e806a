// writeLayer without root: a 'compare' source over two temp trees (xattrs from a fake FsOps), and an
// overlay-upper walk whose whiteout devices are stood in for by the fake (no mknod without root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import type { FsOps } from '../../../../src/image/native/fsops.js';
import { writeLayer, writeLayerToStore, splitDevice } from '../../../../src/image/diff/write-layer.js';
import { openContentStore } from '../../../../src/image/content/local-store.js';
import { MediaType } from '../../../../src/image/media-types.js';
import { ByteReader } from '../../../../src/image/unpack/byte-reader.js';
import { TarReader, type TarEntry } from '../../../../src/image/unpack/tar-reader.js';
import { sha256, streamOf } from '../../../fixtures/layer-tars.js';

function xattrFsOps(xattrs: Record<string, Record<string, string>>): FsOps {
  return {
    async mknod() {},
    async setxattr() {},
    async xattrs(file) {
      return new Map(Object.entries(xattrs[file] ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
    },
    async mount() {},
    async umount() {},
    async pinNetns() {}, async run() { throw new Error("not used here"); },
    async close() {},
  };
}

async function capture(run: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks);
}

async function list(tar: Buffer): Promise<TarEntry[]> {
  const r = new TarReader(new ByteReader(streamOf(tar), () => {}), 1 << 20);
  const out: TarEntry[] = [];
  for (let e = await r.next(); e; e = await r.next()) out.push(e);
  return out;
}

function withDirs(fn: (base: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-diff-'));
    try {
      await fn(base);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  };
}

const W = (p: string, content = p) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
};

test('compare: added, changed and deleted entries, parents first and sorted, whiteouts for deletions', withDirs(async (base) => {
  const lower = path.join(base, 'lower');
  const upper = path.join(base, 'upper');
  for (const f of ['same/a', 'same/deep/b', 'mod/c', 'gone/x', 'gone-file', 'chmod', 'type-change/y', 'link-change-target', 'xattr']) W(path.join(lower, f));
  fs.symlinkSync('old', path.join(lower, 'sym'));
  execFileSync('cp', ['-a', `${lower}/.`, upper]);
  W(path.join(upper, 'mod/c'), 'longer content');
  W(path.join(upper, 'mod/new/deep/file'));
  fs.rmSync(path.join(upper, 'gone'), { recursive: true });
  fs.rmSync(path.join(upper, 'gone-file'));
  fs.chmodSync(path.join(upper, 'chmod'), 0o600);
  fs.rmSync(path.join(upper, 'type-change'), { recursive: true });
  W(path.join(upper, 'type-change'), 'now a file');
  fs.rmSync(path.join(upper, 'sym'));
  fs.symlinkSync('new', path.join(upper, 'sym'));
  fs.linkSync(path.join(upper, 'mod/c'), path.join(upper, 'mod/c-hardlink'));
  const fsops = xattrFsOps({ [path.join(upper, 'xattr')]: { 'user.k': 'v', 'trusted.overlay.origin': 'ignored' } });

  const tar = await capture((out) => writeLayer({ kind: 'compare', lower, upper }, out, { fsops, compression: 'none' }));
  const got = await list(tar);
  assert.deepEqual(got.map((e) => `${e.type} ${e.name}`), [
    'file .wh.gone',
    'file .wh.gone-file',
    'file chmod',
    'directory mod/',
    'file mod/c',
    'link mod/c-hardlink',
    'directory mod/new/',
    'directory mod/new/deep/',
    'file mod/new/deep/file',
    'symlink sym',
    'file type-change',
    'file xattr',
  ]);
  assert.equal(got.find((e) => e.name === 'chmod')!.mode, 0o600);
  assert.equal(got.find((e) => e.name === 'mod/c-hardlink')!.linkname, 'mod/c');
  assert.equal(got.find((e) => e.name === 'sym')!.linkname, 'new');
  assert.deepEqual([...got.find((e) => e.name === 'xattr')!.xattrs!.entries()].map(([k, v]) => [k, v.toString()]), [['user.k', 'v']]);
  assert.equal(got.find((e) => e.name === '.wh.gone')!.size, 0);
}));

test('overlay-upper: every entry, whiteout devices as .wh.<name>, opaque dirs followed by .wh..wh..opq', withDirs(async (base) => {
  const upper = path.join(base, 'upper');
  W(path.join(upper, 'etc/conf'));
  fs.mkdirSync(path.join(upper, 'opaque'));
  W(path.join(upper, 'opaque/z'));
  execFileSync('mkfifo', [path.join(upper, 'fifo')]);
  const fsops = xattrFsOps({ [path.join(upper, 'opaque')]: { 'trusted.overlay.opaque': 'y' } });
  const tar = await capture((out) => writeLayer({ kind: 'overlay-upper', upper }, out, { fsops, compression: 'none' }));
  const names = (await list(tar)).map((e) => e.name);
  assert.deepEqual(names, ['etc/', 'etc/conf', 'fifo', 'opaque/', 'opaque/.wh..wh..opq', 'opaque/z']);
}));

test('compression: digest and size are those of the bytes written, diffId of the tar; media types follow', withDirs(async (base) => {
  const upper = path.join(base, 'upper');
  W(path.join(upper, 'f'), 'content '.repeat(1000));
  const fsops = xattrFsOps({});
  let plainTar: Buffer | undefined;
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    let result: Awaited<ReturnType<typeof writeLayer>> | undefined;
    const bytes = await capture(async (out) => (result = await writeLayer({ kind: 'overlay-upper', upper }, out, { fsops, compression })));
    assert.equal(result!.digest, sha256(bytes));
    assert.equal(result!.size, bytes.length);
    const tar = compression === 'gzip' ? zlib.gunzipSync(bytes) : compression === 'zstd' ? execFileSync('zstd', ['-dc'], { input: bytes }) : bytes;
    plainTar ??= tar;
    assert.ok(tar.equals(plainTar), 'the same tar under every compression');
    assert.equal(result!.diffId, sha256(tar));
    assert.equal(result!.mediaType, { none: MediaType.OciLayer, gzip: MediaType.OciLayerGzip, zstd: MediaType.OciLayerZstd }[compression]);
  }
  const store = openContentStore(path.join(base, 'store'));
  const { descriptor, diffId } = await writeLayerToStore({ kind: 'overlay-upper', upper }, store, { fsops, compression: 'gzip' });
  assert.equal(descriptor.mediaType, MediaType.OciLayerGzip);
  assert.equal(diffId, sha256(plainTar!));
  const blob = await store.readAll(descriptor.digest);
  assert.equal(blob.length, descriptor.size);
  assert.ok(zlib.gunzipSync(blob).equals(plainTar!));
}));

test('a file that shrinks while the layer is written fails the write', withDirs(async (base) => {
  const upper = path.join(base, 'upper');
  W(path.join(upper, 'f'), 'x'.repeat(100));
  const fsops: FsOps = { ...xattrFsOps({}), xattrs: async (file) => {
    fs.truncateSync(file, 10); // shrinks after it was stat'ed
    return new Map();
  } };
  await assert.rejects(capture((out) => writeLayer({ kind: 'overlay-upper', upper }, out, { fsops, compression: 'none' })), /shrank while the layer was written/);
}));

test('device numbers split as glibc encodes them', () => {
  assert.deepEqual(splitDevice(0x0103), { major: 1, minor: 3 });
  assert.deepEqual(splitDevice(259 * 256 + (70000 & 0xff) + (70000 & ~0xff) * 4096), { major: 259, minor: 70000 });
});
