import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCgroupPath, checkCgroupPath } from '../../../src/runtime/cgroup/path.js';

test('absolute cgroupsPath is used as is', () => {
  assert.equal(resolveCgroupPath('/kubepods/pod1/c1', 'id1'), '/kubepods/pod1/c1');
});

test('relative cgroupsPath goes under the parent (default berth, configurable)', () => {
  assert.equal(resolveCgroupPath('pod1/c1', 'id1'), '/berth/pod1/c1');
  assert.equal(resolveCgroupPath('c1', 'id1', 'berth-test-1'), '/berth-test-1/c1');
  assert.equal(resolveCgroupPath('c1', 'id1', '/a/b'), '/a/b/c1');
});

test('missing cgroupsPath becomes /<parent>/<container id>', () => {
  assert.equal(resolveCgroupPath(undefined, 'abc'), '/berth/abc');
  assert.equal(resolveCgroupPath('', 'abc', 'p'), '/p/abc');
});

test('invalid paths are refused naming linux.cgroupsPath', () => {
  for (const bad of ['../x', '/a/../b', 'a//b', '/a/', '/a/./b', 'a\0b', '/']) {
    assert.throws(() => resolveCgroupPath(bad, 'id'), /linux\.cgroupsPath/, bad);
  }
  assert.throws(() => resolveCgroupPath(undefined, 'a/b'), /container id/);
  assert.throws(() => resolveCgroupPath('x', 'id', '../up'), /cgroup parent/);
});

test('checkCgroupPath accepts resolved paths only', () => {
  assert.equal(checkCgroupPath('/berth/x'), '/berth/x');
  assert.throws(() => checkCgroupPath('berth/x'), /absolute/);
  assert.throws(() => checkCgroupPath('/'), /absolute/);
});
