import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDockerManifest,
  formatRepositories,
  parseDockerManifest,
  repoTagReference,
} from '../../../../src/image/archive/docker-manifest.js';

// What dockerd 20.10's `docker save` writes.
const SAVED = `[{"Config":"4d8118e0fc864fac765cda9ae387233a0ba470218782a3fea657eb07571c5484.json","RepoTags":["exp/bb:1"],"Layers":["9b6fc488d06b9898ba64ce59a65f55b9fb7d8abb0ea50ba1214b2c619a80d324/layer.tar"]}]`;

test('parses the manifest.json docker save writes', () => {
  assert.deepEqual(parseDockerManifest(Buffer.from(SAVED)), [
    {
      Config: '4d8118e0fc864fac765cda9ae387233a0ba470218782a3fea657eb07571c5484.json',
      RepoTags: ['exp/bb:1'],
      Layers: ['9b6fc488d06b9898ba64ce59a65f55b9fb7d8abb0ea50ba1214b2c619a80d324/layer.tar'],
    },
  ]);
  assert.deepEqual(parseDockerManifest(Buffer.from('[{"Config":"c.json","RepoTags":null,"Layers":[]}]'))[0]!.RepoTags, null);
});

test('malformed manifest.json is refused naming the entry and field', () => {
  assert.throws(() => parseDockerManifest(Buffer.from('{')), /manifest.json is not valid JSON/);
  assert.throws(() => parseDockerManifest(Buffer.from('{}')), /expected a JSON array/);
  assert.throws(() => parseDockerManifest(Buffer.from('[1]')), /entry 0: expected an object/);
  assert.throws(() => parseDockerManifest(Buffer.from('[{"Layers":[]}]')), /entry 0: "Config" must name/);
  assert.throws(() => parseDockerManifest(Buffer.from('[{"Config":"c","Layers":"x"}]')), /"Layers" must be a list/);
  assert.throws(() => parseDockerManifest(Buffer.from('[{"Config":"c","Layers":[],"RepoTags":[1]}]')), /"RepoTags" must be a list of strings/);
});

test('RepoTags become full references; digests and untagged names are refused', () => {
  assert.equal(repoTagReference('busybox:latest'), 'docker.io/library/busybox:latest');
  assert.equal(repoTagReference('localhost:5000/team/app:v1'), 'localhost:5000/team/app:v1');
  assert.throws(() => repoTagReference('busybox'), /"busybox" must be a name:tag reference/);
  assert.throws(() => repoTagReference(`busybox@sha256:${'a'.repeat(64)}`), /must be a name:tag/);
  assert.throws(() => repoTagReference('Busybox:1'), /not a valid image name/);
});

test('writes manifest.json (RepoTags null without tags) and repositories', () => {
  const out = JSON.parse(formatDockerManifest([
    { Config: 'blobs/sha256/c', RepoTags: ['busybox:latest'], Layers: ['blobs/sha256/l'] },
    { Config: 'blobs/sha256/d', RepoTags: [], Layers: [] },
  ]).toString());
  assert.deepEqual(out, [
    { Config: 'blobs/sha256/c', RepoTags: ['busybox:latest'], Layers: ['blobs/sha256/l'] },
    { Config: 'blobs/sha256/d', RepoTags: null, Layers: [] },
  ]);
  assert.deepEqual(JSON.parse(formatRepositories([
    { repoTag: 'busybox:latest', topLayer: 'aa' },
    { repoTag: 'busybox:1', topLayer: 'aa' },
    { repoTag: 'localhost:5000/x:y', topLayer: 'bb' },
  ]).toString()), { busybox: { latest: 'aa', '1': 'aa' }, 'localhost:5000/x': { y: 'bb' } });
});
