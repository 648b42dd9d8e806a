// The overlay snapshotter: the shared contract, overlay detection, and a 60-layer chain that only mounts
// because lowerdirs are short links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSnapshotterContract, readTree } from './snapshot-contract.js';
import { openOverlaySnapshotter } from '../../../src/image/snapshot/overlay.js';
import { openSnapshotter, overlaySupported, overlayUnsupportedReason } from '../../../src/image/snapshot/select.js';
import { mountAll, unmountAll } from '../../../src/image/snapshot/mount.js';
import { mountData, MOUNT_DATA_LIMIT } from '../../../src/image/snapshot/mount-options.js';
import { mountsAtOrBelow, parseMountInfo } from '../../../src/image/snapshot/mountinfo.js';
import { openFsOps } from '../../../src/image/native/fsops.js';

runSnapshotterContract({ name: 'overlay', open: (root) => openOverlaySnapshotter(root) });

function tempDir(t: { after(fn: () => void | Promise<void>): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ovl-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('overlay is supported here; auto picks it; a kernel without it is reported', async (t) => {
  const dir = tempDir(t);
  assert.equal(await overlaySupported(dir), true);
  assert.deepEqual(fs.readdirSync(dir), [], 'the trial mount leaves nothing behind');
  assert.equal((await openSnapshotter(path.join(dir, 'auto'), 'auto')).name, 'overlay');
  assert.equal((await openSnapshotter(path.join(dir, 'copy'), 'copy')).name, 'copy');
  const reason = await overlayUnsupportedReason(dir, { filesystems: async () => 'nodev\tproc\n\text4\n' });
  assert.match(reason!, /\/proc\/filesystems/);
});

test('a 60-layer chain mounts through short links (full paths would exceed the kernel limit)', async (t) => {
  const base = tempDir(t);
  // A root long enough that 60 "<root>/snapshots/<n>/fs" lowerdirs overflow the page but "<root>/l/<n>" fit.
  const root = path.join(base, 'r'.repeat(56 - base.length - 1));
  assert.equal(root.length, 56);
  const fsops = openFsOps();
  const target = path.join(base, 'mnt');
  t.after(async () => {
    await unmountAll(base, fsops);
    await fsops.close();
  });
  const sn = await openOverlaySnapshotter(root);
  let parent: string | undefined;
  for (let i = 1; i <= 60; i++) {
    await sn.prepare(`a${i}`, parent);
    const dir = (await sn.applyTarget(`a${i}`)).dir;
    fs.writeFileSync(path.join(dir, `f${i}`), String(i));
    fs.writeFileSync(path.join(dir, 'top'), String(i));
    await sn.commit(`L${i}`, `a${i}`);
    parent = `L${i}`;
  }
  const mounts = await sn.prepare('ctr', 'L60');
  const data = mountData(mounts[0]!.options);
  const fullPaths = data.replace(/\/l\/(\d+)/g, '/snapshots/$1/fs');
  assert.ok(data.length <= MOUNT_DATA_LIMIT && fullPaths.length > MOUNT_DATA_LIMIT, `${data.length} / ${fullPaths.length}`);
  fs.mkdirSync(target);
  await mountAll(mounts, target, fsops);
  const tree = readTree(target);
  await unmountAll(target, fsops);
  assert.equal(tree.top, '60');
  for (let i = 1; i <= 60; i++) assert.equal(tree[`f${i}`], String(i));
  assert.deepEqual(mountsAtOrBelow(parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')), base), []);
  await sn.remove('ctr');
  for (let i = 60; i >= 1; i--) await sn.remove(`L${i}`);
  assert.deepEqual(await sn.list(), []);
});
