import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourcesFromHostConfig, rlimitsFromUlimits } from '../../../../src/engine/containers/resources.js';
import { allCapabilities, effectiveCapabilities, parseSecurityOpts, applySecurity } from '../../../../src/engine/containers/security.js';
import { hardenedSpec } from '../../../../src/runtime/index.js';
import { DOCKER_CAPABILITIES } from '../../../../src/runtime/spec/hardened-spec.js';

test('--memory gives twice the memory as memory+swap where swap is accounted, none otherwise', () => {
  assert.deepEqual(resourcesFromHostConfig({ Memory: 64 << 20 }, true).memory, { limit: 64 << 20, swap: 128 << 20 });
  assert.deepEqual(resourcesFromHostConfig({ Memory: 64 << 20 }, false).memory, { limit: 64 << 20 });
  assert.deepEqual(resourcesFromHostConfig({ Memory: 64 << 20, MemorySwap: -1 }, true).memory, { limit: 64 << 20, swap: -1 });
});

test('memory limits Docker refuses are refused with its wording', () => {
  assert.throws(() => resourcesFromHostConfig({ Memory: 1024 }, true), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => resourcesFromHostConfig({ Memory: 64 << 20, MemorySwap: 32 << 20 }, true), /larger than memory limit/);
  assert.throws(() => resourcesFromHostConfig({ MemorySwap: 32 << 20 }, true), /always set the Memory limit/);
});

test('--cpus is a quota over a 100ms period; shares, cpuset and pids map directly', () => {
  const r = resourcesFromHostConfig({ NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '0', PidsLimit: 64 }, true);
  assert.deepEqual(r.cpu, { period: 100000, quota: 150000, shares: 512, cpus: '0' });
  assert.deepEqual(r.pids, { limit: 64 });
  assert.throws(() => resourcesFromHostConfig({ NanoCpus: 1e9, CpuQuota: 5000 }, true), /Conflicting options/);
  assert.equal(resourcesFromHostConfig({ PidsLimit: -1 }, true).pids, undefined);
});

test('ulimits become rlimits; soft above hard is refused', () => {
  assert.deepEqual(rlimitsFromUlimits([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]), [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
  assert.throws(() => rlimitsFromUlimits([{ Name: 'nofile', Soft: 4096, Hard: 2048 }]), /soft limit/);
});

test('capabilities: drop, add, ALL, names with and without CAP_', () => {
  const caps = effectiveCapabilities(DOCKER_CAPABILITIES, ['net_admin'], ['CAP_CHOWN', 'mknod'], 40);
  assert.ok(caps.includes('CAP_NET_ADMIN'));
  assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_MKNOD'));
  assert.deepEqual(effectiveCapabilities(DOCKER_CAPABILITIES, ['KILL'], ['ALL'], 40), ['CAP_KILL']);
  assert.equal(effectiveCapabilities(DOCKER_CAPABILITIES, ['ALL'], [], 40).length, 41);
  assert.throws(() => effectiveCapabilities(DOCKER_CAPABILITIES, ['FLY'], [], 40), /unknown capability/);
});

test('security-opt: seccomp unconfined / inline profile, no-new-privileges, bad keys', () => {
  assert.equal(parseSecurityOpts(['seccomp=unconfined']).seccomp, 'unconfined');
  assert.deepEqual(parseSecurityOpts(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']).seccomp, { profile: { defaultAction: 'SCMP_ACT_ALLOW' } });
  assert.equal(parseSecurityOpts(['no-new-privileges']).noNewPrivileges, true);
  assert.equal(parseSecurityOpts(['no-new-privileges:true']).noNewPrivileges, true);
  assert.throws(() => parseSecurityOpts(['seccomp={bad']), /seccomp profile/);
  assert.throws(() => parseSecurityOpts(['bogus=1']), /invalid --security-opt/);
});

test('--privileged lifts seccomp, masks, device rules and read-only sysfs', () => {
  const spec = hardenedSpec();
  applySecurity(spec, { Privileged: true }, 40, () => { throw new Error('no devices'); });
  assert.equal(spec.linux!.seccomp, undefined);
  assert.deepEqual(spec.linux!.maskedPaths, []);
  assert.deepEqual(spec.linux!.resources!.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(!spec.mounts!.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  // Every capability this process may grant: the kernel's, within the daemon's own bounding set.
  assert.deepEqual(spec.process!.capabilities!.bounding, allCapabilities(40));
  assert.ok(!allCapabilities(40, (1n << 41n) - 1n - (1n << 24n)).includes('CAP_SYS_RESOURCE'));
});

test('--device adds the node and a cgroup allow rule; bad permissions are refused', () => {
  const spec = hardenedSpec();
  const dev = () => ({ type: 'c' as const, major: 1, minor: 3, mode: 0o20666, uid: 0, gid: 0 });
  applySecurity(spec, { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' }] }, 40, dev);
  assert.deepEqual(spec.linux!.devices!.at(-1), { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 });
  assert.deepEqual(spec.linux!.resources!.devices!.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
  assert.throws(() => applySecurity(hardenedSpec(), { Devices: [{ PathOnHost: '/dev/null', CgroupPermissions: 'x' }] }, 40, dev), /permissions/);
});
