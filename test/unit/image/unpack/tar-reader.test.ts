import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isImageError } from '../../../../src/image/errors.js';
import { ByteReader } from '../../../../src/image/unpack/byte-reader.js';
import { TarReader, type TarEntry } from '../../../../src/image/unpack/tar-reader.js';
import { parseNumeric } from '../../../../src/image/unpack/tar-header.js';
import { encodeHeader, paxRecord } from '../../../../src/image/diff/tar-header-encode.js';
import { rawTar, tarOf, streamOf, ME } from '../../../fixtures/layer-tars.js';

async function readAll(tar: Buffer, chunk = 512 * 3 + 7): Promise<{ entries: (TarEntry & { body: string })[]; consumed: number }> {
  const bytes = new ByteReader(streamOf(tar, chunk), () => {});
  const reader = new TarReader(bytes, 1 << 20);
  const entries: (TarEntry & { body: string })[] = [];
  for (let e = await reader.next(); e; e = await reader.next()) {
    const parts: Buffer[] = [];
    for (let p = await reader.read(100); p; p = await reader.read(100)) parts.push(p);
    entries.push({ ...e, body: Buffer.concat(parts).toString() });
  }
  await reader.finish();
  return { entries, consumed: bytes.consumed };
}

test('reads ustar entries from tar-stream, with bodies split across chunks', async () => {
  const tar = await tarOf([
    { name: 'dir', type: 'directory', mode: 0o1755 },
    { name: 'dir/file', content: 'x'.repeat(1000), mode: 0o4755 },
    { name: 'sym', type: 'symlink', linkname: 'dir/file' },
    { name: 'hard', type: 'link', linkname: 'dir/file' },
    { name: 'dev', type: 'character-device', devmajor: 4, devminor: 64 },
    { name: `${'long/'.repeat(40)}name`, content: 'pax path' },
    { name: 'x', content: 'y', pax: { 'SCHILY.xattr.user.a': 'b' } },
  ]);
  for (const chunk of [1, 511, 512, 513, 100000]) {
    const { entries, consumed } = await readAll(tar, chunk);
    assert.equal(consumed, tar.length);
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [
      ['dir', 'directory'], ['dir/file', 'file'], ['sym', 'symlink'], ['hard', 'link'], ['dev', 'char'],
      [`${'long/'.repeat(40)}name`, 'file'], ['x', 'file'],
    ]);
    assert.equal(entries[0]!.mode, 0o1755);
    assert.equal(entries[1]!.body, 'x'.repeat(1000));
    assert.equal(entries[1]!.mode, 0o4755);
    assert.equal(entries[1]!.uid, ME.uid);
    assert.equal(entries[1]!.mtime, 1_000_000_000);
    assert.equal(entries[2]!.linkname, 'dir/file');
    assert.deepEqual([entries[4]!.devmajor, entries[4]!.devminor], [4, 64]);
    assert.equal(entries[5]!.body, 'pax path');
    assert.equal(entries[6]!.xattrs?.get('user.a')?.toString(), 'b');
  }
});

test('PAX: binary xattr values, large uid/gid, fractional mtime, long link targets, non-ASCII names', async () => {
  const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0xff, 0x00, 0x0a]);
  const tar = rawTar([
    { name: 'f', data: Buffer.from('data'), uid: 5_000_000, gid: 3_000_000, xattrs: new Map([['security.capability', cap], ['user.e', Buffer.alloc(0)]]) },
    { name: 'ünïcode', type: 'symlink', linkname: `${'t/'.repeat(80)}target` },
  ]);
  const { entries } = await readAll(tar);
  assert.equal(entries[0]!.uid, 5_000_000);
  assert.equal(entries[0]!.gid, 3_000_000);
  assert.ok(entries[0]!.xattrs!.get('security.capability')!.equals(cap));
  assert.equal(entries[0]!.xattrs!.get('user.e')!.length, 0);
  assert.equal(entries[1]!.name, 'ünïcode');
  assert.equal(entries[1]!.linkname, `${'t/'.repeat(80)}target`);

  const fractional = Buffer.concat([paxRecord('mtime', '1700000000.25'), paxRecord('LIBARCHIVE.xattr.user.%41b', Buffer.from('dmFs').toString())]);
  const hdr = encodeHeader({ name: 'PaxHeaders/f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: fractional.length, mtime: 0 });
  hdr[156] = 'x'.charCodeAt(0);
  fixChecksum(hdr);
  const body = Buffer.concat([fractional, Buffer.alloc(512 - (fractional.length % 512))]);
  const main = encodeHeader({ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 5 });
  const { entries: e2 } = await readAll(Buffer.concat([hdr, body, main, Buffer.alloc(1024)]));
  assert.equal(e2[0]!.mtime, 1700000000.25);
  assert.equal(e2[0]!.xattrs!.get('user.Ab')!.toString(), 'val');
});

function fixChecksum(h: Buffer): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

test('GNU tar archives: long names and long link targets (L/K entries), global PAX headers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-gnutar-'));
  try {
    const long = 'n'.repeat(150);
    fs.mkdirSync(path.join(dir, 'src', long), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', long, 'file'), 'gnu');
    fs.symlinkSync(`${'l'.repeat(120)}/target`, path.join(dir, 'src', 'link'));
    execFileSync('tar', ['--format=gnu', '-cf', path.join(dir, 'gnu.tar'), '-C', path.join(dir, 'src'), '.']);
    const { entries } = await readAll(fs.readFileSync(path.join(dir, 'gnu.tar')));
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get(`./${long}/file`)?.body, 'gnu');
    assert.equal(byName.get('./link')?.linkname, `${'l'.repeat(120)}/target`);
    execFileSync('tar', ['--format=pax', '--pax-option=globexthdr.name=g,comment=hi', '-cf', path.join(dir, 'pax.tar'), '-C', path.join(dir, 'src'), '.']);
    const pax = await readAll(fs.readFileSync(path.join(dir, 'pax.tar')));
    assert.equal(pax.entries.find((e) => e.name === `./${long}/file`)?.body, 'gnu');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('numeric fields: octal with spaces and NULs, and GNU base-256', () => {
  const b = Buffer.alloc(12);
  b.write(' 0000017\0', 0, 'latin1');
  assert.equal(parseNumeric(b, 0, 12, 'size', 0), 15);
  const big = Buffer.alloc(12);
  big[0] = 0x80;
  big.writeUIntBE(20 * 1024 ** 3, 6, 6);
  assert.equal(parseNumeric(big, 0, 12, 'size', 0), 20 * 1024 ** 3);
  assert.throws(() => parseNumeric(Buffer.from('12389\0'), 0, 6, 'mode', 512), /invalid mode in the header at byte 512/);
  big[0] = 0xff;
  assert.throws(() => parseNumeric(big, 0, 12, 'size', 0), /negative size/);
});

test('corrupt, truncated and unsupported archives are refused', async () => {
  const tar = await tarOf([{ name: 'f', content: 'x'.repeat(2000) }]);
  const bad = Buffer.from(tar);
  bad[10] ^= 1;
  await assert.rejects(readAll(bad), (e) => isImageError(e, 'InvalidArgument') && /checksum mismatch in the header at byte 0/.test((e as Error).message));
  await assert.rejects(readAll(tar.subarray(0, 1000)), (e) => isImageError(e, 'DataLoss') && /truncated: the stream ended inside the data of "f"/.test((e as Error).message));
  await assert.rejects(readAll(tar.subarray(0, 300)), /truncated: the stream ended inside a tar header/);
  const sparse = Buffer.from(tar);
  sparse[156] = 'S'.charCodeAt(0);
  fixChecksum(sparse.subarray(0, 512));
  await assert.rejects(readAll(sparse), /layer entry "f": unsupported tar entry type 'S'/);
  // An archive without end-of-archive blocks ending at an entry boundary is accepted (as Go's reader does).
  const { entries } = await readAll(tar.subarray(0, 512 + 2048));
  assert.equal(entries.length, 1);
  // So is one ending right after the last entry's data, before its padding (the docker CLI's build context).
  const unpadded = await readAll(tar.subarray(0, 512 + 2000));
  assert.equal(unpadded.entries[0]!.body.length, 2000);
  // A padding cut part-way is still a truncated archive.
  await assert.rejects(readAll(tar.subarray(0, 512 + 2010)), /truncated: the stream ended inside the data of "f"/);
});

test('data after the end-of-archive blocks is consumed (it is part of the diffId)', async () => {
  const tar = Buffer.concat([await tarOf([{ name: 'f', content: 'x' }]), Buffer.alloc(10240)]);
  const { consumed } = await readAll(tar);
  assert.equal(consumed, tar.length);
});
