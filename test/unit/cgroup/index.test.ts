import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCgroupManager, HybridManager, V1Manager, V2Manager, type CgroupLayout } from '../../../src/runtime/cgroup/index.js';
import { v1Host } from './v1-fixture.js';
import { v2Host } from './v2-fixture.js';

test('createCgroupManager picks the manager matching the layout mode', () => {
  const h1 = v1Host();
  const h2 = v2Host();
  try {
    const v1: CgroupLayout = { mode: 'v1', v1: h1.mounts, unifiedControllers: [] };
    const v2: CgroupLayout = { mode: 'v2', v1: {}, unified: h2.root, unifiedControllers: ['memory', 'pids'] };
    const hybrid: CgroupLayout = { mode: 'hybrid', v1: h1.mounts, unified: h1.unified, unifiedControllers: [] };
    assert.ok(createCgroupManager('/berth/a', { layout: v1, fs: h1.fs }) instanceof V1Manager);
    const m2 = createCgroupManager('/berth/a', { layout: v2, fs: h2.fs });
    assert.ok(m2 instanceof V2Manager);
    m2.create({ memory: { limit: 1 << 20 }, pids: { limit: 4 } });
    assert.deepEqual(m2.dirs(), { unified: `${h2.root}/berth/a` });
    m2.destroy();
    assert.ok(createCgroupManager('/berth/a', { layout: hybrid, fs: h1.fs }) instanceof HybridManager);
  } finally {
    h1.cleanup();
    h2.cleanup();
  }
});
