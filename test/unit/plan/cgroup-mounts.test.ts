import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandCgroupMounts } from '../../../src/runtime/plan/cgroup-mounts.js';
import type { CgroupLayout } from '../../../src/runtime/cgroup/index.js';
import type { PlanMount } from '../../../src/runtime/plan/launch-plan.js';

const RO_NOSUID = 1 | 2;
const cg: PlanMount = { source: 'cgroup', destination: '/sys/fs/cgroup', fstype: 'cgroup', flags: RO_NOSUID, propagation: 0, data: '' };
const other: PlanMount = { source: 'proc', destination: '/proc', fstype: 'proc', flags: 0, propagation: 0, data: '' };

test('v2: one cgroup2 mount in place of the cgroup mount', () => {
  const layout: CgroupLayout = { mode: 'v2', v1: {}, unified: '/sys/fs/cgroup', unifiedControllers: ['cpu'] };
  assert.deepEqual(expandCgroupMounts([other, cg], layout, '/r'), [other, { ...cg, source: 'cgroup2', fstype: 'cgroup2' }]);
});

test('hybrid: writable tmpfs, one mount per hierarchy (co-mounted and named too), cgroup2, then read-only', () => {
  const layout: CgroupLayout = {
    mode: 'hybrid',
    v1: { cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', 'name=systemd': '/sys/fs/cgroup/systemd' },
    unified: '/sys/fs/cgroup/unified',
    unifiedControllers: ['hugetlb'],
  };
  const out = expandCgroupMounts([cg], layout, '/r');
  assert.deepEqual(out.map((m) => [m.fstype, m.destination, m.data, m.flags]), [
    ['tmpfs', '/sys/fs/cgroup', 'mode=755', 2],
    ['cgroup', '/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct', RO_NOSUID],
    ['cgroup', '/sys/fs/cgroup/memory', 'memory', RO_NOSUID],
    ['cgroup', '/sys/fs/cgroup/systemd', 'none,name=systemd', RO_NOSUID],
    ['cgroup2', '/sys/fs/cgroup/unified', '', RO_NOSUID],
    ['', '/sys/fs/cgroup', '', 4096 | 16384 | RO_NOSUID],
  ]);
  assert.equal(out[5]!.source, '/r/sys/fs/cgroup');
});

test('a writable cgroup mount needs no final remount', () => {
  const layout: CgroupLayout = { mode: 'v1', v1: { pids: '/sys/fs/cgroup/pids' }, unifiedControllers: [] };
  const out = expandCgroupMounts([{ ...cg, flags: 0 }], layout, '/r');
  assert.equal(out.length, 2);
});

test('without a cgroup namespace the container\'s own cgroup dirs are bind-mounted (read-only kept)', () => {
  const layout: CgroupLayout = { mode: 'hybrid', v1: { memory: '/sys/fs/cgroup/memory' }, unified: '/sys/fs/cgroup/unified', unifiedControllers: [] };
  const out = expandCgroupMounts([cg], layout, '/r', { cgroupPath: '/docker/abc' });
  assert.deepEqual(out.slice(1, 3).map((m) => [m.source, m.destination, m.flags]), [
    ['/sys/fs/cgroup/memory/docker/abc', '/sys/fs/cgroup/memory', 4096 | 16384 | RO_NOSUID],
    ['/sys/fs/cgroup/unified/docker/abc', '/sys/fs/cgroup/unified', 4096 | 16384 | RO_NOSUID],
  ]);
  const v2: CgroupLayout = { mode: 'v2', v1: {}, unified: '/sys/fs/cgroup', unifiedControllers: [] };
  assert.equal(expandCgroupMounts([cg], v2, '/r', { cgroupPath: '/x' })[0]!.source, '/sys/fs/cgroup/x');
});
