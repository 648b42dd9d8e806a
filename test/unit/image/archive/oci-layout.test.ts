import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blobPath,
  digestOfBlobPath,
  formatOciIndex,
  nameFromAnnotations,
  parseOciIndex,
  parseOciLayout,
} from '../../../../src/image/archive/oci-layout.js';

const D = `sha256:${'ab'.repeat(32)}` as const;

test('blob paths and the digests they name', () => {
  assert.equal(blobPath(D), `blobs/sha256/${'ab'.repeat(32)}`);
  assert.equal(digestOfBlobPath(blobPath(D)), D);
  assert.equal(digestOfBlobPath('blobs/sha256/xyz'), undefined);
  assert.equal(digestOfBlobPath('blobs/md5/abc'), undefined);
  assert.equal(digestOfBlobPath('manifest.json'), undefined);
});

test('oci-layout version 1.x is accepted, anything else refused', () => {
  parseOciLayout(Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  assert.throws(() => parseOciLayout(Buffer.from('{"imageLayoutVersion":"2.0.0"}')), /unsupported imageLayoutVersion "2.0.0"/);
  assert.throws(() => parseOciLayout(Buffer.from('x')), /oci-layout is not valid JSON/);
});

test('index.json is validated descriptor by descriptor', () => {
  const ok = parseOciIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'm', digest: D, size: 3, annotations: { a: 'b' } }] })));
  assert.deepEqual(ok.manifests, [{ mediaType: 'm', digest: D, size: 3, annotations: { a: 'b' } }]);
  assert.throws(() => parseOciIndex(Buffer.from('{"schemaVersion":1,"manifests":[]}')), /schemaVersion must be 2/);
  assert.throws(() => parseOciIndex(Buffer.from('{"schemaVersion":2}')), /"manifests" must be a list/);
  assert.throws(() => parseOciIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'm', digest: 'sha256:zz', size: 1 }] }))), /manifests\[0\] digest: "sha256:zz" is not a valid sha256 digest/);
  assert.throws(() => parseOciIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'm', digest: D, size: -1 }] }))), /size -1 is not a non-negative integer/);
  assert.throws(() => parseOciIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: D, size: 1 }] }))), /has no mediaType/);
});

test('image names from annotations: containerd/Docker full names, skopeo name:tag, bare tags give none', () => {
  assert.equal(nameFromAnnotations({ 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' }), 'docker.io/library/busybox:latest');
  assert.equal(nameFromAnnotations({ 'org.opencontainers.image.ref.name': 'busybox:1' }), 'docker.io/library/busybox:1');
  assert.equal(nameFromAnnotations({ 'org.opencontainers.image.ref.name': 'localhost/app' }), 'localhost/app:latest');
  assert.equal(nameFromAnnotations({ 'org.opencontainers.image.ref.name': 'latest' }), undefined);
  assert.equal(nameFromAnnotations(undefined), undefined);
  assert.throws(() => nameFromAnnotations({ 'io.containerd.image.name': 'bad//name' }), /annotation io.containerd.image.name="bad\/\/name" is not a valid image name/);
});

test('index.json as Docker 25 writes it: one entry per tag, untagged images without annotations', () => {
  const doc = JSON.parse(formatOciIndex([
    { descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 10 }, name: 'docker.io/library/busybox:1' },
    { descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 10 } },
  ]).toString());
  assert.deepEqual(doc, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 10,
        annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:1', 'org.opencontainers.image.ref.name': '1' },
      },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 10 },
    ],
  });
});
