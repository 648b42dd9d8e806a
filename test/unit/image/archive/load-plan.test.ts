import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { type Digest, digestOf } from '../../../../src/image/digest.js';
import type { ArchiveNode } from '../../../../src/image/archive/archive-paths.js';
import { type ArchiveFile, ArchiveView } from '../../../../src/image/archive/archive-reader.js';
import { planLoad, type PlanContext } from '../../../../src/image/archive/load-plan.js';
import { blobPath, digestOfBlobPath } from '../../../../src/image/archive/oci-layout.js';
import { selectManifest } from '../../../../src/image/manifest/platform.js';

// An archive as the reader leaves it: blobs/ files in the "store" (digest only), others in memory.
function archive(files: Record<string, Buffer | string>, links: Record<string, string> = {}): { view: ArchiveView; ctx: PlanContext } {
  const store = new Map<string, Buffer>();
  const nodes = new Map<string, ArchiveNode<ArchiveFile>>();
  for (const [p, v] of Object.entries(files)) {
    const data = Buffer.from(v);
    const known = digestOfBlobPath(p);
    if (known) {
      store.set(known, data);
      nodes.set(p, { type: 'file', file: { size: data.length, head: data.subarray(0, 6), digest: known } });
    } else nodes.set(p, { type: 'file', file: { size: data.length, head: data.subarray(0, 6), data } });
  }
  for (const [p, target] of Object.entries(links)) nodes.set(p, { type: 'symlink', target });
  return {
    view: new ArchiveView(nodes),
    ctx: {
      readBlob: async (d) => {
        const b = store.get(d);
        if (!b) throw new Error(`no blob ${d}`);
        return b;
      },
      selectManifest: (index) => selectManifest(index, { os: 'linux', architecture: 'amd64' }),
    },
  };
}

const layerTar = Buffer.concat([Buffer.from('fake tar bytes'), Buffer.alloc(1010)]);
const diffId = digestOf(layerTar);
const config = (ids: Digest[]) => JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ids } });
const hex = (d: string) => d.slice(7);

test('docker-archive (dockerd 20.10 layout, shared layer linked): manifest built with OCI types, id kept', async () => {
  const cfg = config([diffId]);
  const id = digestOf(cfg);
  const { view, ctx } = archive(
    {
      'manifest.json': JSON.stringify([
        { Config: `${hex(id)}.json`, RepoTags: ['busybox:latest', 'busybox:1'], Layers: ['aaa/layer.tar'] },
        { Config: `${hex(id)}.json`, RepoTags: ['other:x'], Layers: ['bbb/layer.tar'] },
      ]),
      [`${hex(id)}.json`]: cfg,
      'aaa/layer.tar': layerTar,
      repositories: '{}',
    },
    { 'bbb/layer.tar': '../aaa/layer.tar' },
  );
  const [img, ...rest] = await planLoad(view, ctx);
  assert.equal(rest.length, 0, 'the same image listed twice is one image');
  assert.equal(img!.id, id);
  assert.deepEqual(img!.names, ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1', 'docker.io/library/other:x']);
  assert.deepEqual(img!.manifest.layers, [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: diffId, size: layerTar.length }]);
  assert.equal(img!.manifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
  assert.equal(img!.manifestDescriptor.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(JSON.parse(img!.blobs.get(img!.manifestDescriptor.digest)!.toString()), img!.manifest);
  assert.equal(img!.blobs.get(id)!.toString(), cfg);
  assert.equal(img!.layers[0]!.compression, 'none');
});

test('docker-archive with a gzip layer gets the gzip media type', async () => {
  const gz = gzipSync(layerTar);
  const cfg = config([diffId]);
  const { view, ctx } = archive({ 'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: ['l.tar.gz'] }]), 'c.json': cfg, 'l.tar.gz': gz });
  const [img] = await planLoad(view, ctx);
  assert.deepEqual(img!.layers[0], { descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(gz), size: gz.length }, diffId, compression: 'gzip' });
  assert.deepEqual(img!.names, []);
});

test('malformed docker-archives are refused with the file and rule named', async () => {
  const cfg = config([diffId]);
  const cases: [Record<string, string | Buffer>, RegExp][] = [
    [{ 'x.json': cfg }, /not an image archive: it has neither manifest.json \(docker save\) nor index.json/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":["l.tar"]}]', 'l.tar': layerTar }, /has no image config \(manifest.json entry 0\) "c.json"/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":[]}]', 'c.json': cfg }, /manifest.json entry 0: lists 0 layers but its config c.json has 1 diff_ids/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":["l.tar"]}]', 'c.json': cfg, 'l.tar': Buffer.alloc(1024) }, /layer l.tar: content digest is sha256:5f70bf18.* but the image config says sha256:/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":["missing"]}]', 'c.json': cfg }, /has no layer \(manifest.json entry 0\) "missing"/],
    [{ 'manifest.json': '[{"Config":"../../etc/passwd","Layers":[]}]' }, /archive path "..\/..\/etc\/passwd" leads outside the archive root/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":[]}]', 'c.json': '{"os":"linux","architecture":"amd64"}' }, /c.json: image config needs rootfs/],
    [{ 'manifest.json': '[{"Config":"c.json","RepoTags":["Bad:tag"],"Layers":["l.tar"]}]', 'c.json': cfg, 'l.tar': layerTar }, /RepoTags: "Bad:tag" is not a valid image name/],
    [{ 'manifest.json': '[{"Config":"c.json","Layers":["l.tar"]}]', 'c.json': cfg, 'l.tar': Buffer.from('BZh91AY&SY') }, /layer l.tar: layer is bzip2-compressed/],
  ];
  for (const [files, re] of cases) {
    const { view, ctx } = archive(files);
    await assert.rejects(planLoad(view, ctx), re);
  }
});

function ociImage(layers: Buffer[], ids: Digest[], mediaType = 'application/vnd.oci.image.layer.v1.tar') {
  const files: Record<string, Buffer | string> = {};
  const cfg = config(ids);
  files[blobPath(digestOf(cfg))] = cfg;
  for (const l of layers) files[blobPath(digestOf(l))] = l;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(cfg), size: cfg.length },
    layers: layers.map((l) => ({ mediaType, digest: digestOf(l), size: l.length })),
  });
  files[blobPath(digestOf(manifest))] = manifest;
  return { files, manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf(manifest), size: manifest.length }, id: digestOf(cfg) };
}

test('OCI layout: names from annotations, nested index resolved to this platform, manifest digest kept', async () => {
  const a = ociImage([layerTar], [diffId]);
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { ...a.manifest, platform: { os: 'linux', architecture: 'arm64' } },
      { ...a.manifest, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  });
  const idx = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digestOf(index), size: index.length };
  const { view, ctx } = archive({
    ...a.files,
    [blobPath(idx.digest)]: index,
    'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
    'index.json': JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...idx, annotations: { 'org.opencontainers.image.ref.name': 'localhost:5000/app:v1' } },
        { ...a.manifest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      ],
    }),
  });
  const images = await planLoad(view, ctx);
  assert.equal(images.length, 1);
  assert.equal(images[0]!.manifestDescriptor.digest, a.manifest.digest);
  assert.equal(images[0]!.id, a.id);
  assert.deepEqual(images[0]!.names, ['localhost:5000/app:v1']);
  assert.equal(images[0]!.blobs.size, 0, 'everything came from the archive');
});

test('OCI layout: missing blobs, wrong sizes, layer count and uncompressed digest mismatches are refused', async () => {
  const a = ociImage([layerTar], [diffId]);
  const index = (m: object) => JSON.stringify({ schemaVersion: 2, manifests: [m] });
  const missingLayer = { ...a.files };
  delete missingLayer[blobPath(digestOf(layerTar))];
  const cases: [Record<string, string | Buffer>, RegExp][] = [
    [{ ...missingLayer, 'index.json': index(a.manifest) }, /layers\[0\]: blob sha256:\w+ is missing from the archive \(blobs\/sha256\//],
    [{ ...a.files, 'index.json': index({ ...a.manifest, size: 1 }) }, /is \d+ bytes but its descriptor says 1/],
    [{ ...ociImage([layerTar], [diffId, diffId]).files, 'index.json': index(ociImage([layerTar], [diffId, diffId]).manifest) }, /has 1 layers but its config sha256:\w+ has 2 diff_ids/],
    [{ ...ociImage([layerTar], [digestOf('x')]).files, 'index.json': index(ociImage([layerTar], [digestOf('x')]).manifest) }, /content digest is sha256:\w+ but the image config says/],
    [{ ...a.files, 'index.json': '{"schemaVersion":2,"manifests":{}}' }, /index.json: "manifests" must be a list/],
    [{ ...a.files, 'oci-layout': '{"imageLayoutVersion":"9"}', 'index.json': index(a.manifest) }, /unsupported imageLayoutVersion/],
  ];
  for (const [files, re] of cases) {
    const { view, ctx } = archive(files);
    await assert.rejects(planLoad(view, ctx), re);
  }
});

test('combined format (berth save, Docker 25): the archived manifest is used, names from manifest.json', async () => {
  const gz = gzipSync(layerTar);
  const a = ociImage([gz], [diffId], 'application/vnd.oci.image.layer.v1.tar+gzip');
  const { view, ctx } = archive({
    ...a.files,
    'index.json': JSON.stringify({ schemaVersion: 2, manifests: [{ ...a.manifest, annotations: { 'io.containerd.image.name': 'docker.io/library/x:1' } }] }),
    'manifest.json': JSON.stringify([{ Config: blobPath(a.id), RepoTags: ['x:1', 'x:2'], Layers: [blobPath(digestOf(gz))] }]),
  });
  const [img] = await planLoad(view, ctx);
  assert.equal(img!.manifestDescriptor.digest, a.manifest.digest);
  assert.deepEqual(img!.names, ['docker.io/library/x:1', 'docker.io/library/x:2']);
  assert.equal(img!.layers[0]!.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.equal(img!.blobs.size, 0);
});
