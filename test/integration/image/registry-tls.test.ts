// TLS to a real docker-registry serving a certificate from a throwaway CA: trusted through the certs.d
// directory, refused with a clear error naming the host and the fix without it, and accepted unverified
// only when the host is listed as insecure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { createRegistryClient, type RegistryClient } from '../../../src/image/registry/client.js';
import { isImageError } from '../../../src/image/errors.js';
import type { Digest } from '../../../src/image/digest.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;

let registry: TestRegistry;
let emptyCerts: string;
const clients: RegistryClient[] = [];
const make = (o: Parameters<typeof createRegistryClient>[0]) => {
  const c = createRegistryClient({ retryBaseDelayMs: 10, ...o });
  clients.push(c);
  return c;
};
before(async () => {
  registry = await startRegistry({ tls: true, auth: 'htpasswd', users: { tls: 'pw' } });
  emptyCerts = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-nocerts-'));
});
after(async () => {
  for (const c of clients) c.close();
  await registry?.stop();
  if (emptyCerts) fs.rmSync(emptyCerts, { recursive: true, force: true });
});

test('the fixture lays out certs.d as Docker does', () => {
  assert.ok(registry.certsDir);
  assert.ok(fs.readFileSync(path.join(registry.certsDir!, registry.host, 'ca.crt'), 'utf8').includes('BEGIN CERTIFICATE'));
});

test('with the CA in the certs directory: HTTPS with basic auth round-trips a blob', async () => {
  const c = make({ certsDirs: [registry.certsDir!], credentials: async () => ({ username: 'tls', password: 'pw' }) });
  const repo = c.repository(registry.host, 'secure/app', ['pull', 'push']);
  const data = randomBytes(64_000);
  assert.equal(await repo.pushBlob({ digest: sha(data), size: data.length }, () => Readable.from([data])), 'uploaded');
  const got = await repo.getBlob(sha(data));
  const parts: Buffer[] = [];
  for await (const chunk of got.stream) parts.push(chunk as Buffer);
  assert.ok(Buffer.concat(parts).equals(data));
  await c.ping(registry.host);
});

test('without the CA: a clear error naming the host, where to put the CA, and --insecure-registry', async () => {
  const c = make({ certsDirs: [emptyCerts], credentials: async () => ({ username: 'tls', password: 'pw' }) });
  await assert.rejects(c.repository(registry.host, 'secure/app', ['pull']).getManifest('v1'), (e: unknown) =>
    isImageError(e, 'Unavailable') &&
    e.message.startsWith(`registry ${registry.host}: TLS certificate verification failed`) &&
    e.message.includes(`put the registry's CA certificate in ${emptyCerts}/${registry.host}/ca.crt`) &&
    e.message.includes(`--insecure-registry ${registry.host}`));
  // The default directories are named when none are configured.
  const saved = process.env['BERTH_CERTS_DIR'];
  delete process.env['BERTH_CERTS_DIR'];
  try {
    const d = make({});
    await assert.rejects(d.ping(registry.host), (e: unknown) => isImageError(e) && e.message.includes(`/etc/berth/certs.d/${registry.host}/ca.crt`));
  } finally {
    if (saved !== undefined) process.env['BERTH_CERTS_DIR'] = saved;
  }
});

test('listed as insecure: the unverified certificate is accepted (Docker semantics)', async () => {
  const c = make({ certsDirs: [emptyCerts], insecureRegistries: [registry.host], credentials: async () => ({ username: 'tls', password: 'pw' }) });
  await c.ping(registry.host);
  assert.equal(await c.repository(registry.host, 'secure/app', ['pull']).hasBlob(sha(Buffer.from('none'))), null);
});
