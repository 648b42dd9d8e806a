// Authentication against a real docker-registry: htpasswd basic auth (right and wrong password, none), and
// the bearer-token flow through a token service in front of it (tokens cached per scope, read-only users
// refused pushes, anonymous callers sent to `berth login`, identity tokens via OAuth2 refresh).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { createRegistryClient, type RegistryClient } from '../../../src/image/registry/client.js';
import { isImageError } from '../../../src/image/errors.js';
import { MediaType } from '../../../src/image/media-types.js';
import type { Digest } from '../../../src/image/digest.js';
import type { Credentials } from '../../../src/image/registry/types.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;
const open = (b: Buffer) => () => Readable.from([b]);

const registries: TestRegistry[] = [];
const clients: RegistryClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const r of registries) await r.stop();
});
const clientWith = (creds?: Credentials) => {
  const c = createRegistryClient({ certsDirs: [], retryBaseDelayMs: 10, credentials: async () => creds });
  clients.push(c);
  return c;
};

/** Pushes one small image (layer, config, manifest) and returns its parts. */
async function pushImage(c: RegistryClient, host: string, repoName: string, tag: string) {
  const repo = c.repository(host, repoName, ['pull', 'push']);
  const layer = randomBytes(10_000);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  await repo.pushBlob({ digest: sha(layer), size: layer.length }, open(layer));
  await repo.pushBlob({ digest: sha(config), size: config.length }, open(config));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
  }));
  const digest = await repo.putManifest(tag, MediaType.OciManifest, manifest);
  return { layer, config, manifest, digest };
}

test('htpasswd: the right password pushes and pulls; none → login hint; wrong → authentication failed', async () => {
  const reg = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret' } });
  registries.push(reg);
  const alice = clientWith({ username: 'alice', password: 's3cret' });
  const img = await pushImage(alice, reg.host, 'private/app', 'v1');
  const got = await alice.repository(reg.host, 'private/app', ['pull']).getManifest('v1');
  assert.equal(got.descriptor.digest, img.digest);
  await alice.ping(reg.host);

  const anon = clientWith();
  await assert.rejects(anon.repository(reg.host, 'private/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unauthorized') && e.message === `${reg.host}: authentication required — run \`berth login ${reg.host}\``);
  const wrong = clientWith({ username: 'alice', password: 'nope' });
  await assert.rejects(wrong.repository(reg.host, 'private/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unauthorized') && /authentication failed — check the username and password/.test(e.message));

  // ping with explicit credentials is what `berth login` does.
  await anon.ping(reg.host, { username: 'alice', password: 's3cret' });
  await assert.rejects(anon.ping(reg.host, { username: 'alice', password: 'bad' }), (e: unknown) => isImageError(e, 'Unauthorized'));
  await assert.rejects(anon.ping(reg.host), (e: unknown) => isImageError(e, 'Unauthorized') && /berth login/.test(e.message));
});

test('token flow: one token request serves many requests on the same scope; pulls and pushes work', async () => {
  const reg = await startRegistry({ auth: 'token', users: { bob: 'pw', reader: 'rpw' }, readOnlyUsers: ['reader'] });
  registries.push(reg);
  const tokens = reg.tokenServer!;
  const bob = clientWith({ username: 'bob', password: 'pw' });
  const img = await pushImage(bob, reg.host, 'tok/app', 'v1');
  const afterPush = tokens.requests;
  assert.ok(afterPush >= 1 && afterPush <= 2, `push needed ${afterPush} token requests`);
  assert.ok(tokens.log.every((r) => r.user === 'bob' && r.status === 200));

  const reader = bob.repository(reg.host, 'tok/app', ['pull']);
  const before = tokens.requests;
  for (let i = 0; i < 3; i++) {
    assert.equal((await reader.getManifest('v1')).descriptor.digest, img.digest);
    const blob = await reader.getBlob(sha(img.layer));
    for await (const _ of blob.stream) { /* drain */ }
    assert.equal(await reader.hasBlob(sha(img.config)), img.config.length);
  }
  assert.equal(tokens.requests - before, 1, 'nine pull requests, one token (cached for its scope)');
  const scopes = tokens.log.at(-1)!.scopes;
  assert.deepEqual(scopes, ['repository:tok/app:pull']);

  // Parallel requests on a fresh scope share one token fetch.
  const other = bob.repository(reg.host, 'tok/other', ['pull']);
  const n = tokens.requests;
  await Promise.all([1, 2, 3, 4].map(() => other.headManifest('x')));
  assert.equal(tokens.requests - n, 1, 'four parallel requests on a new scope share one token fetch');
});

test('token flow: a read-only user may pull but a push is PermissionDenied; anonymous and wrong passwords are refused', async () => {
  const reg = await startRegistry({ auth: 'token', users: { bob: 'pw', reader: 'rpw' }, readOnlyUsers: ['reader'] });
  registries.push(reg);
  const img = await pushImage(clientWith({ username: 'bob', password: 'pw' }), reg.host, 'tok/app', 'v1');

  const reader = clientWith({ username: 'reader', password: 'rpw' });
  assert.equal((await reader.repository(reg.host, 'tok/app', ['pull']).getManifest('v1')).descriptor.digest, img.digest);
  const data = randomBytes(100);
  await assert.rejects(
    reader.repository(reg.host, 'tok/app', ['pull', 'push']).pushBlob({ digest: sha(data), size: data.length }, open(data)),
    (e: unknown) => isImageError(e, 'PermissionDenied') && e.message.includes(`${reg.host}/tok/app`) && /insufficient_scope/.test(e.message),
  );
  await assert.rejects(
    reader.repository(reg.host, 'tok/app', ['pull', 'push']).putManifest('v2', MediaType.OciManifest, img.manifest),
    (e: unknown) => isImageError(e, 'PermissionDenied'),
  );

  await assert.rejects(clientWith().repository(reg.host, 'tok/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unauthorized') && e.message === `${reg.host}: authentication required — run \`berth login ${reg.host}\``);
  await assert.rejects(clientWith({ username: 'bob', password: 'wrong' }).repository(reg.host, 'tok/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unauthorized') && /authentication failed for user "bob"/.test(e.message));

  // Login-style ping: scope-less token with the given credentials.
  const anon = clientWith();
  await anon.ping(reg.host, { username: 'bob', password: 'pw' });
  await assert.rejects(anon.ping(reg.host, { username: 'bob', password: 'wrong' }), (e: unknown) => isImageError(e, 'Unauthorized'));
});

test('token flow with an identity token (OAuth2 refresh_token grant) and with a registry token', async () => {
  const reg = await startRegistry({ auth: 'token', users: { bob: 'pw' } });
  registries.push(reg);
  const img = await pushImage(clientWith({ username: 'bob', password: 'pw' }), reg.host, 'tok/id', 'v1');
  // Get a refresh token the way `docker login` would (offline_token=true).
  const realm = new URL(reg.tokenServer!.realm);
  realm.searchParams.set('service', 'berth-test-registry');
  realm.searchParams.set('offline_token', 'true');
  const res = await fetch(realm, { headers: { Authorization: `Basic ${Buffer.from('bob:pw').toString('base64')}` } });
  const { refresh_token: refresh } = (await res.json()) as { refresh_token: string };
  assert.ok(refresh);
  const byId = clientWith({ identityToken: refresh });
  assert.equal((await byId.repository(reg.host, 'tok/id', ['pull']).getManifest('v1')).descriptor.digest, img.digest);
  assert.equal(reg.tokenServer!.log.at(-1)!.method, 'POST');
  await assert.rejects(clientWith({ identityToken: 'forged' }).repository(reg.host, 'tok/id', ['pull']).getManifest('v1'), (e: unknown) => isImageError(e, 'Unauthorized'));
});
