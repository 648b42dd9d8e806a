// removeTreeSync and removeTree never empty a filesystem mounted below the tree (a rootfs whose unmount failed): it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { removeTree, removeTreeSync } from '../../src/common/remove-tree.js';

test('a mount point below the tree is refused and what is mounted there stays', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rt-'));
  const mnt = path.join(tmp, 'run/rootfs');
  fs.mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  try {
    fs.writeFileSync(path.join(mnt, 'container-file'), 'data');
    assert.throws(() => removeTreeSync(path.join(tmp, 'run')), /another filesystem is mounted there \(unmount it first\)/);
    assert.equal(fs.readFileSync(path.join(mnt, 'container-file'), 'utf8'), 'data');
    await assert.rejects(removeTree(path.join(tmp, 'run')), /another filesystem is mounted there \(unmount it first\)/);
    assert.equal(fs.readFileSync(path.join(mnt, 'container-file'), 'utf8'), 'data');
  } finally {
    execFileSync('umount', [mnt]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
