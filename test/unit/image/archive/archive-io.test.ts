import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { type Digest, digestOf } from '../../../../src/image/digest.js';
import { TarWriter } from '../../../../src/image/archive/archive-writer.js';
import { type BlobSink, readArchive } from '../../../../src/image/archive/archive-reader.js';
import { blobPath } from '../../../../src/image/archive/oci-layout.js';

// A content store stand-in that verifies like the real one.
function memorySink() {
  const blobs = new Map<string, Buffer>();
  const read = async (s: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const sink: BlobSink = {
    async putKnown(digest, size, data) {
      const b = await read(data);
      if (digestOf(b) !== digest || b.length !== size) throw new Error(`digest mismatch: expected ${digest}, got ${digestOf(b)}`);
      blobs.set(digest, b);
    },
    async putUnknown(data) {
      const b = await read(data);
      blobs.set(digestOf(b), b);
      return digestOf(b);
    },
  };
  return { sink, blobs };
}

async function writeArchive(build: (w: TarWriter) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(out);
  await build(w);
  await w.finish();
  return Buffer.concat(chunks);
}

const big = Buffer.alloc(3 << 20, 7); // above the in-memory limit
const small = Buffer.from('{"hello":"world"}');

test('what TarWriter streams out, readArchive reads back: small files in memory, blobs and large files stored', async () => {
  const bytes = await writeArchive(async (w) => {
    await w.addBuffer('index.json', small);
    await w.addDir('blobs');
    await w.addDir('blobs/sha256');
    await w.addStream(blobPath(digestOf(big)), big.length, Readable.from([big.subarray(0, 100), big.subarray(100)]));
    await w.addStream('abc/layer.tar', big.length, Readable.from([big]));
  });
  const again = await writeArchive(async (w) => {
    await w.addBuffer('index.json', small);
    await w.addDir('blobs');
    await w.addDir('blobs/sha256');
    await w.addStream(blobPath(digestOf(big)), big.length, Readable.from([big]));
    await w.addStream('abc/layer.tar', big.length, Readable.from([big]));
  });
  assert.ok(bytes.equals(again), 'the same content gives byte-identical archives');

  const { sink, blobs } = memorySink();
  const progress: string[] = [];
  const view = await readArchive(Readable.from([bytes]), sink, { onProgress: (p, cur, total) => cur === total && progress.push(p) });
  assert.deepEqual(view.find('index.json')?.data, small);
  const stored = view.get(blobPath(digestOf(big)), 'blob');
  assert.equal(stored.digest, digestOf(big));
  assert.equal(stored.data, undefined);
  assert.deepEqual(stored.head, big.subarray(0, 6));
  assert.equal(view.get('abc/layer.tar', 'layer').digest, digestOf(big));
  assert.equal(view.digest(view.get('index.json', 'index')), digestOf(small));
  assert.deepEqual([...blobs.keys()], [digestOf(big)]);
  assert.deepEqual(progress, [blobPath(digestOf(big)), 'abc/layer.tar']);
});

test('a gzip-compressed archive is read the same', async () => {
  const bytes = await writeArchive((w) => w.addBuffer('manifest.json', small));
  const view = await readArchive(Readable.from([gzipSync(bytes)]), memorySink().sink);
  assert.deepEqual(view.find('manifest.json')?.data, small);
});

async function rawTar(entries: { name: string; type?: 'file' | 'symlink' | 'link'; data?: Buffer; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, size: e.data?.length ?? 0 }, e.data ?? Buffer.alloc(0));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('hostile entry names are refused; links are kept as links, never followed on disk', async () => {
  await assert.rejects(readArchive(Readable.from([await rawTar([{ name: '../evil', data: small }])]), memorySink().sink), /archive entry "\.\.\/evil": path escapes the archive root/);
  await assert.rejects(readArchive(Readable.from([await rawTar([{ name: '/etc/evil', data: small }])]), memorySink().sink), /archive entry "\/etc\/evil": absolute path/);
  const view = await readArchive(Readable.from([await rawTar([{ name: 'up', type: 'symlink', linkname: '../../etc/passwd' }, { name: 'h', type: 'link', linkname: 'up' }])]), memorySink().sink);
  assert.throws(() => view.find('h'), /leads outside the archive root/);
});

test('a blob whose content does not match its name is refused, naming the entry', async () => {
  const wrong = `sha256:${'0'.repeat(64)}` as Digest;
  const bytes = await rawTar([{ name: blobPath(wrong), data: small }]);
  await assert.rejects(readArchive(Readable.from([bytes]), memorySink().sink), /archive entry "blobs\/sha256\/0{64}": digest mismatch/);
});

test('empty input, an empty tar and truncated archives are clear errors', async () => {
  await assert.rejects(readArchive(Readable.from([Buffer.alloc(0)]), memorySink().sink), /the archive is empty/);
  await assert.rejects(readArchive(Readable.from([Buffer.alloc(1024)]), memorySink().sink), /the archive is empty/);
  const bytes = await writeArchive((w) => w.addStream('abc/layer.tar', big.length, Readable.from([big])));
  await assert.rejects(readArchive(Readable.from([bytes.subarray(0, 1 << 20)]), memorySink().sink), /cannot read the image archive: Unexpected end of data/);
  await assert.rejects(readArchive(Readable.from([Buffer.from('BZh91AY&SY....')]), memorySink().sink), /the archive is bzip2-compressed/);
});

test('a source shorter than declared aborts the archive instead of writing a short one', async () => {
  const out = new PassThrough();
  out.resume();
  const w = new TarWriter(out);
  await assert.rejects(w.addStream('x', 10, Readable.from([Buffer.from('abc')])), /source ended after 3 of 10 bytes/);
});
