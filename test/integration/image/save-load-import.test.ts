// import / save / load against the real content store, snapshotter and unpacker (as root): a busybox rootfs
// tarred by GNU tar becomes a one-layer image; save → load into a fresh root keeps ids, layers and manifest
// digests; skopeo reads Berth's archives and Berth reads skopeo's; hostile archives are refused with
// nothing named and nothing written outside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import tar from 'tar-stream';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { gzip, sha256, tarOf, zstd } from '../../fixtures/layer-tars.js';
import { openImageContext, type ImageContext } from '../../../src/image/context.js';
import { importImage } from '../../../src/image/ops/import.js';
import { saveImages } from '../../../src/image/ops/save.js';
import { loadImages } from '../../../src/image/ops/load.js';
import { inspectImage, listImages } from '../../../src/image/ops/image-view.js';
import { prepareRootfs } from '../../../src/image/ops/rootfs.js';
import { mountAll, unmountAll } from '../../../src/image/snapshot/mount.js';
import { openFsOps } from '../../../src/image/native/fsops.js';
import type { ProgressEvent } from '../../../src/image/progress/events.js';
import { ImageHarness } from './harness.js';

if (process.getuid?.() !== 0) throw new Error('image integration tests need root (the CI runs them as root)');

const h = new ImageHarness();
let rootfsTar: string;
let ctx: ImageContext;
let importedId: string;

before(async () => {
  const rootfs = makeBusyboxRootfs(path.join(h.tmp, 'rootfs'));
  rootfsTar = path.join(h.tmp, 'rootfs.tar');
  const r = spawnSync('tar', ['-C', rootfs, '-cf', rootfsTar, '.']);
  assert.equal(r.status, 0, r.stderr?.toString());
  ctx = await openImageContext({ root: h.root });
});

after(() => {
  const left = h.mounts();
  h.cleanup();
  assert.deepEqual(left, [], 'mounts left behind');
});

/** Mounts a read-only view of an image's rootfs for `fn`, then removes it. */
async function withRootfs(c: ImageContext, image: string, fn: (dir: string) => void | Promise<void>): Promise<void> {
  const key = `view-${Math.random().toString(36).slice(2)}`;
  const dir = fs.mkdtempSync(path.join(h.tmp, 'mnt-'));
  const { mounts } = await prepareRootfs(c, image, key, { readonly: true });
  const fsops = openFsOps();
  try {
    await mountAll(mounts, dir, fsops);
    try {
      await fn(dir);
    } finally {
      await unmountAll(dir, fsops);
    }
  } finally {
    await fsops.close();
    await c.snapshots.remove(key);
  }
}

async function saveToFile(c: ImageContext, inputs: string[], file: string): Promise<Buffer> {
  await saveImages(c, inputs, fs.createWriteStream(file));
  return fs.readFileSync(file);
}

function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('import: a GNU tar of a busybox rootfs becomes a one-layer image with the --change applied', async () => {
  const { id } = await importImage(ctx, fs.createReadStream(rootfsTar), { reference: 'import-test/busybox:1', changes: ['CMD ["sh"]', 'ENV GREETING="hello there"'] });
  importedId = id;
  const listed = (await listImages(ctx)).find((i) => i.Id === id);
  assert.deepEqual(listed?.RepoTags, ['import-test/busybox:1']);
  const info = await inspectImage(ctx, 'import-test/busybox:1');
  // The diffID is the hash of the tar exactly as GNU tar wrote it; the stored layer is gzip.
  assert.deepEqual((info.RootFS as { Layers: string[] }).Layers, [sha256(fs.readFileSync(rootfsTar))]);
  const config = info.Config as { Cmd: string[]; Env: string[] };
  assert.deepEqual(config.Cmd, ['sh']);
  assert.deepEqual(config.Env, ['GREETING=hello there']);
  assert.equal(info.Comment, 'Imported from -');
  assert.equal((info.Descriptor as { mediaType: string }).mediaType, 'application/vnd.oci.image.manifest.v1+json');
  await withRootfs(ctx, 'import-test/busybox:1', (dir) => {
    const st = fs.lstatSync(path.join(dir, 'bin/busybox'));
    assert.ok(st.isFile() && (st.mode & 0o777) === 0o755);
    assert.equal(fs.readlinkSync(path.join(dir, 'bin/sh')), 'busybox');
    assert.equal((fs.statSync(path.join(dir, 'tmp')).mode & 0o7777), 0o1777);
  });
});

test('import: gzip and zstd input give the same layer; without a name the image is dangling', async () => {
  const plain = fs.readFileSync(rootfsTar);
  const a = await importImage(ctx, Readable.from([gzip(plain)]), { message: 'gz' });
  const b = await importImage(ctx, Readable.from([zstd(plain)]), { message: 'zst', reference: 'import-test/zstd' });
  const ia = await inspectImage(ctx, a.id);
  const ib = await inspectImage(ctx, 'import-test/zstd:latest');
  assert.deepEqual(ia.RootFS, ib.RootFS);
  assert.equal(ia.Comment, 'gz');
  assert.deepEqual(ia.RepoTags, []);
  assert.ok((await listImages(ctx)).some((i) => i.Id === a.id && i.RepoTags.length === 0), 'dangling image listed');
  assert.equal(ib.Id, b.id);
  await assert.rejects(importImage(ctx, Readable.from([Buffer.from('not a tar at all, just text')])), /import: the input is not a usable root filesystem tar: .*truncated/);
  await assert.rejects(importImage(ctx, Readable.from([plain]), { changes: ['RUN make'] }), /--change "RUN make": unknown or unsupported instruction RUN/);
  await assert.rejects(importImage(ctx, Readable.from([plain]), { reference: `x@sha256:${'a'.repeat(64)}` }), /refusing to create a tag with a digest reference/);
});

test('save → load into a fresh root keeps the id, layers and manifest digest; archives are reproducible', async () => {
  const file = path.join(h.tmp, 'saved.tar');
  const bytes = await saveToFile(ctx, ['import-test/busybox:1'], file);
  const again = await saveToFile(ctx, ['import-test/busybox:1'], path.join(h.tmp, 'saved-again.tar'));
  assert.ok(bytes.equals(again), 'saving twice gives the same bytes');
  const listing = spawnSync('tar', ['-tf', file], { encoding: 'utf8' }).stdout.trim().split('\n');
  for (const f of ['oci-layout', 'index.json', 'manifest.json', 'repositories']) assert.ok(listing.includes(f), `${f} in the archive`);
  const original = await inspectImage(ctx, 'import-test/busybox:1');

  const fresh = new ImageHarness();
  try {
    const c2 = await openImageContext({ root: fresh.root });
    const events: ProgressEvent[] = [];
    const r = await loadImages(c2, fs.createReadStream(file), { progress: (e) => events.push(e) });
    assert.deepEqual(r, { names: ['import-test/busybox:1'], ids: [importedId] });
    assert.ok(events.some((e) => e.status === 'Loaded image: import-test/busybox:1'));
    const loaded = await inspectImage(c2, 'import-test/busybox:1');
    assert.equal(loaded.Id, original.Id);
    assert.deepEqual(loaded.RootFS, original.RootFS);
    assert.deepEqual(loaded.Descriptor, original.Descriptor);
    assert.deepEqual(loaded.Config, original.Config);
    await withRootfs(c2, 'import-test/busybox:1', (dir) => assert.ok(fs.statSync(path.join(dir, 'bin/busybox')).isFile()));
    assert.deepEqual(fresh.checkContentStore().ingests, [], 'no partial ingest left');

    // Loading again over a name that points elsewhere leaves the other image dangling, as Docker does.
    const other = await importImage(c2, Readable.from([await tarOf([{ name: 'hello', content: 'hi\n' }])]), { reference: 'import-test/busybox:1' });
    const events2: ProgressEvent[] = [];
    await loadImages(c2, fs.createReadStream(file), { progress: (e) => events2.push(e) });
    assert.ok(events2.some((e) => e.status === `The image import-test/busybox:1 already exists, renaming the old one with ID ${other.id} to empty string`));
    assert.deepEqual((await inspectImage(c2, other.id)).RepoTags, []);
  } finally {
    fresh.cleanup();
  }
});

test('an image saved by id loads unnamed ("Loaded image ID"); a bare repository saves all its tags', async () => {
  const file = path.join(h.tmp, 'by-id.tar');
  await saveToFile(ctx, [importedId.slice(7, 19)], file);
  assert.deepEqual(JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout)[0].RepoTags, null);
  const all = path.join(h.tmp, 'repo.tar');
  await saveToFile(ctx, ['import-test/zstd', 'import-test/busybox'], all);
  const tags = JSON.parse(spawnSync('tar', ['-xOf', all, 'manifest.json'], { encoding: 'utf8' }).stdout).flatMap((e: { RepoTags: string[] }) => e.RepoTags);
  assert.deepEqual(tags.sort(), ['import-test/busybox:1', 'import-test/zstd:latest']);
  await assert.rejects(saveImages(ctx, ['no/such:image'], new PassThrough()), /No such image: no\/such:image/);

  const fresh = new ImageHarness();
  try {
    const c2 = await openImageContext({ root: fresh.root });
    const events: ProgressEvent[] = [];
    const r = await loadImages(c2, fs.createReadStream(file), { progress: (e) => events.push(e) });
    assert.deepEqual(r, { names: [], ids: [importedId] });
    assert.ok(events.some((e) => e.status === `Loaded image ID: ${importedId}`));
    assert.deepEqual((await listImages(c2)).map((i) => [i.Id, i.RepoTags]), [[importedId, []]]);
  } finally {
    fresh.cleanup();
  }
});

test('skopeo reads Berth\'s archive, and Berth loads what skopeo writes (docker-archive and oci-archive)', async () => {
  const file = path.join(h.tmp, 'for-skopeo.tar');
  await saveToFile(ctx, ['import-test/busybox:1'], file);
  const original = await inspectImage(ctx, 'import-test/busybox:1');
  const manifestDigest = (original.Descriptor as { digest: string }).digest;
  assert.equal(JSON.parse(skopeo(['inspect', `oci-archive:${file}`])).Digest, manifestDigest);
  const dockerArchive = path.join(h.tmp, 'skopeo-docker.tar');
  const ociArchive = path.join(h.tmp, 'skopeo-oci.tar');
  skopeo(['copy', '-q', `oci-archive:${file}`, `docker-archive:${dockerArchive}:skopeo/da:1`]);
  skopeo(['copy', '-q', `oci-archive:${file}`, `oci-archive:${ociArchive}:skopeo/oci:2`]);

  const fresh = new ImageHarness();
  try {
    const c2 = await openImageContext({ root: fresh.root });
    assert.deepEqual(await loadImages(c2, fs.createReadStream(dockerArchive)), { names: ['skopeo/da:1'], ids: [importedId] });
    assert.deepEqual(await loadImages(c2, fs.createReadStream(ociArchive)), { names: ['skopeo/oci:2'], ids: [importedId] });
    const viaOci = await inspectImage(c2, 'skopeo/oci:2');
    assert.equal((await c2.images.get('docker.io/skopeo/oci:2'))?.target.digest, manifestDigest, 'the OCI archive keeps the manifest digest');
    assert.deepEqual(viaOci.RootFS, original.RootFS);
    await withRootfs(c2, 'skopeo/da:1', (dir) => assert.ok(fs.statSync(path.join(dir, 'bin/busybox')).isFile()));
  } finally {
    fresh.cleanup();
  }
});

/** A tar from path → content (string/Buffer) or { link } for symlinks. */
async function archiveOf(entries: [string, string | Buffer | { symlink: string }][]): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, v] of entries) {
    if (typeof v === 'object' && !Buffer.isBuffer(v)) pack.entry({ name, type: 'symlink', linkname: v.symlink });
    else pack.entry({ name }, Buffer.from(v));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('hostile and malformed archives are refused: nothing named, nothing written outside, no partial data', async () => {
  const fresh = new ImageHarness();
  try {
    const c2 = await openImageContext({ root: fresh.root });
    const outside = path.join(fresh.tmp, 'outside');
    fs.mkdirSync(outside);
    const goodLayer = await tarOf([{ name: 'hello', content: 'hi\n' }]);
    const evilLayer = await tarOf([{ name: '../pwned', content: 'pwned\n' }]);
    const config = (layers: Buffer[]) => JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha256) } });
    const hex = (b: Buffer | string) => sha256(Buffer.from(b)).slice(7);
    const good = config([goodLayer]);
    const cases: [string, Buffer, RegExp][] = [
      ['entry escaping the archive', await archiveOf([['../escape', 'x'], ['manifest.json', '[]']]), /archive entry "\.\.\/escape": path escapes the archive root/],
      ['absolute entry', await archiveOf([[`${outside}/abs`, 'x']]), /absolute path/],
      ['no manifest', await archiveOf([['hello.txt', 'x']]), /not an image archive: it has neither manifest.json/],
      ['config path escaping', await archiveOf([['manifest.json', '[{"Config":"../../etc/passwd","RepoTags":["evil:1"],"Layers":[]}]']]), /leads outside the archive root/],
      ['layer through a symlink out of the archive', await archiveOf([['c.json', good], ['l', { symlink: '../../../../etc' }], ['manifest.json', '[{"Config":"c.json","RepoTags":["evil:1"],"Layers":["l/passwd"]}]']]), /leads outside the archive root/],
      ['layer count ≠ diff_ids', await archiveOf([['c.json', good], ['manifest.json', '[{"Config":"c.json","RepoTags":["evil:1"],"Layers":[]}]']]), /lists 0 layers but its config c.json has 1 diff_ids/],
      ['blob digest mismatch', await archiveOf([[`blobs/sha256/${hex('other')}`, 'content'], ['index.json', '{"schemaVersion":2,"manifests":[]}']]), /archive entry "blobs\/sha256\/\w+": blob sha256:\w+: content has digest sha256:/],
      ['layer digest ≠ diffID', await archiveOf([['c.json', config([evilLayer])], ['l.tar', goodLayer], ['manifest.json', '[{"Config":"c.json","RepoTags":["evil:1"],"Layers":["l.tar"]}]']]), /layer l.tar: content digest is sha256:\w+ but the image config says/],
      // Two images; the second's layer escapes its root: the first must not be named either.
      ['hostile layer content', await archiveOf([
        ['g.json', good], ['e.json', config([evilLayer])], ['g.tar', goodLayer], ['e.tar', evilLayer],
        ['manifest.json', JSON.stringify([{ Config: 'g.json', RepoTags: ['good:1'], Layers: ['g.tar'] }, { Config: 'e.json', RepoTags: ['evil:1'], Layers: ['e.tar'] }])],
      ]), /layer entry "\.\.\/pwned": path escapes the layer root/],
    ];
    for (const [what, bytes, re] of cases) {
      await assert.rejects(loadImages(c2, Readable.from([bytes])), re, what);
      assert.deepEqual(await c2.images.list(), [], `${what}: nothing named`);
    }
    // A gzip layer whose snapshot already exists is still checked: its blob is what save and push would send.
    const other = await tarOf([{ name: 'other', content: 'not the same\n' }]);
    const archiveWith = async (tag: string, layer: Buffer) => archiveOf([
      ['c.json', good], ['l.tar.gz', layer],
      ['manifest.json', JSON.stringify([{ Config: 'c.json', RepoTags: [tag], Layers: ['l.tar.gz'] }])],
    ]);
    assert.deepEqual((await loadImages(c2, Readable.from([await archiveWith('good:0', gzip(goodLayer))]))).names, ['good:0']);
    await assert.rejects(loadImages(c2, Readable.from([await archiveWith('poisoned:1', gzip(other))])), /uncompressed content is sha256:\w+ but the image config says/);
    assert.deepEqual((await c2.images.list()).map((r) => r.name), ['docker.io/library/good:0']);
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.ok(!fs.existsSync(path.join(fresh.tmp, 'escape')) && !fs.existsSync(path.join(fresh.tmp, 'pwned')));
    assert.deepEqual(fresh.checkContentStore().ingests, [], 'no partial ingest left');
    assert.deepEqual((await c2.snapshots.list()).filter((s) => s.kind !== 'committed'), [], 'no extract snapshot left');
    assert.deepEqual(fresh.mounts(), []);
  } finally {
    fresh.cleanup();
  }
});
