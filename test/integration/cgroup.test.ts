// Privileged: drives the real cgroup hierarchies of this host (hybrid here) through createCgroupManager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createCgroupManager, detectCgroupLayout } from '../../src/runtime/cgroup/index.js';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

/** The one-letter state of a process from /proc/<pid>/stat. */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function read(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

test('cgroup manager on the real hierarchy: create, join, limits, stats, freeze, update, destroy', { skip: !isRoot && 'needs root' }, async () => {
  const layout = detectCgroupLayout();
  const parent = `/berth-test-${randomBytes(4).toString('hex')}`;
  const path = `${parent}/c1`;
  const cg = createCgroupManager(path, { layout });
  const hugetlb = layout.v1.hugetlb !== undefined || layout.unifiedControllers.includes('hugetlb');
  let child: ChildProcess | undefined;
  try {
    cg.create({
      memory: { limit: 64 * MiB },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
      pids: { limit: 32 },
      ...(hugetlb ? { hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2 * MiB }] } : {}),
    });
    const dirs = cg.dirs();
    if (layout.mode !== 'v2') {
      assert.equal(read(`${dirs.memory}/memory.limit_in_bytes`), String(64 * MiB));
      assert.equal(read(`${dirs.cpu}/cpu.shares`), '512');
      assert.equal(read(`${dirs.cpu}/cpu.cfs_quota_us`), '50000');
      assert.equal(read(`${dirs.cpu}/cpu.cfs_period_us`), '100000');
      assert.equal(read(`${dirs.cpuset}/cpuset.cpus`), '0');
      assert.equal(read(`${dirs.pids}/pids.max`), '32');
    } else {
      assert.equal(read(`${dirs.unified}/memory.max`), String(64 * MiB));
      assert.equal(read(`${dirs.unified}/cpu.max`), '50000 100000');
    }
    if (hugetlb && layout.mode === 'hybrid' && layout.v1.hugetlb === undefined) {
      // hugetlb only exists in cgroup2 here: the hybrid manager must have routed it to the unified dir.
      assert.equal(read(`${dirs.unified}/hugetlb.2MB.max`), String(8 * MiB));
    }

    // The shell joins the cgroup itself before exec'ing sleep, as a container's init does: v1 does not move
    // memory already charged elsewhere, so only pages touched after joining (the exec) count as usage.
    const joinThenSleep = 'for f in "$@"; do echo $$ > "$f"; done; exec sleep 30';
    child = spawn('sh', ['-c', joinThenSleep, 'sh', ...cg.procsFiles()], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid!;
    for (let i = 0; i < 200 && !readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(cg.pids(), [pid]);
    for (const f of cg.procsFiles()) assert.equal(read(f), String(pid), f);

    const stats = cg.stats();
    assert.ok(stats.memory.usage > 0, `memory usage ${stats.memory.usage}`);
    assert.equal(stats.memory.limit, 64 * MiB);
    assert.equal(stats.pids.current, 1);
    assert.equal(stats.pids.limit, 32);
    assert.equal(cg.oomKills(), 0);

    cg.freeze();
    assert.equal(cg.isFrozen(), true);
    // Frozen tasks sleep in the freezer: "D" (TASK_FROZEN shows as D since 6.1) or "T" on older kernels.
    assert.match(procState(pid), /^[DT]$/);
    cg.thaw();
    assert.equal(cg.isFrozen(), false);
    assert.equal(procState(pid), 'S');

    cg.update({ memory: { limit: 128 * MiB }, pids: { limit: 64 } });
    if (layout.mode !== 'v2') {
      assert.equal(read(`${dirs.memory}/memory.limit_in_bytes`), String(128 * MiB));
      assert.equal(read(`${dirs.pids}/pids.max`), '64');
    } else {
      assert.equal(read(`${dirs.unified}/memory.max`), String(128 * MiB));
    }

    child.kill('SIGKILL');
    await once(child, 'exit');
    child = undefined;
    cg.destroy();

    const roots = [...new Set(Object.values(layout.v1))];
    if (layout.unified) roots.push(layout.unified);
    for (const root of roots) {
      assert.equal(existsSync(`${root}${path}`), false, `${root}${path} left behind`);
      assert.equal(existsSync(`${root}${parent}`), false, `${root}${parent} left behind`);
    }
    assert.deepEqual(cg.created(), []);
  } finally {
    child?.kill('SIGKILL');
    if (child) await once(child, 'exit');
    try {
      cg.destroy();
    } catch {
      // Already reported by the assertions above.
    }
  }
});

test('destroy() of a fresh manager (another process) removes the parents recorded by created()', { skip: !isRoot && 'needs root' }, () => {
  const layout = detectCgroupLayout();
  const parent = `/berth-test-${randomBytes(4).toString('hex')}`;
  const first = createCgroupManager(`${parent}/c2`, { layout });
  first.create({ pids: { limit: 10 } });
  const created = first.created();
  assert.ok(created.some((d) => d.endsWith(parent)), 'parent recorded as created');
  const later = createCgroupManager(`${parent}/c2`, { layout, created });
  later.destroy();
  for (const d of created) assert.equal(existsSync(d), false, `${d} left behind`);
});

test('the kernel accepts what the v1 writers produce: devices, memory+swap ordering, blkio, cpu quota -1', { skip: !isRoot && 'needs root' }, () => {
  const layout = detectCgroupLayout();
  if (layout.mode === 'v2') return;
  const parent = `/berth-test-${randomBytes(4).toString('hex')}`;
  const cg = createCgroupManager(`${parent}/c3`, { layout });
  try {
    cg.create({
      devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 136, access: 'rw' }],
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swappiness: 10 },
    });
    const dirs = cg.dirs();
    assert.equal(read(`${dirs.devices}/devices.list`), 'c 1:3 rwm\nc 136:* rw');
    assert.equal(read(`${dirs.memory}/memory.soft_limit_in_bytes`), String(32 * MiB));
    assert.equal(read(`${dirs.memory}/memory.swappiness`), '10');
    if (existsSync(`${dirs.memory}/memory.memsw.limit_in_bytes`)) {
      // Growing past the current memsw, then shrinking below the current limit: both orders must pass.
      cg.update({ memory: { limit: 256 * MiB, swap: 512 * MiB } });
      assert.equal(read(`${dirs.memory}/memory.memsw.limit_in_bytes`), String(512 * MiB));
      cg.update({ memory: { limit: 16 * MiB, swap: 32 * MiB } });
      assert.equal(read(`${dirs.memory}/memory.limit_in_bytes`), String(16 * MiB));
      assert.equal(read(`${dirs.memory}/memory.memsw.limit_in_bytes`), String(32 * MiB));
      cg.update({ memory: { limit: -1 } });
      assert.equal(cg.stats().memory.limit, -1);
    }
    if (dirs.blkio) {
      cg.update({ blockIO: { weight: 300 } });
      const file = existsSync(`${dirs.blkio}/blkio.weight`) ? 'blkio.weight' : 'blkio.bfq.weight';
      assert.match(read(`${dirs.blkio}/${file}`), /300/);
    }
    cg.update({ cpu: { quota: -1 } });
    assert.equal(read(`${dirs.cpu}/cpu.cfs_quota_us`), '-1');
    cg.freeze();
    assert.equal(cg.isFrozen(), true);
    cg.thaw();
  } finally {
    cg.destroy();
  }
  for (const d of Object.values(cg.dirs())) assert.equal(existsSync(d), false, `${d} left behind`);
});
