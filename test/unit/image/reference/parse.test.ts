import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarName,
  familiarString,
  formatReference,
  normalizeReference,
  parseReference,
  registryEndpointHost,
  withDefaultTag,
} from '../../../../src/image/reference/parse.js';
import { isImageError } from '../../../../src/image/errors.js';

const H64 = 'a'.repeat(64);
const D = `sha256:${H64}`;

// input → full normalized reference (with the default tag applied), and the familiar name docker shows.
const valid: [string, string, string][] = [
  ['busybox', 'docker.io/library/busybox:latest', 'busybox'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox'],
  ['library/busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox'],
  ['docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox'],
  ['index.docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox'],
  ['index.docker.io/team/app:v1', 'docker.io/team/app:v1', 'team/app'],
  ['team/app', 'docker.io/team/app:latest', 'team/app'],
  ['a/b/c/d', 'docker.io/a/b/c/d:latest', 'a/b/c/d'],
  ['library/a/b', 'docker.io/library/a/b:latest', 'library/a/b'],
  ['localhost/x', 'localhost/x:latest', 'localhost/x'],
  ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x'],
  [`localhost:5000/team/app@${D}`, `localhost:5000/team/app@${D}`, 'localhost:5000/team/app'],
  [`localhost:5000/team/app:v2@${D}`, `localhost:5000/team/app:v2@${D}`, 'localhost:5000/team/app'],
  ['registry:5000/a/b:tag', 'registry:5000/a/b:tag', 'registry:5000/a/b'],
  ['registry.example.com/a', 'registry.example.com/a:latest', 'registry.example.com/a'],
  ['127.0.0.1:5000/a/b', '127.0.0.1:5000/a/b:latest', '127.0.0.1:5000/a/b'],
  ['[::1]:5000/a', '[::1]:5000/a:latest', '[::1]:5000/a'],
  ['Foo/bar', 'Foo/bar:latest', 'Foo/bar'], // an uppercase first component is a registry host
  ['localhost', 'docker.io/library/localhost:latest', 'localhost'],
  ['registry:5000', 'docker.io/library/registry:5000', 'registry'], // no slash: "5000" is a tag
  ['foo__bar', 'docker.io/library/foo__bar:latest', 'foo__bar'],
  ['foo--bar', 'docker.io/library/foo--bar:latest', 'foo--bar'],
  ['foo.bar_baz-1', 'docker.io/library/foo.bar_baz-1:latest', 'foo.bar_baz-1'],
  ['busybox:UPPER_tag.1-x', 'docker.io/library/busybox:UPPER_tag.1-x', 'busybox'],
  [`busybox:${'t'.repeat(128)}`, `docker.io/library/busybox:${'t'.repeat(128)}`, 'busybox'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`, 'busybox'],
  [`sha256:${H64}`, `docker.io/library/sha256:${H64}`, 'sha256'], // Docker reads this as name:tag
];

// input → Docker's error wording.
const invalid: [string, RegExp][] = [
  ['', /invalid reference format$/],
  [H64, /invalid repository name \(a{64}\), cannot specify 64-byte hexadecimal strings/],
  ['Busybox', /invalid reference format: repository name must be lowercase/],
  ['foo/Bar', /invalid reference format: repository name must be lowercase/],
  ['localhost:5000/Foo', /invalid reference format: repository name must be lowercase/],
  ['foo/../bar', /invalid reference format$/],
  ['foo//bar', /invalid reference format$/],
  ['-foo', /invalid reference format$/],
  ['foo-', /invalid reference format$/],
  ['foo___bar', /invalid reference format$/],
  ['foo.-bar', /invalid reference format$/],
  ['foo:', /invalid reference format$/],
  [':tag', /invalid reference format$/],
  ['foo:-tag', /invalid reference format$/],
  [`busybox:${'t'.repeat(129)}`, /invalid reference format$/],
  ['foo@sha256:abc', /invalid reference format$/],
  [`foo@sha256:${'a'.repeat(40)}`, /invalid checksum digest length/],
  [`foo@sha256:${'A'.repeat(64)}`, /invalid checksum digest format/],
  [`foo@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
  ['foo bar', /invalid reference format$/],
  [`docker.io/${'a'.repeat(250)}`, /repository name must not be more than 255 characters/],
  ['http://registry/a', /invalid reference format/],
  ['foo_bar.com/x', /invalid reference format$/], // looks like a host but is not a valid one
  // Hostile inputs that make a backtracking regex take exponential time; Go's RE2 is linear, so are we.
  [`${'a-'.repeat(5000)}!`, /invalid reference format$/],
  [`busybox:${'t'.repeat(10000)}`, /invalid reference format$/],
  [`${'a'.repeat(3000)}.${'b-'.repeat(3000)}/x!`, /invalid reference format/],
];

test('valid references normalize as Docker does (≥ 25 cases)', () => {
  for (const [input, full, familiar] of valid) {
    const ref = parseReference(input);
    assert.equal(formatReference(withDefaultTag(ref)), full, input);
    assert.equal(familiarName(ref), familiar, input);
  }
});

test('invalid references are refused with Docker wording plus the input', { timeout: 60_000 }, () => {
  for (const [input, re] of invalid) {
    assert.throws(
      () => parseReference(input),
      (e: unknown) => isImageError(e, 'InvalidArgument') && re.test(e.message) && e.message.startsWith(`"${input}": `),
      input.slice(0, 40),
    );
  }
});

test('parse keeps the parts apart and adds no default tag', () => {
  assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(parseReference(`localhost:5000/team/app:v2@${D}`), { domain: 'localhost:5000', path: 'team/app', tag: 'v2', digest: D });
  assert.deepEqual(withDefaultTag(parseReference(`x@${D}`)), { domain: 'docker.io', path: 'library/x', digest: D }, 'a digest needs no tag');
  assert.deepEqual(normalizeReference('x'), { domain: 'docker.io', path: 'library/x', tag: 'latest' });
});

test('familiarString and the Docker Hub endpoint', () => {
  assert.equal(familiarString(parseReference('docker.io/library/busybox:1.36')), 'busybox:1.36');
  assert.equal(familiarString(parseReference(`localhost:5000/x@${D}`)), `localhost:5000/x@${D}`);
  assert.equal(registryEndpointHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryEndpointHost('localhost:5000'), 'localhost:5000');
  assert.ok(valid.length + invalid.length >= 30);
});
