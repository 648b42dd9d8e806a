// berth pull / push against Debian's docker-registry (distribution 2.8) started here, with images made and
// checked by skopeo: digests identical both ways, shared layers not fetched twice, layers unpacked into
// overlay snapshots that run under the runtime, and the errors users meet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { startProxy } from '../../fixtures/registry-proxy.js';
import { makeOciLayout, skopeoPull, skopeoPush, type LayoutImage } from '../../fixtures/oci-image.js';
import { ImageHarness } from './harness.js';
import { tarOf } from '../../fixtures/layer-tars.js';
import { openImageContext } from '../../../src/image/context.js';

if (process.getuid?.() !== 0) throw new Error('image integration tests need root (the CI runs them as root)');

const h = new ImageHarness();
let registry: TestRegistry;
let app: LayoutImage;
let other: LayoutImage;

before(async () => {
  registry = await startRegistry();
  const base = makeBusyboxRootfs(path.join(h.tmp, 'l-base'));
  const layer2 = path.join(h.tmp, 'l-app');
  fs.mkdirSync(path.join(layer2, 'app'), { recursive: true });
  fs.mkdirSync(path.join(layer2, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(layer2, 'app/hello.txt'), 'hello from layer 2\n');
  fs.writeFileSync(path.join(layer2, 'etc/.wh.group'), ''); // deletes the base layer's /etc/group
  const layer3 = path.join(h.tmp, 'l-other');
  fs.mkdirSync(path.join(layer3, 'other'), { recursive: true });
  fs.writeFileSync(path.join(layer3, 'other/data.bin'), Buffer.alloc(300_000, 7));
  app = makeOciLayout(path.join(h.tmp, 'oci-app'), [base, layer2], { cmd: ['cat', '/app/hello.txt'] });
  other = makeOciLayout(path.join(h.tmp, 'oci-other'), [base, layer3]);
  skopeoPush(app, `${registry.host}/test/app:v1`);
  skopeoPush(other, `${registry.host}/test/other:v1`);
});

after(async () => {
  await registry?.stop();
  h.cleanup();
});

test('pull an image skopeo pushed: same digests, layers listed, Docker-shaped inspect', async () => {
  const r = await h.berth(['pull', `${registry.host}/test/app:v1`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /v1: Pulling from test\/app/);
  assert.match(r.stdout, new RegExp(`${app.layerDigests[1]!.slice(7, 19)}: Pull complete`));
  assert.match(r.stdout, new RegExp(`Digest: ${app.manifestDigest}`));
  assert.match(r.stdout, new RegExp(`Status: Downloaded newer image for ${registry.host}/test/app:v1`));
  assert.equal(r.stdout.trim().split('\n').pop(), `${registry.host}/test/app:v1`);

  const ins = await h.berth(['image', 'inspect', `${registry.host}/test/app:v1`]);
  assert.equal(ins.status, 0, ins.stderr);
  const [doc] = JSON.parse(ins.stdout);
  assert.equal(doc.Id, app.configDigest);
  assert.deepEqual(doc.RootFS, { Type: 'layers', Layers: app.diffIds });
  assert.deepEqual(doc.RepoTags, [`${registry.host}/test/app:v1`]);
  assert.deepEqual(doc.RepoDigests, [`${registry.host}/test/app@${app.manifestDigest}`]);
  assert.deepEqual(doc.Config.Cmd, ['cat', '/app/hello.txt']);
  assert.equal(doc.Os, 'linux');

  const ls = await h.berth(['images', '--format', 'json']);
  const rows = ls.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => [x.Repository, x.Tag, x.ID]), [[`${registry.host}/test/app`, 'v1', app.configDigest.slice(7, 19)]]);
  const table = await h.berth(['images']);
  assert.match(table.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);

  const again = await h.berth(['pull', `${registry.host}/test/app:v1`]);
  assert.match(again.stdout, /Status: Image is up to date/);
  assert.deepEqual(h.checkContentStore().ingests, []);
});

test('push: skopeo copies what Berth pushed with identical digests; a second tag mounts blobs', async () => {
  const tag = await h.berth(['tag', `${registry.host}/test/app:v1`, `${registry.host}/team/copy:v2`]);
  assert.equal(tag.status, 0, tag.stderr);
  const push = await h.berth(['push', `${registry.host}/team/copy:v2`]);
  assert.equal(push.status, 0, push.stderr);
  assert.match(push.stdout, /The push refers to repository \[.*\/team\/copy\]/);
  assert.match(push.stdout, /Mounted from test\/app/);
  assert.match(push.stdout, new RegExp(`v2: digest: ${app.manifestDigest} size: \\d+`));
  const pulled = skopeoPull(`${registry.host}/team/copy:v2`, path.join(h.tmp, 'skopeo-out'), 'v2');
  assert.equal(pulled.manifestDigest, app.manifestDigest);
  assert.deepEqual(pulled.manifest.layers.map((l) => l.digest), app.layerDigests);
  assert.equal(pulled.manifest.config.digest, app.configDigest);
});

test('a second image sharing the base layer downloads only the missing blobs', async () => {
  const proxy = await startProxy(registry.host);
  try {
    const r = await h.berth(['pull', `${proxy.host}/test/other:v1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${other.layerDigests[0]!.slice(7, 19)}: Already exists`));
    const blobGets = proxy.requests.filter((q) => q.method === 'GET' && q.url.includes('/blobs/sha256:')).map((q) => q.url.split('/blobs/')[1]);
    assert.deepEqual(blobGets.sort(), [other.configDigest, other.layerDigests[1]!].sort());
  } finally {
    await proxy.stop();
  }
});

test('bad references, unknown tags, wrong digests and unreachable registries give clear errors', async () => {
  const cases: [string[], RegExp][] = [
    [['pull', 'Team/App'], /invalid reference format: repository name must be lowercase/],
    [['pull', `${registry.host}/test/app:nope`], /manifest unknown/i],
    [['pull', `${registry.host}/test/app@sha256:${'0'.repeat(64)}`], /manifest unknown|not found/i],
    [['pull', '127.0.0.1:1/x/y:z'], /cannot reach registry 127\.0\.0\.1:1/],
    [['push', 'never/pulled:1'], /An image does not exist locally with the tag: never\/pulled:1/],
    [['rmi', 'never/pulled:1'], /No such image: never\/pulled:1/],
  ];
  for (const [args, want] of cases) {
    const r = await h.berth(args);
    assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
    assert.match(r.stderr, want, args.join(' '));
  }
  assert.deepEqual(h.checkContentStore().ingests, []);
});

test('a hostile layer from a registry is refused; nothing is written outside and nothing is named', async () => {
  const outside = path.join(h.tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep'), 'original\n');
  const evil = await tarOf([{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/keep', content: 'pwned\n' }]);
  const image = makeOciLayout(path.join(h.tmp, 'oci-evil'), [path.join(h.tmp, 'l-base'), evil]);
  skopeoPush(image, `${registry.host}/test/evil:1`);
  const r = await h.berth(['pull', `${registry.host}/test/evil:1`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`layer ${image.layerDigests[1]}: .*layer entry "evil/keep": parent "evil" is a symlink`));
  assert.equal(fs.readFileSync(path.join(outside, 'keep'), 'utf8'), 'original\n');
  assert.deepEqual(fs.readdirSync(outside), ['keep']);
  const ls = await h.berth(['images', '--format', 'json']);
  assert.ok(!ls.stdout.includes('test/evil'), 'the image was not named');
  const ctx = await openImageContext({ root: h.root });
  assert.deepEqual((await ctx.snapshots.list()).filter((s) => s.kind !== 'committed'), [], 'no extract snapshot left');
});
