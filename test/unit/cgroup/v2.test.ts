import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { V2Manager } from '../../../src/runtime/cgroup/v2.js';
import { sharesToWeight, swapMax, blkioToIoWeight } from '../../../src/runtime/cgroup/v2-resources.js';
import { CgroupError } from '../../../src/runtime/cgroup/driver.js';
import { writesUnder } from './fixture.js';
import { v2Host, type V2Host, type V2HostOptions } from './v2-fixture.js';

const MiB = 1024 * 1024;
const ALL = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'];

function withHost(opts: V2HostOptions, fn: (h: V2Host, m: V2Manager) => void): void {
  const h = v2Host(opts);
  try {
    fn(h, new V2Manager('/berth/c1', h.root, opts.controllers ?? ALL, h.fs));
  } finally {
    h.cleanup();
  }
}

const read = (file: string) => readFileSync(file, 'utf8').trim();

test('conversions match runc', () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(blkioToIoWeight(10), 1);
  assert.equal(blkioToIoWeight(1000), 10000);
  assert.equal(swapMax(128 * MiB, 64 * MiB), String(64 * MiB));
  assert.equal(swapMax(-1, 64 * MiB), 'max');
  assert.equal(swapMax(undefined, -1), 'max');
  assert.equal(swapMax(undefined, 64 * MiB), undefined);
  assert.throws(() => swapMax(128 * MiB, undefined), /swap needs linux\.resources\.memory\.limit/);
  assert.throws(() => swapMax(32 * MiB, 64 * MiB), /must be >=/);
});

test('create enables controllers in every ancestor (not the leaf) and records created dirs', () => {
  withHost({}, (h, m) => {
    m.create();
    assert.equal(read(`${h.root}/cgroup.subtree_control`), ALL.join(' '));
    assert.equal(read(`${h.root}/berth/cgroup.subtree_control`), ALL.join(' '));
    assert.equal(read(`${h.root}/berth/c1/cgroup.subtree_control`), '');
    assert.equal(read(`${h.root}/berth/c1/cgroup.controllers`), ALL.join(' '));
    assert.deepEqual(m.created(), [`${h.root}/berth`, `${h.root}/berth/c1`]);
    assert.deepEqual(m.procsFiles(), [`${h.root}/berth/c1/cgroup.procs`]);
    assert.deepEqual(m.dirs(), { unified: `${h.root}/berth/c1` });
    // Enabling is per controller and skipped when already on.
    const again = new V2Manager('/berth/c2', h.root, ALL, h.fs);
    h.fs.writes.length = 0;
    again.create();
    assert.deepEqual(h.fs.writes, []);
  });
});

test('only the controllers the manager drives are enabled, and only where available', () => {
  withHost({ controllers: ['hugetlb'] }, (h, m) => {
    m.create();
    assert.deepEqual(h.fs.writes, [[`${h.root}/cgroup.subtree_control`, '+hugetlb'], [`${h.root}/berth/cgroup.subtree_control`, '+hugetlb']]);
    assert.throws(() => m.update({ pids: { limit: 3 } }), /linux\.resources\.pids is set but the pids controller is not available/);
  });
});

test('resources land in exactly the expected files with the expected values', () => {
  withHost({ io: 'bfq' }, (h, m) => {
    m.create({
      cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, cpus: '0-1', mems: '0' },
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 128 * MiB },
      pids: { limit: -1 },
      blockIO: {
        weight: 300, weightDevice: [{ major: 8, minor: 0, weight: 400 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 0 }],
      },
      hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }],
      unified: { 'memory.high': '50000000' },
      devices: [{ allow: true, access: 'rwm' }],
    });
    assert.deepEqual(writesUnder(h.fs, `${h.root}/berth/c1`), [
      ['cpu.weight', '39'], ['cpu.max', '50000 100000'], ['cpu.max.burst', '1000'],
      ['cpuset.cpus', '0-1'], ['cpuset.mems', '0'],
      ['memory.swap.max', String(64 * MiB)], ['memory.max', String(64 * MiB)], ['memory.low', String(32 * MiB)], ['memory.oom.group', '1'],
      ['pids.max', 'max'],
      ['io.bfq.weight', '300'], ['io.bfq.weight', '8:0 400'], ['io.max', '8:0 rbps=1048576'], ['io.max', '8:16 wiops=max'],
      ['hugetlb.2MB.max', String(4 * MiB)],
      ['memory.high', '50000000'],
    ]);
  });
});

test('cpu.max spelling: quota -1 is max; io.weight is converted without bfq', () => {
  withHost({}, (h, m) => {
    m.create({ cpu: { quota: -1, period: 50000 }, blockIO: { weight: 1000 } });
    assert.deepEqual(writesUnder(h.fs, `${h.root}/berth/c1`), [['cpu.max', 'max 50000'], ['io.weight', '10000']]);
  });
});

test('without swap accounting, unlimited swap is a no-op but a real swap limit names the missing file', () => {
  withHost({ swap: false }, (h, m) => {
    m.create({ memory: { limit: -1 } });
    assert.deepEqual(writesUnder(h.fs, `${h.root}/berth/c1`), [['memory.max', 'max'], ['memory.oom.group', '1']]);
    assert.throws(() => m.update({ memory: { limit: 64 * MiB, swap: 128 * MiB } }), (e: CgroupError) =>
      /^linux\.resources\.memory\.swap: write "67108864" to .*memory\.swap\.max: ENOENT/.test(e.message));
  });
});

test('device rules other than allow-all are refused on v2, never ignored', () => {
  withHost({}, (_h, m) => {
    m.create({ devices: [] });
    assert.throws(() => m.update({ devices: [{ allow: false, access: 'rwm' }] }), /device rules need the cgroup v1 devices controller.*eBPF/);
  });
});

test('v2-only refusals name the spec field', () => {
  withHost({}, (_h, m) => {
    m.create();
    assert.throws(() => m.update({ cpu: { realtimeRuntime: 1000 } }), /realtimeRuntime.*not supported on cgroup v2/);
    assert.throws(() => m.update({ memory: { disableOOMKiller: true } }), /disableOOMKiller is not supported on cgroup v2/);
    assert.throws(() => m.update({ network: { classID: 1 } }), /linux\.resources\.network is not supported on cgroup v2/);
    assert.throws(() => m.update({ unified: { '../x.y': '1' } }), /unified\["\.\.\/x\.y"\]: not a cgroup interface file name/);
    assert.throws(() => m.update({ unified: { 'rdma.max': 'x' } }), /unified\["rdma\.max"\].*ENOENT.*is the rdma controller enabled/);
    assert.throws(() => m.update({ hugepageLimits: [{ pageSize: '2MB/../x', limit: 1 }] }), /invalid pageSize/);
  });
});

test('freeze waits for cgroup.events to report frozen; a stuck freeze is undone and reported', () => {
  let lag = 2;
  const overrideRead = (f: string, real: string) => {
    if (!f.endsWith('cgroup.events')) return real;
    const want = read(f.replace('cgroup.events', 'cgroup.freeze'));
    return want === '1' && lag-- > 0 ? 'populated 1\nfrozen 0\n' : `populated 1\nfrozen ${want}\n`;
  };
  withHost({ overrideRead }, (h, m) => {
    m.create();
    m.freeze();
    assert.equal(h.fs.sleeps, 2);
    assert.equal(m.isFrozen(), true);
    m.thaw();
    assert.equal(m.isFrozen(), false);
    lag = Infinity;
    assert.throws(() => m.freeze(), (e: CgroupError) => e.message.includes('cgroup.events did not report "frozen 1"'));
    assert.equal(read(`${h.root}/berth/c1/cgroup.freeze`), '0');
  });
});

test('stats and pids are parsed from the kernel files', () => {
  withHost({}, (h, m) => {
    m.create();
    const put = (f: string, v: string) => writeFileSync(`${h.root}/berth/c1/${f}`, v);
    put('cpu.stat', 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 9\nnr_throttled 3\nthrottled_usec 70\n');
    put('memory.current', '1048576\n');
    put('memory.max', `${64 * MiB}\n`);
    put('memory.peak', '2097152\n');
    put('memory.swap.current', '4096\n');
    put('memory.stat', 'anon 100\nfile 8192\n');
    put('memory.events', 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
    put('pids.current', '2\n');
    put('pids.max', '20\n');
    put('io.stat', '8:0 rbytes=100 wbytes=50 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2 rios=1 wios=1\n');
    put('hugetlb.2MB.current', '2097152\n');
    put('cgroup.procs', '7\n8\n');
    const s = m.stats();
    assert.deepEqual(s.cpu, { usageNanos: 1_500_000, userNanos: 1_000_000, systemNanos: 500_000, throttledPeriods: 3, throttledNanos: 70_000 });
    assert.deepEqual(s.memory, { usage: MiB, limit: 64 * MiB, maxUsage: 2 * MiB, swapUsage: 4096, cache: 8192, oomKills: 1 });
    assert.deepEqual(s.pids, { current: 2, limit: 20 });
    assert.deepEqual(s.blkio, { readBytes: 101, writeBytes: 52 });
    assert.deepEqual(s.hugetlb, { '2MB': { usage: 2 * MiB, limit: -1 } });
    assert.equal(m.oomKills(), 1);
    assert.deepEqual(m.pids(), [7, 8]);
  });
});

test('destroy removes the leaf, sub-cgroups the container made, and created parents; failed create rolls back', () => {
  withHost({ refuseWrite: (f) => (f.endsWith('/c1/pids.max') ? 'EINVAL' : undefined) }, (h, m) => {
    m.create();
    new V2Manager('/berth/c1/inner/deeper', h.root, [], h.fs).create();
    m.destroy();
    assert.equal(existsSync(`${h.root}/berth`), false);
    assert.throws(() => m.create({ pids: { limit: 5 } }), /linux\.resources\.pids\.limit: write "5" to .*pids\.max: EINVAL \(invalid argument\)/);
    assert.equal(existsSync(`${h.root}/berth`), false);
    assert.deepEqual(m.created(), []);
  });
});
