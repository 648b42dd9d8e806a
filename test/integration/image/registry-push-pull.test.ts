// The registry client against a real docker-registry (distribution 2.8), anonymous: uploads (monolithic and
// chunked) round-trip with their digests, manifests by tag and digest, cross-repository mounts, tags,
// deletes, Range resume, and the errors for unknown tags and blobs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { createRegistryClient, type RegistryClient } from '../../../src/image/registry/client.js';
import { isImageError } from '../../../src/image/errors.js';
import { MediaType } from '../../../src/image/media-types.js';
import type { Digest } from '../../../src/image/digest.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;
const open = (b: Buffer, piece = 7919) => () => Readable.from((function* () { for (let i = 0; i < b.length; i += piece) yield b.subarray(i, i + piece); })());
async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
function manifestFor(config: Buffer, layers: Buffer[]): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MediaType.OciLayerGzip, digest: sha(l), size: l.length })),
  }));
}

let registry: TestRegistry;
let client: RegistryClient;
before(async () => {
  registry = await startRegistry({ deleteEnabled: true });
  client = createRegistryClient({ certsDirs: [], retryBaseDelayMs: 10 });
});
after(async () => {
  client?.close();
  await registry?.stop();
});

test('monolithic and chunked uploads round-trip byte for byte; re-push says exists', async () => {
  const repo = client.repository(registry.host, 'test/roundtrip', ['pull', 'push']);
  const big = randomBytes(3 << 20);
  const small = randomBytes(100_001);
  const progress: number[] = [];
  assert.equal(await repo.pushBlob({ digest: sha(big), size: big.length }, open(big), { onProgress: (n) => progress.push(n) }), 'uploaded');
  assert.equal(progress.at(-1), big.length, 'progress is cumulative and ends at the size');
  assert.ok(progress.every((n, i) => i === 0 || n >= progress[i - 1]!));
  const chunkProgress: number[] = [];
  assert.equal(await repo.pushBlob({ digest: sha(small), size: small.length }, open(small), { chunkSize: 32_768, onProgress: (n) => chunkProgress.push(n) }), 'uploaded');
  assert.deepEqual(chunkProgress, [32_768, 65_536, 98_304, 100_001], 'one PATCH per chunk');
  assert.equal(await repo.pushBlob({ digest: sha(small), size: small.length }, open(small)), 'exists');

  for (const b of [big, small]) {
    assert.equal(await repo.hasBlob(sha(b)), b.length);
    const got = await repo.getBlob(sha(b));
    assert.equal(got.offset, 0);
    assert.equal(got.size, b.length);
    const bytes = await readAll(got.stream);
    assert.equal(sha(bytes), sha(b));
  }
  assert.equal(await repo.hasBlob(sha(Buffer.from('absent'))), null);
});

test('a blob whose bytes do not match its digest is refused (DataLoss), as is a wrong size', async () => {
  const repo = client.repository(registry.host, 'test/bad', ['pull', 'push']);
  const data = randomBytes(5000);
  const lie = sha(Buffer.from('something else'));
  await assert.rejects(repo.pushBlob({ digest: lie, size: data.length }, open(data)), (e: unknown) => isImageError(e, 'DataLoss') && e.message.includes(lie));
  await assert.rejects(repo.pushBlob({ digest: lie, size: data.length }, open(data), { chunkSize: 1000 }), (e: unknown) => isImageError(e, 'DataLoss'));
  await assert.rejects(repo.pushBlob({ digest: sha(data), size: data.length + 1 }, open(data)), /has 5000 bytes, but 5001 were declared/);
  assert.equal(await repo.hasBlob(lie), null);
});

test('manifests: PUT returns the digest; GET by tag and digest verifies it; HEAD; mediaType', async () => {
  const repo = client.repository(registry.host, 'test/app', ['pull', 'push']);
  const layer = randomBytes(2048);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  await repo.pushBlob({ digest: sha(layer), size: layer.length }, open(layer));
  await repo.pushBlob({ digest: sha(config), size: config.length }, open(config));
  const manifest = manifestFor(config, [layer]);
  const digest = await repo.putManifest('v1', MediaType.OciManifest, manifest);
  assert.equal(digest, sha(manifest));
  for (const ref of ['v1', digest]) {
    const got = await repo.getManifest(ref);
    assert.deepEqual(got.descriptor, { mediaType: MediaType.OciManifest, digest, size: manifest.length });
    assert.ok(got.bytes.equals(manifest), 'byte-identical');
    assert.deepEqual(await repo.headManifest(ref), { mediaType: MediaType.OciManifest, digest, size: manifest.length });
  }
  assert.equal(await repo.headManifest('nope'), null);
  // An index pushed by digest comes back with its own media type.
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest, size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } }] }));
  assert.equal(await repo.putManifest(sha(index), MediaType.OciIndex, index), sha(index));
  assert.equal((await repo.getManifest(sha(index))).descriptor.mediaType, MediaType.OciIndex);
  await assert.rejects(repo.putManifest(sha(Buffer.from('x')), MediaType.OciIndex, index), /hash to sha256:/);
  await assert.rejects(repo.getManifest('bad tag!'), (e: unknown) => isImageError(e, 'InvalidArgument'));
});

test('unknown tag, unknown digest, unknown repository and missing blob give NotFound messages', async () => {
  const repo = client.repository(registry.host, 'test/app', ['pull']);
  await assert.rejects(repo.getManifest('nope'), (e: unknown) => isImageError(e, 'NotFound') && e.message === `${registry.host}/test/app:nope: manifest unknown`);
  const zero = `sha256:${'0'.repeat(64)}` as Digest;
  await assert.rejects(repo.getManifest(zero), (e: unknown) => isImageError(e, 'NotFound') && e.message.startsWith(`${registry.host}/test/app@${zero}: `));
  await assert.rejects(client.repository(registry.host, 'no/such', ['pull']).getManifest('v1'), (e: unknown) => isImageError(e, 'NotFound') && /no\/such:v1: (manifest unknown|repository name not known)/.test(e.message));
  await assert.rejects(repo.getBlob(zero), (e: unknown) => isImageError(e, 'NotFound') && e.message.startsWith(`${registry.host}/test/app@${zero}: blob unknown`));
});

test('Range resume returns exactly the remaining bytes', async () => {
  const repo = client.repository(registry.host, 'test/range', ['pull', 'push']);
  const data = randomBytes(1 << 20);
  await repo.pushBlob({ digest: sha(data), size: data.length }, open(data));
  for (const offset of [1, 4096, 777_777, data.length - 1]) {
    const got = await repo.getBlob(sha(data), { offset });
    assert.equal(got.offset, offset);
    assert.equal(got.size, data.length, 'total size from Content-Range');
    assert.ok((await readAll(got.stream)).equals(data.subarray(offset)), `from ${offset}`);
  }
  await assert.rejects(repo.getBlob(sha(data), { offset: data.length + 10 }), /cannot resume at byte/);
});

test('cross-repository mount returns mounted; an unknown source falls back to an upload', async () => {
  const src = client.repository(registry.host, 'team/base', ['pull', 'push']);
  const dst = client.repository(registry.host, 'team/derived', ['pull', 'push']);
  const data = randomBytes(50_000);
  await src.pushBlob({ digest: sha(data), size: data.length }, open(data));
  let opened = 0;
  const counting = () => { opened++; return open(data)(); };
  assert.equal(await dst.pushBlob({ digest: sha(data), size: data.length }, counting, { mountFrom: 'team/base' }), 'mounted');
  assert.equal(opened, 0, 'no bytes sent');
  assert.equal(await dst.hasBlob(sha(data)), data.length);
  const other = randomBytes(1000);
  assert.equal(await dst.pushBlob({ digest: sha(other), size: other.length }, open(other), { mountFrom: 'team/nothing' }), 'uploaded');
  assert.equal(await dst.hasBlob(sha(other)), other.length);
});

test('tags: all of them sorted; n and last page through them', async () => {
  const repo = client.repository(registry.host, 'test/tags', ['pull', 'push']);
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  await repo.pushBlob({ digest: sha(config), size: config.length }, open(config));
  const manifest = manifestFor(config, []);
  const tags = ['b', 'a', 'v1.0', 'latest', 'v2.0', 'c'];
  for (const t of tags) await repo.putManifest(t, MediaType.OciManifest, manifest);
  const sorted = [...tags].sort();
  assert.deepEqual(await repo.listTags(), sorted);
  const pages: string[][] = [];
  for (let last: string | undefined; ; ) {
    const page = await repo.listTags({ n: 4, ...(last ? { last } : {}) });
    if (!page.length) break;
    pages.push(page);
    last = page.at(-1);
  }
  assert.deepEqual(pages, [sorted.slice(0, 4), sorted.slice(4)]);
  await assert.rejects(client.repository(registry.host, 'test/none', ['pull']).listTags(), (e: unknown) => isImageError(e, 'NotFound'));
});

test('manifest delete (enabled) and the clear error when the registry forbids deletes', async () => {
  const repo = client.repository(registry.host, 'test/del', ['pull', 'push', 'delete']);
  const config = Buffer.from('{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  await repo.pushBlob({ digest: sha(config), size: config.length }, open(config));
  const digest = await repo.putManifest('gone', MediaType.OciManifest, manifestFor(config, []));
  await repo.deleteManifest(digest);
  await assert.rejects(repo.getManifest(digest), (e: unknown) => isImageError(e, 'NotFound'));

  const strict = await startRegistry();
  try {
    const r = client.repository(strict.host, 'test/del', ['pull', 'push', 'delete']);
    await r.pushBlob({ digest: sha(config), size: config.length }, open(config));
    const d = await r.putManifest('kept', MediaType.OciManifest, manifestFor(config, []));
    await assert.rejects(r.deleteManifest(d), (e: unknown) =>
      isImageError(e, 'FailedPrecondition') && e.message === `${strict.host}: registry does not allow deletes (start it with REGISTRY_STORAGE_DELETE_ENABLED=true)`);
  } finally {
    await strict.stop();
  }
});

test('ping answers for a registry; invalid names are refused before any request', async () => {
  await client.ping(registry.host);
  assert.throws(() => client.repository(registry.host, 'Upper/Case', ['pull']), (e: unknown) => isImageError(e, 'InvalidArgument'));
  assert.throws(() => client.repository('bad host', 'a', ['pull']), /invalid registry host/);
});
