// The pull pipeline: layers unpack while they download, all at once (overlay: into scratch snapshots moved
// under their parent when it is committed), committed in chain order. The image's merged view must be the
// same as with the copying snapshotter (sequential, full trees) and as when the layers are unpacked from
// blobs already in the store; a layer whose content does not match the config leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startRegistry, type TestRegistry } from '../../fixtures/registry.js';
import { makeOciLayout, skopeoPush, type LayoutImage } from '../../fixtures/oci-image.js';
import { snapshotTree, type TreeEntry } from '../../fixtures/layer-tars.js';
import { openImageContext } from '../../../src/image/context.js';
import { prepareRootfs } from '../../../src/image/ops/rootfs.js';
import { mountAll, unmountAll } from '../../../src/image/snapshot/mount.js';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { ImageHarness } from './harness.js';

if (process.getuid?.() !== 0) throw new Error('image integration tests need root (the CI runs them as root)');

const h = new ImageHarness();
const fsops = openFsOps();
let registry: TestRegistry;
let image: LayoutImage;
let name: string;

function write(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  fs.chmodSync(abs, mode);
}

before(async () => {
  registry = await startRegistry();
  const l1 = path.join(h.tmp, 'l1');
  for (let d = 0; d < 8; d++) for (let f = 0; f < 60; f++) write(l1, `usr/share/d${d}/f${f}.txt`, `layer 1 ${d}/${f}\n`.repeat(20));
  write(l1, 'etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
  write(l1, 'etc/gone', 'deleted by layer 2\n');
  write(l1, 'opq/old1', 'hidden by the opaque marker\n');
  write(l1, 'opq/sub/old2', 'hidden too\n');
  write(l1, 'bin/tool', Buffer.alloc(600_000, 1), 0o4755);
  fs.symlinkSync('tool', path.join(l1, 'bin/alias'));
  fs.linkSync(path.join(l1, 'bin/tool'), path.join(l1, 'bin/tool-hard'));
  const l2 = path.join(h.tmp, 'l2');
  write(l2, 'etc/.wh.gone', '');
  write(l2, 'opq/.wh..wh..opq', '');
  write(l2, 'opq/new', 'only this one\n');
  write(l2, 'etc/passwd', 'root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n');
  for (let f = 0; f < 200; f++) write(l2, `var/lib/app/f${f}`, `layer 2 ${f}\n`);
  write(l2, 'usr/share/d3/.wh.f7.txt', '');
  const l3 = path.join(h.tmp, 'l3');
  write(l3, 'var/lib/app/.wh.f5', '');
  write(l3, 'srv/big.bin', Buffer.alloc(2_000_000, 9));
  fs.chmodSync(l3, 0o750); // the layer root's own entry: the merged root takes the top layer's
  image = makeOciLayout(path.join(h.tmp, 'oci'), [l1, l2, l3]);
  name = `${registry.host}/pipe/app:1`;
  skopeoPush(image, name);
});

after(async () => {
  await fsops.close();
  await registry?.stop();
  h.cleanup();
});

/** The merged root filesystem of the image in `root` (directory times left out: see below). */
async function mergedTree(root: string): Promise<Record<string, TreeEntry>> {
  const ctx = await openImageContext({ root });
  const key = `view-${Math.random().toString(16).slice(2)}`;
  const { mounts } = await prepareRootfs(ctx, name, key, { readonly: true });
  const target = fs.mkdtempSync(path.join(h.tmp, 'mnt-'));
  await mountAll(mounts, target, fsops);
  try {
    const tree = await snapshotTree(target);
    // A whiteout applied to a full tree (copy snapshotter) touches its directory at unpack time; overlay
    // keeps the layer's time. Everything else must match exactly.
    for (const e of Object.values(tree)) if (e.type === 'dir') delete e.mtime;
    return tree;
  } finally {
    await unmountAll(target, fsops);
    await ctx.snapshots.remove(key);
  }
}

/** The kinds of the snapshots in a root. */
async function snapshotKinds(root: string): Promise<string[]> {
  const ctx = await openImageContext({ root });
  return (await ctx.snapshots.list()).map((s) => s.kind);
}

const pull = async (root: string) => {
  const r = await h.berth(['pull', name], { env: { BERTH_ROOT: root } });
  assert.equal(r.status, 0, r.stderr);
  return r;
};

test('overlay (concurrent, scratch snapshots) and copy (sequential) give the same image; nothing is left active', async () => {
  const overlayRoot = path.join(h.tmp, 'root-overlay');
  const copyRoot = path.join(h.tmp, 'root-copy');
  fs.mkdirSync(path.join(copyRoot, 'image'), { recursive: true });
  fs.writeFileSync(path.join(copyRoot, 'image', 'snapshotter'), 'copy\n');
  const r = await pull(overlayRoot);
  // Docker's per-layer order of events survives the pipelining.
  for (const d of image.layerDigests) {
    const id = d.slice(7, 19);
    const seen = r.stdout.split('\n').filter((l) => l.startsWith(`${id}: `)).map((l) => l.slice(14));
    const order = ['Pulling fs layer', 'Download complete', 'Extracting', 'Pull complete'].map((s) => seen.indexOf(s));
    assert.ok(order.every((x, i) => x >= 0 && (i === 0 || x > order[i - 1]!)), `${id}: ${seen.join(', ')}`);
  }
  await pull(copyRoot);
  assert.deepEqual(await snapshotKinds(overlayRoot), ['committed', 'committed', 'committed']);
  assert.deepEqual(await snapshotKinds(copyRoot), ['committed', 'committed', 'committed']);
  const merged = await mergedTree(overlayRoot);
  assert.deepEqual(merged, await mergedTree(copyRoot));
  assert.equal(merged['etc/gone'], undefined);
  assert.deepEqual(Object.keys(merged).filter((p) => p.startsWith('opq/')), ['opq/new']);
  assert.equal(merged['usr/share/d3/f7.txt'], undefined);
  assert.equal(merged['var/lib/app/f5'], undefined);
  assert.ok(merged['var/lib/app/f6']);
  assert.equal(merged['bin/tool']!.mode, 0o4755);
  assert.equal(merged['bin/alias']!.link, 'tool');
  assert.equal(merged['bin/tool-hard']!.inode, 'bin/tool', 'the hardlink survives');
  assert.equal(merged['srv/big.bin']!.size, 2_000_000);
  // The layer root's metadata moved with the scratch snapshot's entries.
  const ctx = await openImageContext({ root: overlayRoot });
  const top = await ctx.snapshots.stat(chainTop(image.diffIds));
  assert.equal(top.kind, 'committed');
  const { mounts } = await prepareRootfs(ctx, name, 'root-mode', { readonly: true });
  const target = fs.mkdtempSync(path.join(h.tmp, 'mnt-'));
  await mountAll(mounts, target, fsops);
  try {
    assert.equal(fs.statSync(target).mode & 0o7777, 0o750);
  } finally {
    await unmountAll(target, fsops);
    await ctx.snapshots.remove('root-mode');
  }
});

test('layers unpacked from blobs already in the store give the same image', async () => {
  const fresh = path.join(h.tmp, 'root-from-store');
  fs.mkdirSync(path.join(fresh, 'image'), { recursive: true });
  fs.cpSync(path.join(h.tmp, 'root-overlay', 'image', 'content'), path.join(fresh, 'image', 'content'), { recursive: true });
  const r = await pull(fresh);
  assert.doesNotMatch(r.stdout, /Downloading/);
  assert.deepEqual(await mergedTree(fresh), await mergedTree(path.join(h.tmp, 'root-overlay')));
});

test('a layer that does not match its diffID: DataLoss naming it, no snapshot of it or above, nothing active', async () => {
  // The same layers, with a config claiming another diffID for layer 2.
  const bad = rewriteDiffId(image, 1, `sha256:${'e'.repeat(64)}`);
  const badName = `${registry.host}/pipe/bad:1`;
  skopeoPush(bad, badName);
  const root = path.join(h.tmp, 'root-bad');
  const r = await h.berth(['pull', badName], { env: { BERTH_ROOT: root } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`layer ${image.layerDigests[1]}: uncompressed content is ${image.diffIds[1]} but the image config says sha256:e{64}`));
  const ctx = await openImageContext({ root });
  const snaps = await ctx.snapshots.list();
  assert.ok(snaps.every((s) => s.kind === 'committed'), 'no extraction or scratch snapshot is left');
  assert.ok(snaps.length <= 1, `only the base layer may be committed (${snaps.map((s) => s.key).join(', ')})`);
  assert.deepEqual(fs.readdirSync(path.join(root, 'image', 'content', 'ingest')), [], 'no partial download is left');
});

function chainTop(diffIds: string[]): string {
  let chain = diffIds[0]!;
  for (const d of diffIds.slice(1)) chain = `sha256:${createHash('sha256').update(`${chain} ${d}`).digest('hex')}`;
  return chain;
}

/** A copy of an OCI layout whose config says `diffId` for layer `index` (manifest and index updated). */
function rewriteDiffId(src: LayoutImage, index: number, diffId: string): LayoutImage {
  const dir = `${src.dir}-bad`;
  fs.cpSync(src.dir, dir, { recursive: true });
  const blob = (d: string) => path.join(dir, 'blobs', 'sha256', d.slice(7));
  const put = (b: Buffer) => {
    const d = `sha256:${createHash('sha256').update(b).digest('hex')}`;
    fs.writeFileSync(blob(d), b);
    return d;
  };
  const config = JSON.parse(fs.readFileSync(blob(src.configDigest), 'utf8'));
  config.rootfs.diff_ids[index] = diffId;
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = put(configBytes);
  const manifest = JSON.parse(fs.readFileSync(blob(src.manifestDigest), 'utf8'));
  manifest.config = { ...manifest.config, digest: configDigest, size: configBytes.length };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = put(manifestBytes);
  const index_ = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  index_.manifests[0] = { ...index_.manifests[0], digest: manifestDigest, size: manifestBytes.length };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index_));
  return { ...src, dir, manifestDigest, configDigest, diffIds: config.rootfs.diff_ids };
}
