import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, platformMatches, selectManifest } from '../../../src/image/manifest/platform.js';
import type { Descriptor, ImageIndex, Platform } from '../../../src/image/manifest/types.js';
import { isImageError } from '../../../src/image/errors.js';

const entry = (n: number, platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 100 + n,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});
const index = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, manifests });

test('hostPlatform maps Node names to OCI names', () => {
  const p = hostPlatform();
  assert.equal(p.os, 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' };
  assert.equal(p.architecture, expected[process.arch] ?? process.arch);
  if (process.arch === 'arm64') assert.equal(p.variant, 'v8');
  if (process.arch === 'x64') assert.equal(p.variant, undefined);
});

test('parsePlatform: os/arch[/variant], aliases, and clear errors', () => {
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('Linux/X86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/i386'), { os: 'linux', architecture: '386' });
  assert.equal(parsePlatform('windows').os, 'windows');
  assert.equal(parsePlatform('arm64').architecture, 'arm64');
  for (const bad of ['', 'linux/', 'linux/amd64/v1/x', 'linux/am d64', 'nonsense']) {
    assert.throws(() => parsePlatform(bad), (e: unknown) => isImageError(e, 'InvalidArgument') && /invalid platform ".*": .*expected os\/arch\[\/variant\]/.test(e.message), bad);
  }
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
});

test('normalization: arm64 ↔ v8, arm → v7, amd64/v1 → amd64', () => {
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.ok(platformMatches({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }));
  assert.ok(platformMatches({ os: 'linux', architecture: 'amd64', variant: 'v1' }, { os: 'linux', architecture: 'amd64' }));
  assert.ok(!platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(!platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }));
});

test('selectManifest picks the exact platform, skipping attestations', () => {
  const amd = entry(1, { os: 'linux', architecture: 'amd64' });
  const arm64 = entry(2, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const arm7 = entry(3, { os: 'linux', architecture: 'arm', variant: 'v7' });
  const arm6 = entry(4, { os: 'linux', architecture: 'arm', variant: 'v6' });
  const att = entry(5, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' });
  const idx = index(att, arm6, arm7, arm64, amd);
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'amd64' }), amd);
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'arm64' }), arm64);
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'arm64', variant: 'v8' }), arm64);
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'aarch64' }), arm64);
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'arm' }), arm7, 'arm means arm/v7');
  assert.equal(selectManifest(idx, { os: 'linux', architecture: 'arm', variant: 'v6' }), arm6);
  assert.equal(selectManifest(index(arm64, { ...amd, platform: { os: 'linux', architecture: 'amd64', variant: 'v1' } }), { os: 'linux', architecture: 'amd64' }).digest, amd.digest);
});

test('selectManifest falls back like containerd: lower arm variants, 386 on amd64, arm on arm64, then no-platform entries', () => {
  const arm6 = entry(4, { os: 'linux', architecture: 'arm', variant: 'v6' });
  const arm5 = entry(6, { os: 'linux', architecture: 'arm', variant: 'v5' });
  const i386 = entry(7, { os: 'linux', architecture: '386' });
  const bare = entry(8);
  assert.equal(selectManifest(index(arm5, arm6), { os: 'linux', architecture: 'arm', variant: 'v7' }), arm6, 'best lower variant');
  assert.equal(selectManifest(index(i386), { os: 'linux', architecture: 'amd64' }), i386);
  assert.equal(selectManifest(index(arm6), { os: 'linux', architecture: 'arm64' }), arm6);
  assert.equal(selectManifest(index(bare, i386), { os: 'linux', architecture: 'amd64' }), i386, 'a platform match beats an entry without one');
  assert.equal(selectManifest(index(bare), { os: 'linux', architecture: 's390x' }), bare);
});

test('selectManifest: NotFound names the wanted platform and lists the available ones', () => {
  const idx = index(
    entry(1, { os: 'linux', architecture: 'amd64' }),
    entry(2, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry(5, { os: 'unknown', architecture: 'unknown' }),
  );
  assert.throws(
    () => selectManifest(idx, { os: 'linux', architecture: 'riscv64' }, 'localhost:5000/app:1'),
    (e: unknown) =>
      isImageError(e, 'NotFound') &&
      e.message === 'localhost:5000/app:1: no manifest for platform linux/riscv64 in the image index (available: linux/amd64, linux/arm64/v8)',
  );
  assert.throws(() => selectManifest(index(), { os: 'linux', architecture: 'amd64' }), /available: none/);
  assert.throws(() => selectManifest(index(entry(1, { os: 'windows', architecture: 'amd64' })), { os: 'linux', architecture: 'amd64' }), /linux\/amd64.*available: windows\/amd64/);
});
