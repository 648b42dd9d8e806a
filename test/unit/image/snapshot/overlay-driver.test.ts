import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overlayDriver } from '../../../../src/image/snapshot/overlay.js';
import { copyDriver } from '../../../../src/image/snapshot/copy.js';
import type { Layer } from '../../../../src/image/snapshot/snapshotter-core.js';

function layers(root: string, ids: number[]): Layer[] {
  fs.mkdirSync(path.join(root, 'l'), { recursive: true });
  return ids.map((id) => {
    const dir = path.join(root, 'snapshots', String(id));
    return { key: `k${id}`, id, dir, fs: path.join(dir, 'fs'), work: path.join(dir, 'work'), link: path.join(root, 'l', String(id)) };
  });
}

test('overlay driver: the mount for each shape of snapshot, with short links made for the lowers', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ovd-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const [self, p1, p2] = layers(root, [9, 2, 1]) as [Layer, Layer, Layer];
  const d = overlayDriver(['index=off']);
  assert.deepEqual(await d.mounts(self, 'active', []), [{ type: 'bind', source: self.fs, options: ['rbind', 'rw'] }]);
  assert.deepEqual(await d.mounts(self, 'view', []), [{ type: 'bind', source: self.fs, options: ['rbind', 'ro'] }]);
  assert.deepEqual(await d.mounts(self, 'view', [p1]), [{ type: 'bind', source: p1.fs, options: ['rbind', 'ro'] }]);
  assert.deepEqual(await d.mounts(self, 'view', [p1, p2]), [{ type: 'overlay', source: 'overlay', options: ['index=off', `lowerdir=${p1.link}:${p2.link}`] }]);
  assert.deepEqual(await d.mounts(self, 'active', [p1, p2]), [{
    type: 'overlay', source: 'overlay',
    options: ['index=off', `workdir=${self.work}`, `upperdir=${self.fs}`, `lowerdir=${p1.link}:${p2.link}`],
  }]);
  assert.equal(fs.readlinkSync(p1.link), '../snapshots/2/fs');
  assert.equal(fs.readlinkSync(p2.link), '../snapshots/1/fs');
  assert.deepEqual(d.applyTarget(self), { dir: self.fs, whiteouts: 'overlay' });
  assert.deepEqual(d.changes(self, [p1]), { kind: 'overlay-upper', upper: self.fs });
});

test('copy driver: binds its own tree; changes compare against the parent tree', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cpd-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const [self, p1] = layers(root, [9, 2]) as [Layer, Layer];
  const d = copyDriver();
  assert.deepEqual(await d.mounts(self, 'active', [p1]), [{ type: 'bind', source: self.fs, options: ['rbind', 'rw'] }]);
  assert.deepEqual(await d.mounts(self, 'view', [p1]), [{ type: 'bind', source: self.fs, options: ['rbind', 'ro'] }]);
  assert.deepEqual(d.applyTarget(self), { dir: self.fs, whiteouts: 'delete' });
  assert.deepEqual(d.changes(self, [p1]), { kind: 'compare', upper: self.fs, lower: p1.fs });
  assert.deepEqual(d.changes(self, []), { kind: 'compare', upper: self.fs });
});
