import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createCgroupManager } from '../../../src/runtime/cgroup/index.js';
import { HybridManager } from '../../../src/runtime/cgroup/hybrid.js';
import type { CgroupLayout } from '../../../src/runtime/cgroup/driver.js';
import { writesUnder } from './fixture.js';
import { v1Host } from './v1-fixture.js';

const MiB = 1024 * 1024;
const read = (file: string) => readFileSync(file, 'utf8').trim();

/** This machine's shape: every controller in v1 except hugetlb, which only cgroup2 has. */
function hybridHost() {
  const h = v1Host({ hugetlbIn: 'unified' });
  const layout: CgroupLayout = { mode: 'hybrid', v1: h.mounts, unified: h.unified, unifiedControllers: ['hugetlb'] };
  return { ...h, layout };
}

test('hybrid routes each resource to the hierarchy that has its controller and tracks the process in cgroup2', () => {
  const h = hybridHost();
  try {
    const m = createCgroupManager('/berth/c1', { layout: h.layout, fs: h.fs });
    assert.ok(m instanceof HybridManager);
    m.create({ memory: { limit: 64 * MiB }, cpu: { shares: 512 }, hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }] });
    const u = `${h.unified}/berth/c1`;
    assert.deepEqual(writesUnder(h.fs, u), [['hugetlb.2MB.max', String(4 * MiB)]]);
    assert.deepEqual(writesUnder(h.fs, `${h.root}/memory/berth/c1`), [['memory.limit_in_bytes', String(64 * MiB)]]);
    assert.deepEqual(writesUnder(h.fs, `${h.root}/cpu,cpuacct/berth/c1`), [['cpu.shares', '512']]);
    // Only the v2-only controller is enabled on the unified side.
    assert.equal(read(`${h.unified}/cgroup.subtree_control`), 'hugetlb');
    assert.ok(m.procsFiles().includes(`${u}/cgroup.procs`));
    assert.equal(m.procsFiles().length, 8);
    assert.equal(m.dirs().unified, u);
    assert.equal(m.dirs().memory, `${h.root}/memory/berth/c1`);
    assert.ok(m.created().includes(`${h.unified}/berth`));

    writeFileSync(`${u}/hugetlb.2MB.current`, '2097152\n');
    writeFileSync(`${h.root}/memory/berth/c1/memory.usage_in_bytes`, '4096\n');
    writeFileSync(`${h.root}/pids/berth/c1/cgroup.procs`, '42\n');
    const s = m.stats();
    assert.deepEqual(s.hugetlb, { '2MB': { usage: 2 * MiB, limit: 4 * MiB } });
    assert.equal(s.memory.usage, 4096);
    assert.deepEqual(m.pids(), [42]);

    m.freeze();
    assert.equal(read(`${h.root}/freezer/berth/c1/freezer.state`), 'FROZEN');
    m.thaw();

    // A fresh manager from state (created list) cleans every hierarchy, unified included.
    createCgroupManager('/berth/c1', { layout: h.layout, fs: h.fs, created: m.created() }).destroy();
    for (const d of [...new Set(Object.values(h.mounts)), h.unified]) assert.equal(existsSync(`${d}/berth`), false, d);
  } finally {
    h.cleanup();
  }
});

test('hybrid refuses a section no hierarchy can enforce, and rolls back v1 dirs when the v2 side fails', () => {
  const h = hybridHost();
  try {
    const layout: CgroupLayout = { ...h.layout, unifiedControllers: [] };
    const m = createCgroupManager('/berth/c1', { layout, fs: h.fs });
    assert.throws(() => m.create({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }), /linux\.resources\.hugepageLimits: no cgroup v1 or v2 hierarchy/);
    const failing = createCgroupManager('/berth/c1', { layout: h.layout, fs: h.fs });
    assert.throws(() => failing.create({ unified: { 'nope.file': '1' } }), /unified\["nope\.file"\]/);
    assert.equal(existsSync(`${h.root}/memory/berth`), false);
    assert.equal(existsSync(`${h.unified}/berth`), false);
  } finally {
    h.cleanup();
  }
});

test('createCgroupManager rejects an unresolved path', () => {
  const h = hybridHost();
  try {
    assert.throws(() => createCgroupManager('berth/x', { layout: h.layout, fs: h.fs }), /must be absolute/);
  } finally {
    h.cleanup();
  }
});
