import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupLayout } from '../../../src/runtime/cgroup/layout.js';
import { CgroupError } from '../../../src/runtime/cgroup/driver.js';

const noControllers = () => [];

// Debian 10 / CentOS 7 style: co-mounted cpu,cpuacct and net_cls,net_prio, plus the named systemd hierarchy.
const V1 = `
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
29 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,net_cls,net_prio
30 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
31 25 0:29 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpuset,clone_children
32 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
`;

const V2 = `
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

// This very machine: separate cpu and cpuacct hierarchies, and cgroup2 at /sys/fs/cgroup/unified.
const HYBRID = `
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

test('v1: co-mounted controllers share one mount point; named hierarchies kept; mount options ignored', () => {
  const l = parseCgroupLayout(V1, noControllers);
  assert.equal(l.mode, 'v1');
  assert.equal(l.unified, undefined);
  assert.deepEqual(l.unifiedControllers, []);
  assert.deepEqual(l.v1, {
    'name=systemd': '/sys/fs/cgroup/systemd',
    cpu: '/sys/fs/cgroup/cpu,cpuacct',
    cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
    net_cls: '/sys/fs/cgroup/net_cls,net_prio',
    net_prio: '/sys/fs/cgroup/net_cls,net_prio',
    memory: '/sys/fs/cgroup/memory',
    cpuset: '/sys/fs/cgroup/cpuset',
    pids: '/sys/fs/cgroup/pids',
  });
});

test('v2: only a cgroup2 mount; controllers read from its root', () => {
  const seen: string[] = [];
  const l = parseCgroupLayout(V2, (m) => {
    seen.push(m);
    return ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'];
  });
  assert.deepEqual(seen, ['/sys/fs/cgroup']);
  assert.deepEqual(l, { mode: 'v2', v1: {}, unified: '/sys/fs/cgroup', unifiedControllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] });
});

test('hybrid: v1 controllers per hierarchy plus the unified mount and its controllers', () => {
  const l = parseCgroupLayout(HYBRID, (m) => (m === '/sys/fs/cgroup/unified' ? ['hugetlb'] : []));
  assert.equal(l.mode, 'hybrid');
  assert.equal(l.unified, '/sys/fs/cgroup/unified');
  assert.deepEqual(l.unifiedControllers, ['hugetlb']);
  assert.equal(l.v1.cpu, '/sys/fs/cgroup/cpu');
  assert.equal(l.v1.cpuacct, '/sys/fs/cgroup/cpuacct');
  assert.equal(l.v1.freezer, '/sys/fs/cgroup/freezer');
  assert.equal(l.v1.hugetlb, undefined);
  assert.equal(Object.keys(l.v1).length, 9);
});

test('escaped mount paths are decoded and the hierarchy root mount wins over a bind mount of a subdir', () => {
  const info = [
    '50 22 0:40 /docker/abc /mnt/sub rw - cgroup cgroup rw,memory',
    '51 22 0:40 / /mnt/my\\040cgroups/memory rw - cgroup cgroup rw,memory',
    '52 22 0:41 / /mnt/a rw shared:3 master:1 - cgroup cgroup rw,pids',
  ].join('\n');
  const l = parseCgroupLayout(info, noControllers);
  assert.equal(l.v1.memory, '/mnt/my cgroups/memory');
  assert.equal(l.v1.pids, '/mnt/a');
});

test('no cgroup filesystem at all is a CgroupError', () => {
  assert.throws(() => parseCgroupLayout('22 1 8:1 / / rw - ext4 /dev/sda1 rw\n', noControllers), CgroupError);
});
