// An image pulled through the overlay snapshotter becomes a container's root filesystem and runs under
// berth-runtime; rmi refuses an image in use, untags and deletes the Docker way; prune and GC leave no
// unreferenced snapshot or blob.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { makeOciLayout, skopeoPush, type LayoutImage } from '../../fixtures/oci-image.js';
import { openImageContext } from '../../../src/image/context.js';
import { prepareRootfs } from '../../../src/image/ops/rootfs.js';
import { mountAll, unmountAll } from '../../../src/image/snapshot/mount.js';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { ImageHarness } from './harness.js';

if (process.getuid?.() !== 0) throw new Error('image integration tests need root (the CI runs them as root)');

const h = new ImageHarness();
let registry: TestRegistry;
let app: LayoutImage;
const cgroupParent = `berth-test-${process.pid}`;

before(async () => {
  registry = await startRegistry();
  const base = makeBusyboxRootfs(path.join(h.tmp, 'l-base'));
  const layer2 = path.join(h.tmp, 'l-app');
  fs.mkdirSync(path.join(layer2, 'app'), { recursive: true });
  fs.mkdirSync(path.join(layer2, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(layer2, 'app/hello.txt'), 'hello from layer 2\n');
  fs.writeFileSync(path.join(layer2, 'etc/.wh.group'), '');
  app = makeOciLayout(path.join(h.tmp, 'oci-app'), [base, layer2], { cmd: ['sh', '-c', 'cat /app/hello.txt; ls /etc; echo written > /tmp/x; cat /tmp/x'] });
  skopeoPush(app, `${registry.host}/test/app:v1`);
  const r = await h.berth(['pull', `${registry.host}/test/app:v1`]);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await registry?.stop();
  h.cleanup();
});

test('a rootfs prepared from the image through the overlay snapshotter runs under the runtime', async () => {
  const ctx = await openImageContext({ root: h.root });
  assert.equal(ctx.snapshots.name, 'overlay');
  const { mounts, image } = await prepareRootfs(ctx, `${registry.host}/test/app:v1`, 'ctr-1');
  assert.equal(mounts[0]!.type, 'overlay');
  const bundle = path.join(h.tmp, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  const fsops = openFsOps();
  await mountAll(mounts, rootfs, fsops);
  try {
    const spec = defaultSpec({ args: [...(image.config.config?.Entrypoint ?? []), ...(image.config.config?.Cmd ?? [])] });
    spec.process!.terminal = false;
    spec.root = { path: 'rootfs', readonly: false }; // the container writes into its own snapshot
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const r = await h.berth(['runtime', '--root', path.join(h.tmp, 'rt'), 'run', '--bundle', bundle, 'img-ctr'], { env: { BERTH_CGROUP_PARENT: cgroupParent } });
    assert.equal(r.status, 0, r.stderr);
    const [hello, ...rest] = r.stdout.trim().split('\n');
    assert.equal(hello, 'hello from layer 2');
    assert.ok(rest.includes('passwd') && !rest.includes('group'), `the whiteout hid /etc/group: ${rest.join(' ')}`);
    assert.equal(rest.pop(), 'written');
    await h.berth(['runtime', '--root', path.join(h.tmp, 'rt'), 'delete', '--force', 'img-ctr']);
  } finally {
    await unmountAll(rootfs, fsops);
    await fsops.close();
  }
  // The container's writes stayed in its own snapshot: the image's layers are untouched.
  const changes = await ctx.snapshots.changes('ctr-1');
  assert.ok(fs.existsSync(path.join(changes.upper, 'tmp/x')));
});

test('rmi refuses an image in use, then -f untags it; tag, rmi and prune follow Docker', async () => {
  const name = `${registry.host}/test/app:v1`;
  const inUse = await h.berth(['rmi', name]);
  assert.equal(inUse.status, 1);
  assert.match(inUse.stderr, /conflict: unable to remove repository reference .* \(must force\) - image [0-9a-f]{12} is in use by ctr-1/);

  assert.equal((await h.berth(['tag', name, 'extra/name'])).status, 0);
  const untag = await h.berth(['rmi', 'extra/name']);
  assert.equal(untag.status, 0, untag.stderr);
  assert.equal(untag.stdout, 'Untagged: extra/name:latest\n');

  const ctx = await openImageContext({ root: h.root });
  await ctx.snapshots.remove('ctr-1');
  const rm = await h.berth(['rmi', name]);
  assert.equal(rm.status, 0, rm.stderr);
  assert.match(rm.stdout, new RegExp(`Untagged: ${name}\\nUntagged: ${registry.host}/test/app@${app.manifestDigest}\\nDeleted: ${app.configDigest}\\n`));
  assert.equal((await h.berth(['images', '-q'])).stdout, '');
  const left = await ctx.snapshots.list();
  assert.deepEqual(left, [], 'every layer snapshot was garbage-collected');
  assert.equal(h.checkContentStore().blobs, 0, 'every blob was garbage-collected');
});

test('a re-pulled tag leaves the old image dangling; image prune removes it', async () => {
  const name = `${registry.host}/test/app:v1`;
  assert.equal((await h.berth(['pull', name])).status, 0);
  // The tag moves to a different image at the registry.
  const layer = path.join(h.tmp, 'l-new');
  fs.mkdirSync(layer);
  fs.writeFileSync(path.join(layer, 'new.txt'), 'new\n');
  const newer = makeOciLayout(path.join(h.tmp, 'oci-new'), [layer]);
  skopeoPush(newer, name);
  assert.equal((await h.berth(['pull', name])).status, 0);
  const ls = (await h.berth(['images', '--format', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(ls.map((r) => `${r.Repository}:${r.Tag}`).sort(), [`${registry.host}/test/app:v1`, '<none>:<none>'].sort());
  const prune = await h.berth(['image', 'prune', '-f']);
  assert.equal(prune.status, 0, prune.stderr);
  assert.match(prune.stdout, new RegExp(`Deleted Images:\\ndeleted: ${app.configDigest}`));
  assert.match(prune.stdout, /Total reclaimed space: /);
  const after = (await h.berth(['images', '-q', '--no-trunc'])).stdout.trim();
  assert.equal(after, newer.configDigest);
  assert.equal(h.mounts().length, 0);
});
