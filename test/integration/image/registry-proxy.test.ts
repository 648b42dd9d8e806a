// The registry client through the test proxy in front of a real docker-registry: blob redirects are
// followed (credentials kept on the same host), 503s are retried and then reported, slow bodies stream, and
// an unreachable registry is a clear Unavailable error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { freePort, startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { REDIRECT_PREFIX, startProxy, type TestProxy } from '../../fixtures/registry-proxy.js';
import { createRegistryClient, type RegistryClient } from '../../../src/image/registry/client.js';
import { isImageError } from '../../../src/image/errors.js';
import { MediaType } from '../../../src/image/media-types.js';
import type { Digest } from '../../../src/image/digest.js';
import type { Credentials } from '../../../src/image/registry/types.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;
const open = (b: Buffer) => () => Readable.from([b]);
async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

let registry: TestRegistry;
let authed: TestRegistry;
const layer = randomBytes(300_000);
const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: MediaType.OciManifest,
  config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
  layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
}));
const proxies: TestProxy[] = [];
const clients: RegistryClient[] = [];
const client = (creds?: Credentials, retries?: number) => {
  const c = createRegistryClient({ certsDirs: [], retryBaseDelayMs: 5, credentials: async () => creds, ...(retries !== undefined ? { retries } : {}) });
  clients.push(c);
  return c;
};
const proxy = async (target: string, opts?: Parameters<typeof startProxy>[1]) => {
  const p = await startProxy(target, opts);
  proxies.push(p);
  return p;
};

async function seed(reg: TestRegistry, creds?: Credentials) {
  const repo = client(creds).repository(reg.host, 'px/app', ['pull', 'push']);
  await repo.pushBlob({ digest: sha(layer), size: layer.length }, open(layer));
  await repo.pushBlob({ digest: sha(config), size: config.length }, open(config));
  await repo.putManifest('v1', MediaType.OciManifest, manifest);
}

before(async () => {
  registry = await startRegistry();
  authed = await startRegistry({ auth: 'htpasswd', users: { pat: 'pw' } });
  await seed(registry);
  await seed(authed, { username: 'pat', password: 'pw' });
});
after(async () => {
  for (const c of clients) c.close();
  for (const p of proxies) await p.stop();
  await registry?.stop();
  await authed?.stop();
});

test('blob GETs answered with 307 are followed; the bytes are right; the proxy saw both requests', async () => {
  const p = await proxy(registry.host, { redirectBlobs: true });
  const repo = client().repository(p.host, 'px/app', ['pull']);
  const got = await repo.getBlob(sha(layer));
  assert.ok((await readAll(got.stream)).equals(layer));
  const blobPath = `/v2/px/app/blobs/${sha(layer)}`;
  const seen = p.requests.filter((r) => r.url.endsWith(blobPath)).map((r) => [r.method, r.url, r.status]);
  assert.deepEqual(seen, [['GET', blobPath, 307], ['GET', `${REDIRECT_PREFIX}${blobPath}`, 200]]);
  // Range survives the redirect.
  const resumed = await repo.getBlob(sha(layer), { offset: 1000 });
  assert.equal(resumed.offset, 1000);
  assert.ok((await readAll(resumed.stream)).equals(layer.subarray(1000)));
  assert.equal(p.requests.at(-1)!.headers['range'], 'bytes=1000-');
});

test('a same-host redirect keeps the credentials', async () => {
  const p = await proxy(authed.host, { redirectBlobs: true });
  const repo = client({ username: 'pat', password: 'pw' }).repository(p.host, 'px/app', ['pull']);
  assert.ok((await readAll((await repo.getBlob(sha(layer))).stream)).equals(layer));
  // The first attempt is anonymous (401 teaches the client the challenge); the one that succeeds carries Basic.
  const redirected = p.requests.filter((r) => r.url.startsWith(REDIRECT_PREFIX));
  assert.equal(redirected.at(-1)!.status, 200);
  assert.match(String(redirected.at(-1)!.headers['authorization']), /^Basic /);
});

test('503s are retried with backoff and the request then succeeds; uploads too', async () => {
  const p = await proxy(registry.host, { failFirst: 3 });
  const c = client();
  const got = await c.repository(p.host, 'px/app', ['pull']).getManifest('v1');
  assert.ok(got.bytes.equals(manifest));
  assert.deepEqual(p.requests.map((r) => r.status), [503, 503, 503, 200], 'three failures, then the answer');

  const p2 = await proxy(registry.host, { failFirst: 2 });
  const data = randomBytes(20_000);
  assert.equal(await client().repository(p2.host, 'px/up', ['pull', 'push']).pushBlob({ digest: sha(data), size: data.length }, open(data)), 'uploaded');
  assert.equal(await client().repository(registry.host, 'px/up', ['pull']).hasBlob(sha(data)), data.length);
});

test('503s beyond the retry budget are an Unavailable error naming the registry', async () => {
  const p = await proxy(registry.host, { failFirst: 100 });
  await assert.rejects(client(undefined, 2).repository(p.host, 'px/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unavailable') && e.message.startsWith(`${p.host}: registry error HTTP 503`));
  assert.equal(p.requests.length, 3, 'first try plus two retries');
});

test('a throttled body streams through intact', async () => {
  const p = await proxy(registry.host, { bytesPerSecond: 2 << 20 });
  const got = await client().repository(p.host, 'px/app', ['pull']).getBlob(sha(layer));
  assert.equal(got.size, layer.length);
  assert.ok((await readAll(got.stream)).equals(layer));
});

test('an unreachable registry: Unavailable, "cannot reach registry HOST: connection refused"', async () => {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  await assert.rejects(client(undefined, 1).repository(host, 'a/b', ['pull']).getManifest('latest'), (e: unknown) =>
    isImageError(e, 'Unavailable') && e.message === `cannot reach registry ${host}: connection refused`);
  await assert.rejects(client(undefined, 0).ping(host), /cannot reach registry .*: connection refused/);
});
