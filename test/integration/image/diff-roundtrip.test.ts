// Round trips through the diff writer on a real kernel:
//  - apply → writeLayer from the overlay-format result → apply into a fresh dir → identical trees;
//  - changes made through a mounted overlay → writeLayer of its upper dir → applied (both modes) gives
//    exactly the merged view the container saw;
//  - 'compare' (copying snapshotter): writeLayer of two trees → applied to the lower gives the upper.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { applyLayer } from '../../../src/image/unpack/apply-layer.js';
import { writeLayer, writeLayerToStore } from '../../../src/image/diff/write-layer.js';
import { openContentStore } from '../../../src/image/content/local-store.js';
import type { ChangeSource } from '../../../src/image/snapshot/types.js';
import { rawTar, snapshotTree, streamOf, withWorkspace } from '../../fixtures/layer-tars.js';

const fsops = openFsOps();
after(() => fsops.close());

const CAP = Buffer.from('0100000200200000000000000000000000000000', 'hex');
const T = 1_400_000_000;

const baseLayer = () => rawTar([
  { name: 'bin', type: 'directory', mode: 0o755, mtime: T },
  { name: 'bin/tool', data: Buffer.from('tool'), mode: 0o4755, uid: 1234, gid: 1234, mtime: T, xattrs: new Map([['security.capability', CAP], ['user.a', Buffer.from([0xff, 0x00])]]) },
  { name: 'bin/alias', type: 'link', linkname: 'bin/tool' },
  { name: 'bin/sh', type: 'symlink', linkname: 'tool', mtime: T },
  { name: 'dev', type: 'directory', mode: 0o755, mtime: T },
  { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666, mtime: T },
  { name: 'dev/fifo', type: 'fifo', mode: 0o640, uid: 1234, gid: 1234, mtime: T },
  { name: 'etc', type: 'directory', mode: 0o755, mtime: T },
  { name: 'etc/remove', data: Buffer.from('bye'), mtime: T },
  { name: 'etc/modify', data: Buffer.from('old'), mtime: T },
  { name: 'etc/.wh.deleted', mtime: T },
  { name: 'opq', type: 'directory', mode: 0o700, mtime: T },
  { name: 'opq/.wh..wh..opq', mtime: T },
  { name: 'opq/kept', data: Buffer.from('k'), mtime: T },
  { name: 'tmp', type: 'directory', mode: 0o1777, mtime: T },
  { name: 'var/lib/deep/file', data: Buffer.alloc(300_000, 'd'), mtime: T },
  { name: `${'long-'.repeat(40)}ünï`, data: Buffer.from('long'), mtime: T },
]);

async function layerBytes(source: ChangeSource, compression: 'gzip' | 'zstd' | 'none'): Promise<{ bytes: Buffer; diffId: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const r = await writeLayer(source, out, { fsops, compression });
  return { bytes: Buffer.concat(chunks), diffId: r.diffId };
}

test('apply → writeLayer (overlay upper) → apply: identical trees, same diffId on the way back', async () => {
  await withWorkspace(fsops, async (ws) => {
    const a = ws.mkdir('a');
    await applyLayer(streamOf(baseLayer()), a, { whiteouts: 'overlay', fsops });
    for (const compression of ['gzip', 'zstd', 'none'] as const) {
      const { bytes, diffId } = await layerBytes({ kind: 'overlay-upper', upper: a }, compression);
      const b = ws.mkdir(`b-${compression}`);
      const applied = await applyLayer(streamOf(bytes), b, { whiteouts: 'overlay', fsops });
      assert.equal(applied.diffId, diffId);
      assert.deepEqual(await snapshotTree(b, fsops), await snapshotTree(a, fsops), compression);
    }
    // Writing the same tree twice gives the same bytes (sorted, deterministic headers).
    const one = await layerBytes({ kind: 'overlay-upper', upper: a }, 'none');
    const two = await layerBytes({ kind: 'overlay-upper', upper: a }, 'none');
    assert.ok(one.bytes.equals(two.bytes));
  });
});

test('changes made through a mounted overlay, committed from its upper dir, reproduce the merged view', async () => {
  await withWorkspace(fsops, async (ws) => {
    const lower = ws.mkdir('lower');
    await applyLayer(streamOf(baseLayer()), lower, { whiteouts: 'overlay', fsops });
    const [upper, work, merged] = [ws.mkdir('upper'), ws.mkdir('work'), ws.mkdir('merged')];
    await fsops.mount('overlay', 'overlay', merged, [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`]);
    ws.mounted(merged);
    const m = (p: string) => path.join(merged, p);
    // What a container might do.
    fs.writeFileSync(m('etc/new'), 'new file');
    fs.writeFileSync(m('etc/modify'), 'new content, longer');
    fs.rmSync(m('etc/remove'));
    fs.chmodSync(m('tmp'), 0o1770);
    fs.lchownSync(m('bin/sh'), 4321, 4321);
    fs.rmSync(m('var/lib'), { recursive: true });
    fs.mkdirSync(m('var/lib'));
    fs.writeFileSync(m('var/lib/replaced'), 'r');
    fs.writeFileSync(m('etc/pair1'), 'linked');
    fs.linkSync(m('etc/pair1'), m('etc/pair2'));
    fs.symlinkSync('/etc/new', m('etc/sym'));
    await fsops.setxattr(m('etc/new'), 'user.note', Buffer.from('hi'));
    await fsops.mknod(m('dev/zero'), 0o020666, 1, 5);
    fs.rmSync(m('dev/null'));
    for (const p of ['etc/new', 'etc/modify', 'var/lib/replaced', 'etc/pair1']) fs.utimesSync(m(p), T + 10, T + 10);
    fs.lutimesSync(m('etc/sym'), T + 11, T + 11);
    fs.utimesSync(m('dev/zero'), T + 12, T + 12);
    const expected = await snapshotTree(merged, fsops);
    await fsops.umount(merged);

    const { bytes } = await layerBytes({ kind: 'overlay-upper', upper }, 'gzip');
    // As a new overlay layer over the same lower.
    const layer = ws.mkdir('layer');
    await applyLayer(streamOf(bytes), layer, { whiteouts: 'overlay', fsops });
    const view = ws.mkdir('view');
    await fsops.mount('overlay', 'overlay', view, [`lowerdir=${layer}:${lower}`]);
    ws.mounted(view);
    assert.deepEqual(await snapshotTree(view, fsops), expected);
    // Applied for real onto a copy of the lower tree.
    const full = path.join(ws.dir, 'full');
    execFileSync('cp', ['-a', lower, full]);
    await applyLayer(streamOf(bytes), full, { whiteouts: 'delete', fsops });
    const fullTree = await snapshotTree(full, fsops);
    // The copy still has the lower's own overlay markers for what the base layer deleted; the merged view hides them.
    for (const [p, e] of Object.entries(fullTree)) if (e.type === 'char' && e.rdev === 0) delete fullTree[p];
    for (const e of Object.values(fullTree)) if (e.xattrs) delete e.xattrs['trusted.overlay.opaque'];
    for (const e of Object.values(fullTree)) if (e.xattrs && !Object.keys(e.xattrs).length) delete e.xattrs;
    assert.deepEqual(fullTree, expected);
  });
});

test('compare source: the layer between two full trees turns the lower into the upper', async () => {
  await withWorkspace(fsops, async (ws) => {
    const lower = ws.mkdir('lower');
    await applyLayer(streamOf(baseLayer()), lower, { whiteouts: 'delete', fsops });
    const upper = path.join(ws.dir, 'upper');
    execFileSync('cp', ['-a', '--preserve=all', lower, upper]);
    const u = (p: string) => path.join(upper, p);
    fs.rmSync(u('bin/sh'));
    fs.symlinkSync('other', u('bin/sh'));
    fs.writeFileSync(u('etc/modify'), 'changed!');
    fs.rmSync(u('var'), { recursive: true });
    fs.writeFileSync(u('var'), 'now a file');
    fs.chownSync(u('dev/fifo'), 0, 0);
    fs.chmodSync(u('dev/fifo'), 0o640);
    await fsops.setxattr(u('etc/remove'), 'user.added', Buffer.from('x'));
    fs.mkdirSync(u('new/dir'), { recursive: true });
    fs.writeFileSync(u('new/dir/f'), 'f');
    fs.rmSync(u('opq/kept'));
    for (const p of ['bin', 'etc', 'opq', 'dev']) fs.utimesSync(u(p), T, T);

    const store = openContentStore(path.join(ws.dir, 'store'));
    const { descriptor, diffId } = await writeLayerToStore({ kind: 'compare', lower, upper }, store, { fsops, compression: 'zstd' });
    const target = path.join(ws.dir, 'target');
    execFileSync('cp', ['-a', '--preserve=all', lower, target]);
    const applied = await applyLayer(store.reader(descriptor.digest), target, { whiteouts: 'delete', fsops, compression: 'zstd' });
    assert.equal(applied.diffId, diffId);
    assert.deepEqual(await snapshotTree(target, fsops), await snapshotTree(upper, fsops));
  });
});
