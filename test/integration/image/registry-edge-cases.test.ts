// Registry behaviour docker-registry does not show on demand, from small in-process HTTP servers on
// 127.0.0.1: Link pagination, lying or oversized manifests, Retry-After, restarted uploads, servers that
// ignore Range, cross-host redirects (credentials dropped), stalled bodies, and the remembered HTTP fallback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../../../src/image/registry/client.js';
import { isImageError } from '../../../src/image/errors.js';
import { MediaType } from '../../../src/image/media-types.js';
import type { Digest } from '../../../src/image/digest.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => unknown;
interface Fake { host: string; requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[]; clientErrors: number }

const servers: http.Server[] = [];
const clients: RegistryClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function fake(handler: Handler): Promise<Fake> {
  const f: Fake = { host: '', requests: [], clientErrors: 0 };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      f.requests.push({ method: req.method!, url: req.url!, headers: req.headers });
      handler(req, res, Buffer.concat(parts));
    });
  });
  server.on('clientError', (_e, socket) => {
    f.clientErrors++;
    socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  f.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return f;
}
const client = (o: RegistryClientOptions = {}) => {
  const c = createRegistryClient({ certsDirs: [], retryBaseDelayMs: 5, ...o });
  clients.push(c);
  return c;
};
const json = (res: http.ServerResponse, status: number, doc: unknown, headers: http.OutgoingHttpHeaders = {}) => {
  const body = Buffer.from(JSON.stringify(doc));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers });
  res.end(body);
};

test('tags: Link pagination is followed; n stops early', async () => {
  const all = ['e', 'a', 'd', 'b', 'c'].sort();
  const f = await fake((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const n = Number(u.searchParams.get('n') ?? 2);
    const last = u.searchParams.get('last');
    const from = last ? all.indexOf(last) + 1 : 0;
    const page = all.slice(from, from + n);
    const more = from + n < all.length;
    json(res, 200, { name: 'p/q', tags: page }, more ? { Link: `</v2/p/q/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"` } : {});
  });
  const repo = client().repository(f.host, 'p/q', ['pull']);
  assert.deepEqual(await repo.listTags(), all);
  assert.equal(f.requests.length, 3, 'three pages of two');
  f.requests.length = 0;
  assert.deepEqual(await repo.listTags({ n: 2, last: 'a' }), ['b', 'c']);
  assert.deepEqual(f.requests.map((r) => r.url), ['/v2/p/q/tags/list?n=2&last=a']);
});

test('manifests: bytes that do not match the digest, a lying Docker-Content-Digest, and oversize are refused', async () => {
  const doc = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: MediaType.OciConfig, digest: sha(Buffer.from('c')), size: 1 }, layers: [] }));
  const f = await fake((req, res) => {
    if (req.url!.endsWith('/huge')) {
      res.writeHead(200, { 'Content-Type': MediaType.OciManifest, 'Content-Length': 5 << 20 });
      return res.end();
    }
    if (req.url!.endsWith('/chunked')) {
      res.writeHead(200, { 'Content-Type': MediaType.OciManifest });
      return res.end(Buffer.alloc(5 << 20, 0x20));
    }
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': doc.length };
    if (req.url!.endsWith('/liar')) headers['Docker-Content-Digest'] = sha(Buffer.from('other'));
    res.writeHead(200, headers);
    return res.end(req.method === 'HEAD' ? undefined : doc);
  });
  const repo = client().repository(f.host, 'm/x', ['pull']);
  const wrong = sha(Buffer.from('wanted'));
  await assert.rejects(repo.getManifest(wrong), (e: unknown) => isImageError(e, 'DataLoss') && e.message === `${f.host}/m/x@${wrong}: the registry sent a manifest whose digest is ${sha(doc)} — refusing it`);
  await assert.rejects(repo.getManifest('liar'), (e: unknown) => isImageError(e, 'DataLoss') && /says the manifest is/.test(e.message));
  await assert.rejects(repo.getManifest('huge'), (e: unknown) => isImageError(e, 'InvalidArgument') && /more than the 4194304-byte limit/.test(e.message));
  await assert.rejects(repo.getManifest('chunked'), (e: unknown) => isImageError(e, 'InvalidArgument') && /larger than 4194304 bytes/.test(e.message));
  // Content-Type application/json: the media type comes from the document's shape; HEAD without a digest header falls back to GET.
  const ok = await repo.getManifest(sha(doc));
  assert.equal(ok.descriptor.mediaType, MediaType.OciManifest);
  assert.deepEqual(await repo.headManifest('v1'), { mediaType: MediaType.OciManifest, digest: sha(doc), size: doc.length });
});

test('429 with Retry-After and 500s are retried; 404 and 400 are not', async () => {
  let calls = 0;
  const f = await fake((req, res) => {
    calls++;
    if (req.url!.includes('/missing')) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    if (req.url!.includes('/bad')) return json(res, 400, { errors: [{ code: 'TAG_INVALID', message: 'bad' }] });
    if (calls === 1) return json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'Retry-After': '0' });
    if (calls === 2) return json(res, 500, {});
    json(res, 200, { tags: ['x'] });
  });
  const repo = client().repository(f.host, 'r/t', ['pull']);
  assert.deepEqual(await repo.listTags(), ['x']);
  assert.equal(calls, 3);
  calls = 10;
  await assert.rejects(repo.getManifest('missing'), (e: unknown) => isImageError(e, 'NotFound'));
  await assert.rejects(repo.getManifest('bad'), (e: unknown) => isImageError(e, 'NotFound'));
  assert.equal(calls, 12, 'one request each');
});

test('an upload that fails with 500 is restarted from a new session', async () => {
  const data = randomBytes(10_000);
  let puts = 0;
  const f = await fake((req, res, body) => {
    if (req.method === 'HEAD') return json(res, 404, {});
    if (req.method === 'POST') return json(res, 202, {}, { Location: `/v2/u/p/blobs/uploads/${f.requests.length}?_state=x` });
    if (req.method === 'PUT') {
      puts++;
      if (puts === 1) return json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'disk hiccup' }] });
      assert.equal(new URL(req.url!, 'http://x').searchParams.get('digest'), sha(data));
      assert.equal(new URL(req.url!, 'http://x').searchParams.get('_state'), 'x', 'Location query kept');
      assert.ok(body.equals(data));
      return json(res, 201, {}, { 'Docker-Content-Digest': sha(data) });
    }
    return json(res, 405, {});
  });
  let opened = 0;
  const result = await client().repository(f.host, 'u/p', ['pull', 'push']).pushBlob({ digest: sha(data), size: data.length }, () => {
    opened++;
    return Readable.from([data]);
  });
  assert.equal(result, 'uploaded');
  assert.equal(opened, 2);
  assert.deepEqual(f.requests.map((r) => r.method), ['HEAD', 'POST', 'PUT', 'POST', 'PUT']);
});

test('a server that ignores Range: the stream starts at 0 and says so', async () => {
  const data = randomBytes(5000);
  const f = await fake((_req, res) => {
    res.writeHead(200, { 'Content-Length': data.length });
    res.end(data);
  });
  const got = await client().repository(f.host, 'g/r', ['pull']).getBlob(sha(data), { offset: 100 });
  assert.equal(got.offset, 0);
  assert.equal(got.size, data.length);
  const parts: Buffer[] = [];
  for await (const c of got.stream) parts.push(c as Buffer);
  assert.ok(Buffer.concat(parts).equals(data));
  assert.equal(f.requests[0]!.headers.range, 'bytes=100-');
});

test('a redirect to another host drops Authorization (as Docker does)', async () => {
  const data = randomBytes(1000);
  const storage = await fake((_req, res) => {
    res.writeHead(200, { 'Content-Length': data.length });
    res.end(data);
  });
  const reg = await fake((req, res) => {
    if (!req.headers.authorization) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'WWW-Authenticate': 'Basic realm="r"' });
    res.writeHead(307, { Location: `http://${storage.host}/bucket/blob?sig=1`, 'Content-Length': 0 });
    res.end();
  });
  const got = await client({ credentials: async () => ({ username: 'u', password: 'p' }) }).repository(reg.host, 'x/y', ['pull']).getBlob(sha(data));
  for await (const _ of got.stream) { /* drain */ }
  assert.match(String(reg.requests.at(-1)!.headers.authorization), /^Basic /);
  assert.deepEqual(storage.requests.map((r) => [r.url, r.headers.authorization]), [['/bucket/blob?sig=1', undefined]]);
});

test('Basic auth is retried once; a 401 without a challenge is Unauthorized', async () => {
  const f = await fake((req, res) => {
    if (req.url!.includes('nochallenge')) return json(res, 401, {});
    json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'WWW-Authenticate': 'Basic realm="r"' });
  });
  const c = client({ credentials: async () => ({ username: 'u', password: 'bad' }) });
  await assert.rejects(c.repository(f.host, 'a/b', ['pull']).getManifest('v1'), (e: unknown) => isImageError(e, 'Unauthorized') && /authentication failed/.test(e.message));
  assert.equal(f.requests.length, 2);
  await assert.rejects(client().repository(f.host, 'nochallenge', ['pull']).getManifest('v1'), (e: unknown) => isImageError(e, 'Unauthorized') && /berth login/.test(e.message));
});

test('a body that stalls fails with Unavailable instead of hanging', async () => {
  const f = await fake((_req, res) => {
    res.writeHead(200, { 'Content-Length': 1000 });
    res.write(Buffer.alloc(10));
  });
  const got = await client({ timeoutMs: 300 }).repository(f.host, 's/t', ['pull']).getBlob(sha(Buffer.from('x')));
  await assert.rejects(
    (async () => { for await (const _ of got.stream) { /* wait */ } })(),
    (e: unknown) => isImageError(e, 'Unavailable') && e.message === `cannot reach registry ${f.host}: timed out (no data for 300 ms)`,
  );
});

test('loopback plain HTTP: HTTPS is tried once per host, then HTTP is remembered', async () => {
  const f = await fake((_req, res) => json(res, 200, {}));
  const c = client();
  for (let i = 0; i < 5; i++) await c.ping(f.host);
  assert.equal(f.clientErrors, 1, 'one TLS hello, then plain HTTP only');
  assert.equal(f.requests.length, 5);
});
