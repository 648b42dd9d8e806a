import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { V1Manager } from '../../../src/runtime/cgroup/v1.js';
import { CgroupError } from '../../../src/runtime/cgroup/driver.js';
import { writesUnder } from './fixture.js';
import { v1Host, type V1Host } from './v1-fixture.js';

const MiB = 1024 * 1024;

function withHost(opts: Parameters<typeof v1Host>[0], fn: (h: V1Host, m: V1Manager) => void): void {
  const h = v1Host(opts);
  try {
    fn(h, new V1Manager('/berth/c1', h.mounts, h.fs));
  } finally {
    h.cleanup();
  }
}

const read = (file: string) => readFileSync(file, 'utf8').trim();

test('create makes one dir per hierarchy (co-mounted cpu,cpuacct once) and records created parents', () => {
  withHost({}, (h, m) => {
    m.create();
    assert.equal(m.dirOf('cpu'), `${h.root}/cpu,cpuacct/berth/c1`);
    assert.equal(m.dirOf('cpuacct'), m.dirOf('cpu'));
    assert.equal(m.procsFiles().length, 8);
    assert.ok(m.procsFiles().includes(`${h.root}/cpu,cpuacct/berth/c1/cgroup.procs`));
    assert.equal(m.created().length, 16);
    assert.ok(m.created().includes(`${h.root}/memory/berth`));
    assert.deepEqual(Object.keys(m.dirs()).sort(), ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'pids']);
  });
});

test('new cpuset dirs inherit cpus and mems from their parent', () => {
  withHost({}, (h, m) => {
    m.create();
    for (const d of [`${h.root}/cpuset/berth`, `${h.root}/cpuset/berth/c1`]) {
      assert.equal(read(`${d}/cpuset.cpus`), '0-3');
      assert.equal(read(`${d}/cpuset.mems`), '0');
    }
  });
});

test('an existing parent is neither re-created nor recorded, and its cpuset is left alone', () => {
  withHost({}, (h, m) => {
    mkdirSync(`${h.root}/cpuset/berth`);
    writeFileSync(`${h.root}/cpuset/berth/cpuset.cpus`, '1\n');
    writeFileSync(`${h.root}/cpuset/berth/cpuset.mems`, '0\n');
    m.create();
    assert.ok(!m.created().includes(`${h.root}/cpuset/berth`));
    assert.equal(read(`${h.root}/cpuset/berth/c1/cpuset.cpus`), '1');
    assert.deepEqual(writesUnder(h.fs, `${h.root}/cpuset/berth`), [['c1/cpuset.cpus', '1'], ['c1/cpuset.mems', '0']]);
  });
});

test('resources land in exactly the expected files with the expected values', () => {
  withHost({}, (h, m) => {
    m.create({
      cpu: { shares: 512, quota: 50000, period: 100000, realtimePeriod: 1000000, realtimeRuntime: 950000, cpus: '0-1', mems: '0' },
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 128 * MiB, swappiness: 10, disableOOMKiller: true, kernelTCP: 8 * MiB },
      pids: { limit: 100 },
      blockIO: {
        weight: 300, leafWeight: 200, weightDevice: [{ major: 8, minor: 0, weight: 400 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 100 }],
      },
      hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }],
    });
    const d = (c: string) => m.dirOf(c)!;
    assert.deepEqual(writesUnder(h.fs, d('cpu')), [
      ['cpu.shares', '512'], ['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '50000'],
      ['cpu.rt_period_us', '1000000'], ['cpu.rt_runtime_us', '950000'],
    ]);
    assert.deepEqual(writesUnder(h.fs, d('cpuset')), [['cpuset.cpus', '0-3'], ['cpuset.mems', '0'], ['cpuset.cpus', '0-1'], ['cpuset.mems', '0']]);
    // Growing from unlimited: the limit first, then memsw (memsw >= limit must hold after each write).
    assert.deepEqual(writesUnder(h.fs, d('memory')), [
      ['memory.limit_in_bytes', String(64 * MiB)], ['memory.memsw.limit_in_bytes', String(128 * MiB)],
      ['memory.soft_limit_in_bytes', String(32 * MiB)], ['memory.kmem.tcp.limit_in_bytes', String(8 * MiB)],
      ['memory.swappiness', '10'], ['memory.oom_control', '1'],
    ]);
    assert.deepEqual(writesUnder(h.fs, d('pids')), [['pids.max', '100']]);
    assert.deepEqual(writesUnder(h.fs, d('blkio')), [
      ['blkio.weight', '300'], ['blkio.leaf_weight', '200'], ['blkio.weight_device', '8:0 400'],
      ['blkio.throttle.read_bps_device', '8:0 1048576'], ['blkio.throttle.write_iops_device', '8:16 100'],
    ]);
    assert.deepEqual(writesUnder(h.fs, d('hugetlb')), [['hugetlb.2MB.limit_in_bytes', String(4 * MiB)]]);
    assert.equal(read(`${d('memory')}/memory.limit_in_bytes`), String(64 * MiB));
  });
});

test('memsw ordering follows runc: memsw first when it exceeds the current limit, limit first otherwise', () => {
  withHost({}, (h, m) => {
    m.create({ memory: { limit: 64 * MiB, swap: 128 * MiB } });
    const mem = m.dirOf('memory')!;
    h.fs.writes.length = 0;
    m.update({ memory: { limit: 256 * MiB, swap: 512 * MiB } });
    assert.deepEqual(writesUnder(h.fs, mem).map(([f]) => f), ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
    h.fs.writes.length = 0;
    m.update({ memory: { limit: 16 * MiB, swap: 32 * MiB } });
    assert.deepEqual(writesUnder(h.fs, mem).map(([f]) => f), ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    h.fs.writes.length = 0;
    m.update({ memory: { limit: -1 } });
    assert.deepEqual(writesUnder(h.fs, mem), [['memory.memsw.limit_in_bytes', '-1'], ['memory.limit_in_bytes', '-1']]);
  });
});

test('swap without swap accounting is a clear error naming the memsw file; bad swap < limit refused', () => {
  withHost({ memsw: false }, (_h, m) => {
    m.create();
    assert.throws(() => m.update({ memory: { limit: 64 * MiB, swap: 128 * MiB } }), (e: CgroupError) =>
      e instanceof CgroupError && /linux\.resources\.memory\.swap/.test(e.message) &&
      /memory\.memsw\.limit_in_bytes does not exist/.test(e.message) && e.file!.endsWith('memory.memsw.limit_in_bytes'));
    // Unlimited memory alone must not touch the absent memsw file.
    m.update({ memory: { limit: -1 } });
    assert.throws(() => m.update({ memory: { limit: 64 * MiB, swap: 32 * MiB } }), /must be >= linux\.resources\.memory\.limit/);
  });
});

test('cpu quota -1, pids limit <= 0 and devices rules are written as the kernel expects', () => {
  withHost({}, (h, m) => {
    m.create({
      cpu: { quota: -1 },
      pids: { limit: 0 },
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
        { allow: true, type: 'c', major: 136, access: 'rw' },
        { allow: false, type: 'b', major: 8, minor: 0, access: 'm' },
      ],
    });
    assert.deepEqual(writesUnder(h.fs, m.dirOf('cpu')!), [['cpu.cfs_quota_us', '-1']]);
    assert.deepEqual(writesUnder(h.fs, m.dirOf('pids')!), [['pids.max', 'max']]);
    assert.deepEqual(writesUnder(h.fs, m.dirOf('devices')!), [
      ['devices.deny', 'a'], ['devices.allow', 'c 1:3 rwm'], ['devices.allow', 'c 136:* rw'], ['devices.deny', 'b 8:0 m'],
    ]);
    assert.throws(() => m.update({ devices: [{ allow: true, type: 'x' }] }), /linux\.resources\.devices.*invalid device type/);
  });
});

test('blkio uses the bfq files when only those exist', () => {
  withHost({ blkio: 'bfq' }, (h, m) => {
    m.create({ blockIO: { weight: 300, weightDevice: [{ major: 8, minor: 0, weight: 400 }] } });
    assert.deepEqual(writesUnder(h.fs, m.dirOf('blkio')!), [['blkio.bfq.weight', '300'], ['blkio.bfq.weight_device', '8:0 400']]);
  });
});

test('a kernel refusal names the spec field, file, value and errno', () => {
  withHost({ refuseWrite: (f) => (f.endsWith('cpu.cfs_quota_us') ? 'EINVAL' : undefined) }, (h, m) => {
    m.create();
    assert.throws(() => m.update({ cpu: { quota: 50000 } }), (e: CgroupError) => {
      assert.equal(e.message, `linux.resources.cpu.quota: write "50000" to ${h.root}/cpu,cpuacct/berth/c1/cpu.cfs_quota_us: EINVAL (invalid argument)`);
      assert.equal(e.code, 'EINVAL');
      return true;
    });
  });
});

test('a period refused with EINVAL is retried after the quota (smaller period vs parent quota)', () => {
  let refusals = 1;
  const refuseWrite = (f: string) => (f.endsWith('cpu.cfs_period_us') && refusals-- > 0 ? 'EINVAL' : undefined);
  withHost({ refuseWrite }, (h, m) => {
    m.create({ cpu: { quota: 5000, period: 10000 } });
    assert.deepEqual(writesUnder(h.fs, m.dirOf('cpu')!), [['cpu.cfs_quota_us', '5000'], ['cpu.cfs_period_us', '10000']]);
  });
});

test('shares clamped by the kernel are reported rather than silently changed', () => {
  withHost({ overrideRead: (f, real) => (f.endsWith('/c1/cpu.shares') ? '262144\n' : real) }, (_h, m) => {
    assert.throws(() => m.create({ cpu: { shares: 1000000 } }), /shares 1000000 was clamped by the kernel to 262144/);
  });
});

test('a controller that is not mounted is refused naming the spec field; a failed create rolls back', () => {
  const h = v1Host();
  try {
    const { pids: _pids, ...mounts } = h.mounts;
    const m = new V1Manager('/berth/c1', mounts, h.fs);
    assert.throws(() => m.create({ pids: { limit: 5 } }), /linux\.resources\.pids is set but the pids controller is not mounted/);
    assert.equal(existsSync(`${h.root}/memory/berth`), false);
    assert.deepEqual(m.created(), []);
    assert.throws(() => m.create({ unified: { 'memory.high': '1' } }), /needs cgroup v2/);
  } finally {
    h.cleanup();
  }
});

test('freeze polls freezer.state through FREEZING; thaw and isFrozen read the kernel state', () => {
  let freezing = 3;
  const overrideRead = (f: string, real: string) => (f.endsWith('freezer.state') && real.trim() === 'FROZEN' && freezing-- > 0 ? 'FREEZING\n' : real);
  withHost({ overrideRead }, (h, m) => {
    m.create();
    m.freeze();
    assert.equal(m.isFrozen(), true);
    assert.equal(h.fs.sleeps, 3);
    assert.deepEqual(writesUnder(h.fs, m.dirOf('freezer')!), [['freezer.state', 'FROZEN'], ['freezer.state', 'FROZEN'], ['freezer.state', 'FROZEN'], ['freezer.state', 'FROZEN']]);
    m.thaw();
    assert.equal(m.isFrozen(), false);
  });
});

test('a freeze that never settles thaws again and throws naming freezer.state', () => {
  const overrideRead = (f: string, real: string) => (f.endsWith('freezer.state') && real.trim() === 'FROZEN' ? 'FREEZING\n' : real);
  withHost({ overrideRead }, (h, m) => {
    m.create();
    assert.throws(() => m.freeze(), /freezer\.state stayed FREEZING/);
    assert.equal(read(`${m.dirOf('freezer')}/freezer.state`), 'THAWED');
    assert.ok(h.fs.sleeps > 100);
  });
});

test('stats and pids are parsed from the kernel files', () => {
  withHost({}, (_h, m) => {
    m.create();
    const put = (c: string, f: string, v: string) => writeFileSync(`${m.dirOf(c)}/${f}`, v);
    put('cpuacct', 'cpuacct.usage', '123456789\n');
    put('cpuacct', 'cpuacct.stat', 'user 12\nsystem 3\n');
    put('cpu', 'cpu.stat', 'nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n');
    put('memory', 'memory.usage_in_bytes', '1048576\n');
    put('memory', 'memory.max_usage_in_bytes', '2097152\n');
    put('memory', 'memory.limit_in_bytes', `${64 * MiB}\n`);
    put('memory', 'memory.stat', 'cache 4096\nrss 8192\nswap 512\n');
    put('memory', 'memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    put('pids', 'pids.current', '3\n');
    put('pids', 'cgroup.procs', '10\n11\n12\n');
    put('blkio', 'blkio.throttle.io_service_bytes', '8:0 Read 100\n8:0 Write 50\n8:16 Read 1\n8:16 Write 2\nTotal 153\n');
    put('hugetlb', 'hugetlb.2MB.usage_in_bytes', '2097152\n');
    const s = m.stats();
    assert.deepEqual(s.cpu, { usageNanos: 123456789, userNanos: 120_000_000, systemNanos: 30_000_000, throttledPeriods: 4, throttledNanos: 5000 });
    assert.deepEqual(s.memory, { usage: MiB, limit: 64 * MiB, maxUsage: 2 * MiB, swapUsage: 512, cache: 4096, oomKills: 2 });
    assert.deepEqual(s.pids, { current: 3, limit: -1 });
    assert.deepEqual(s.blkio, { readBytes: 101, writeBytes: 52 });
    assert.deepEqual(s.hugetlb, { '2MB': { usage: 2 * MiB, limit: -1 } });
    assert.equal(m.oomKills(), 2);
    assert.deepEqual(m.pids(), [10, 11, 12]);
  });
});

test('destroy removes leaf and created parents, keeps parents shared with a sibling, and is idempotent', () => {
  withHost({}, (h, m) => {
    m.create();
    const sibling = new V1Manager('/berth/c2', h.mounts, h.fs);
    sibling.create();
    m.destroy();
    assert.equal(existsSync(`${h.root}/memory/berth/c1`), false);
    assert.equal(existsSync(`${h.root}/memory/berth/c2`), true);
    sibling.destroy(); // did not create /berth, so it stays
    assert.equal(existsSync(`${h.root}/memory/berth`), true);
    m.destroy(); // idempotent for the leaf; the parent it created is now empty and goes
    assert.equal(existsSync(`${h.root}/memory/berth`), false);
    assert.deepEqual(m.created(), []);
    // A fresh manager given the created list (as kept in state.json) removes exactly those parents.
    const first = new V1Manager('/berth/c3', h.mounts, h.fs);
    first.create();
    new V1Manager('/berth/c3', h.mounts, h.fs, [`${h.root}/memory/berth`]).destroy();
    assert.equal(existsSync(`${h.root}/memory/berth`), false);
    assert.equal(existsSync(`${h.root}/pids/berth`), true);
    assert.equal(existsSync(`${h.root}/pids/berth/c3`), false);
  });
});

test('destroy retries EBUSY while tasks exit, then gives up naming the dir', () => {
  let busy = 3;
  withHost({ refuseRmdir: (d) => (d.endsWith('/pids/berth/c1') && busy-- > 0 ? 'EBUSY' : undefined) }, (h, m) => {
    m.create();
    m.destroy();
    // Three refusals: the first rmdir is tried before listing sub-cgroups, then two waits before the third retry.
    assert.equal(h.fs.sleeps, 2);
    assert.equal(existsSync(`${h.root}/pids/berth`), false);
  });
  withHost({ refuseRmdir: (d) => (d.endsWith('/pids/berth/c1') ? 'EBUSY' : undefined) }, (h, m) => {
    m.create();
    assert.throws(() => m.destroy(), (e: CgroupError) => e instanceof CgroupError && e.message.includes(`cannot remove cgroup ${h.root}/pids/berth/c1 after 2000ms`));
    assert.equal(existsSync(`${h.root}/memory/berth`), false, 'other hierarchies are still cleaned');
  });
});
