// A pull killed with SIGKILL mid-download resumes with a Range request and completes, leaving a consistent
// store; registries with htpasswd basic auth and with a bearer-token service work through `berth login`,
// and refuse clearly without it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { startProxy } from '../../fixtures/registry-proxy.js';
import { makeOciLayout, skopeoPush } from '../../fixtures/oci-image.js';
import { ImageHarness } from './harness.js';

if (process.getuid?.() !== 0) throw new Error('image integration tests need root (the CI runs them as root)');

const h = new ImageHarness();
const registries: TestRegistry[] = [];
after(async () => {
  for (const r of registries) await r.stop();
  h.cleanup();
});

test('a pull killed mid-download resumes from where it stopped and the store stays consistent', async () => {
  const registry = await startRegistry();
  registries.push(registry);
  const big = path.join(h.tmp, 'l-big');
  fs.mkdirSync(big);
  fs.writeFileSync(path.join(big, 'random.bin'), randomBytes(12 << 20)); // incompressible
  const image = makeOciLayout(path.join(h.tmp, 'oci-big'), [big]);
  skopeoPush(image, `${registry.host}/big/img:1`);
  const proxy = await startProxy(registry.host, { bytesPerSecond: 3 << 20 });
  try {
    const name = `${proxy.host}/big/img:1`;
    const ingest = path.join(h.root, 'image/content/ingest');
    let pid = 0;
    const first = h.berth(['pull', name], { onSpawn: (p) => (pid = p) });
    let partial = 0;
    for (let i = 0; i < 400 && partial < 2 << 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      // An ingest can be committed (moved away) between listing and stat: small blobs finish at once.
      partial = fs.existsSync(ingest) ? fs.readdirSync(ingest).reduce((n, d) => n + (fs.statSync(path.join(ingest, d, 'data'), { throwIfNoEntry: false })?.size ?? 0), 0) : 0;
    }
    assert.ok(partial >= 2 << 20, 'the download started');
    process.kill(pid, 'SIGKILL');
    const killed = await first;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(h.checkContentStore().blobs < 3, true, 'the layer blob was not committed');

    const second = await h.berth(['pull', name]);
    assert.equal(second.status, 0, second.stderr);
    const layerGets = proxy.requests.filter((q) => q.method === 'GET' && q.url.endsWith(image.layerDigests[0]!));
    const resumed = layerGets.find((q) => typeof q.headers.range === 'string');
    assert.ok(resumed, 'the second pull asked for the rest with a Range request');
    assert.ok(Number(/bytes=(\d+)-/.exec(resumed!.headers.range as string)![1]) >= 2 << 20);
    const store = h.checkContentStore();
    assert.deepEqual(store.ingests, []);
    assert.equal(store.blobs, 3); // manifest, config, layer — each verified against its digest
    const ins = await h.berth(['image', 'inspect', '-f', '{{.Id}}', name]);
    assert.equal(ins.stdout.trim(), image.configDigest);
  } finally {
    await proxy.stop();
  }
});

test('htpasswd basic auth: refused without login, works after berth login, wrong password refused', async () => {
  const registry = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret' } });
  registries.push(registry);
  const base = makeBusyboxRootfs(path.join(h.tmp, 'l-auth'));
  const image = makeOciLayout(path.join(h.tmp, 'oci-auth'), [base]);
  const name = `${registry.host}/private/img:1`;

  const denied = await h.berth(['pull', name]);
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, new RegExp(`${registry.host.replace('.', '\\.')}.*authentication required.*berth login`));

  const wrong = await h.berth(['login', '-u', 'alice', '--password-stdin', registry.host], { input: 'nope\n' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /unauthorized|authentication|password/i);
  assert.ok(!fs.existsSync(path.join(h.dockerConfig, 'config.json')) || !fs.readFileSync(path.join(h.dockerConfig, 'config.json'), 'utf8').includes(registry.host));

  const ok = await h.berth(['login', '-u', 'alice', '--password-stdin', registry.host], { input: 's3cret\n' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, 'Login Succeeded\n');
  const cfg = JSON.parse(fs.readFileSync(path.join(h.dockerConfig, 'config.json'), 'utf8'));
  assert.equal(Buffer.from(cfg.auths[registry.host].auth, 'base64').toString(), 'alice:s3cret');

  // skopeo reads the same credentials file, as docker users expect.
  const sk = await h.run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-authfile', path.join(h.dockerConfig, 'config.json'), `oci:${image.dir}:${image.tag}`, `docker://${name}`]);
  assert.equal(sk.status, 0, sk.stderr);
  const pull = await h.berth(['pull', name]);
  assert.equal(pull.status, 0, pull.stderr);
  assert.equal((await h.berth(['tag', name, `${registry.host}/private/copy:2`])).status, 0);
  const push = await h.berth(['push', `${registry.host}/private/copy:2`]);
  assert.equal(push.status, 0, push.stderr);

  const out = await h.berth(['logout', registry.host]);
  assert.equal(out.stdout, `Removing login credentials for ${registry.host}\n`);
  assert.ok(!JSON.parse(fs.readFileSync(path.join(h.dockerConfig, 'config.json'), 'utf8')).auths?.[registry.host]);
});

test('bearer-token flow: token service in front of the registry; a read-only user cannot push', async () => {
  const registry = await startRegistry({ auth: 'token', users: { bob: 'pw', reader: 'pw' }, readOnlyUsers: ['reader'] });
  registries.push(registry);
  const layer = path.join(h.tmp, 'l-token');
  fs.mkdirSync(layer);
  fs.writeFileSync(path.join(layer, 'f.txt'), 'token\n');
  const image = makeOciLayout(path.join(h.tmp, 'oci-token'), [layer]);
  const name = `${registry.host}/tok/img:1`;
  const cfgDir = path.join(h.tmp, 'cfg-bob');
  fs.mkdirSync(cfgDir);
  const bob = { DOCKER_CONFIG: cfgDir };
  assert.equal((await h.berth(['login', '-u', 'bob', '--password-stdin', registry.host], { input: 'pw', env: bob })).status, 0);
  // skopeo pushes through the same token service; Berth pulls it and pushes a copy.
  const sk = await h.run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'bob:pw', `oci:${image.dir}:${image.tag}`, `docker://${name}`]);
  assert.equal(sk.status, 0, sk.stderr);
  const pull = await h.berth(['pull', name], { env: bob });
  assert.equal(pull.status, 0, pull.stderr);
  assert.equal((await h.berth(['tag', name, `${registry.host}/tok/again:1`], { env: bob })).status, 0);
  const push = await h.berth(['push', `${registry.host}/tok/again:1`], { env: bob });
  assert.equal(push.status, 0, push.stderr);

  const readerDir = path.join(h.tmp, 'cfg-reader');
  fs.mkdirSync(readerDir);
  const reader = { DOCKER_CONFIG: readerDir };
  assert.equal((await h.berth(['login', '-u', 'reader', '--password-stdin', registry.host], { input: 'pw', env: reader })).status, 0);
  const denied = await h.berth(['push', `${registry.host}/tok/again:1`], { env: reader });
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /denied|permission|insufficient_scope|unauthorized/i);
});
