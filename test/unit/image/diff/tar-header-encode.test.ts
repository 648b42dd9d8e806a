import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeHeader, paxRecord } from '../../../../src/image/diff/tar-header-encode.js';
import { ByteReader } from '../../../../src/image/unpack/byte-reader.js';
import { TarReader, type TarEntry } from '../../../../src/image/unpack/tar-reader.js';
import { rawTar, streamOf } from '../../../fixtures/layer-tars.js';

async function entries(tar: Buffer): Promise<TarEntry[]> {
  const r = new TarReader(new ByteReader(streamOf(tar, 777), () => {}), 1 << 20);
  const out: TarEntry[] = [];
  for (let e = await r.next(); e; e = await r.next()) out.push(e);
  return out;
}

test('PAX record lengths count their own digits', () => {
  assert.equal(paxRecord('path', 'a').toString(), '9 path=a\n');
  const r = paxRecord('k', 'v'.repeat(93)); // 1 + 1 + 1 + 93 + 1 = 97 bytes of text + "99" → 99
  assert.equal(r.length, Number(r.toString().split(' ')[0]));
  for (let n = 0; n < 300; n++) {
    const rec = paxRecord('x', 'y'.repeat(n));
    assert.equal(rec.length, Number(rec.toString().split(' ')[0]));
  }
});

test('headers that fit ustar need no PAX; the rest round-trips through the reader', async () => {
  assert.equal(encodeHeader({ name: 'usr/bin/env', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1 }).length, 512);
  assert.equal(encodeHeader({ name: `${'p/'.repeat(70)}name`, type: 'file', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1 }).length, 512, 'prefix split');
  const cap = Buffer.from([1, 0, 0, 2, 0xff, 0x80, 0, 0]);
  const cases = [
    { name: 'dir', type: 'directory' as const, mode: 0o1777, uid: 0, gid: 0, size: 0, mtime: 1_600_000_000 },
    { name: 'x'.repeat(300), type: 'file' as const, mode: 0o4755, uid: 5_000_000, gid: 7, size: 3, mtime: 2, data: Buffer.from('abc') },
    { name: 'ünï/cödé', type: 'symlink' as const, mode: 0o777, uid: 1, gid: 2, size: 0, mtime: 3, linkname: 'l'.repeat(200) },
    { name: 'caps', type: 'file' as const, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 4, xattrs: new Map([['security.capability', cap], ['user.b', Buffer.from('2')], ['user.a', Buffer.from('1')]]) },
    { name: 'dev', type: 'block' as const, mode: 0o660, uid: 0, gid: 6, size: 0, mtime: 5, devmajor: 259, devminor: 70000 },
    { name: 'old', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: -5 },
  ];
  const got = await entries(rawTar(cases));
  assert.equal(got.length, cases.length);
  got.forEach((e, i) => {
    const c = cases[i]!;
    assert.equal(e.name, c.type === 'directory' ? `${c.name}/` : c.name);
    assert.equal(e.type, c.type);
    assert.equal(e.mode, c.mode);
    assert.equal(e.uid, c.uid);
    assert.equal(e.gid, c.gid);
    assert.equal(e.size, c.size);
    assert.equal(e.mtime, c.mtime);
  });
  assert.equal(got[2]!.linkname, 'l'.repeat(200));
  assert.ok(got[3]!.xattrs!.get('security.capability')!.equals(cap));
  assert.deepEqual([...got[3]!.xattrs!.keys()], ['security.capability', 'user.a', 'user.b']);
  assert.deepEqual([got[4]!.devmajor, got[4]!.devminor], [259, 70000]);
});

test('GNU tar reads what the encoder writes (names, links, owners, modes, xattrs)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-enc-'));
  try {
    const tarFile = path.join(dir, 'l.tar');
    fs.writeFileSync(tarFile, rawTar([
      { name: 'd', type: 'directory', mode: 0o755 },
      { name: `d/${'long'.repeat(40)}`, data: Buffer.from('payload'), uid: 1234, gid: 4321, mode: 0o2755 },
      { name: 'd/ln', type: 'symlink', linkname: `${'t'.repeat(150)}`, mode: 0o777 },
      { name: 'd/x', data: Buffer.from(''), xattrs: new Map([['user.note', Buffer.from('hello')]]) },
    ]));
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tarFile], { encoding: 'utf8' });
    assert.match(listing, /^drwxr-xr-x \d+\/\d+ +0 2001-09-09 \d\d:\d\d d\/$/m);
    assert.match(listing, new RegExp(`^-rwxr-sr-x 1234/4321 +7 .* d/${'long'.repeat(40)}$`, 'm'));
    assert.match(listing, new RegExp(`d/ln -> ${'t'.repeat(150)}$`, 'm'));
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['--xattrs', '--xattrs-include=user.*', '-xf', tarFile, '-C', out]);
    assert.equal(fs.readFileSync(path.join(out, 'd', 'long'.repeat(40)), 'utf8'), 'payload');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
