import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { compileLaunchPlan } from '../../../src/runtime/plan/compile.js';

test('defaultSpec matches runc spec (hostname berth)', () => {
  const s = defaultSpec();
  assert.equal(s.ociVersion, '1.2.0');
  assert.equal(s.hostname, 'berth');
  assert.deepEqual(s.root, { path: 'rootfs', readonly: true });
  assert.equal(s.process?.terminal, true);
  assert.deepEqual(s.process?.args, ['sh']);
  assert.deepEqual(s.process?.capabilities?.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
  assert.deepEqual(s.process?.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
  assert.deepEqual(s.mounts?.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  assert.deepEqual(s.linux?.namespaces?.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
  assert.equal(s.linux?.maskedPaths?.length, 10);
  assert.deepEqual(s.linux?.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
});

test('defaultSpec returns independent objects and honours args', () => {
  const a = defaultSpec({ args: ['echo', 'hi'] });
  a.mounts?.pop();
  a.process?.capabilities?.bounding?.push('CAP_SYS_ADMIN');
  const b = defaultSpec();
  assert.deepEqual(a.process?.args, ['echo', 'hi']);
  assert.equal(b.mounts?.length, 7);
  assert.equal(b.process?.capabilities?.bounding?.length, 3);
});

test('rootless defaultSpec maps the caller and drops what needs privileges', () => {
  const s = defaultSpec({ rootless: true, uid: 1000, gid: 100 });
  assert.deepEqual(s.linux?.namespaces?.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user']);
  assert.deepEqual(s.linux?.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.deepEqual(s.linux?.gidMappings, [{ containerID: 0, hostID: 100, size: 1 }]);
  assert.deepEqual(s.mounts?.find((m) => m.destination === '/sys'),
    { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  assert.ok(!s.mounts?.find((m) => m.destination === '/dev/pts')?.options?.includes('gid=5'));
  assert.equal(s.linux?.resources, undefined);
});

test('default and rootless specs validate and compile', () => {
  for (const spec of [defaultSpec(), defaultSpec({ rootless: true, uid: 1000, gid: 1000 })]) {
    validateSpec(spec);
    const plan = compileLaunchPlan(spec, '/b/rootfs', { bundleDir: '/b' });
    assert.equal(plan.mode, 'launch');
    assert.equal(plan.mounts.length, 7);
  }
});
