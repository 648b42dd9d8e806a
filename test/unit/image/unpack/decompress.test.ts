import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isImageError } from '../../../../src/image/errors.js';
import { openDecompressed, sniffCompression } from '../../../../src/image/unpack/decompress.js';
import { gzip, streamOf, zstd } from '../../../fixtures/layer-tars.js';

const payload = Buffer.from('tar bytes '.repeat(5000));

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

test('sniffing recognises gzip and zstd, takes anything else as a plain tar, refuses xz and bzip2', () => {
  assert.equal(sniffCompression(gzip(payload)), 'gzip');
  assert.equal(sniffCompression(zstd(payload)), 'zstd');
  assert.equal(sniffCompression(payload), 'none');
  assert.equal(sniffCompression(Buffer.alloc(0)), 'none');
  assert.throws(() => sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1])), /layer is xz-compressed; layers must be uncompressed, gzip or zstd/);
  assert.throws(() => sniffCompression(Buffer.from('BZh91AY')), /bzip2-compressed/);
});

for (const [name, bytes, declared] of [
  ['none', payload, 'none'],
  ['gzip', gzip(payload), 'gzip'],
  ['zstd', zstd(payload), 'zstd'],
  ['sniffed gzip', gzip(payload), 'unknown'],
  ['sniffed zstd', zstd(payload), 'unknown'],
  ['sniffed none', payload, 'unknown'],
] as const) {
  test(`decompresses ${name} (tiny chunks) and reports the running compressed byte count`, async () => {
    const seen: number[] = [];
    const d = await openDecompressed(streamOf(bytes, 3), declared, (n) => seen.push(n));
    assert.ok((await collect(d.chunks)).equals(payload));
    await d.finished();
    assert.equal(seen.at(-1), bytes.length);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  });
}

test('corrupt gzip and zstd data are DataLoss naming the format', async () => {
  const badGzip = Buffer.from(gzip(payload));
  badGzip[20] ^= 0xff;
  const g = await openDecompressed(streamOf(badGzip), 'gzip');
  await assert.rejects(collect(g.chunks), (e) => isImageError(e, 'DataLoss') && /layer is not valid gzip data/.test((e as Error).message));
  const badZstd = Buffer.from(zstd(payload));
  badZstd[badZstd.length - 5] ^= 0xff;
  const z = await openDecompressed(streamOf(badZstd), 'zstd');
  await assert.rejects(collect(z.chunks), (e) => isImageError(e, 'DataLoss') && /layer is not valid zstd data/.test((e as Error).message));
});

test('an error of the input stream passes through unchanged', async () => {
  async function* failing() {
    yield gzip(payload).subarray(0, 100);
    throw new Error('connection reset');
  }
  const { Readable } = await import('node:stream');
  const d = await openDecompressed(Readable.from(failing()), 'gzip');
  await assert.rejects(collect(d.chunks), /connection reset/);
});
