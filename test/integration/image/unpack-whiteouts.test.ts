// Whiteouts on a real kernel: in 'overlay' mode the unpacked layer, mounted by overlayfs over a lower dir,
// hides what the layer deleted and what its opaque directories replace; in 'delete' mode the same layer
// applied to a copy of the lower tree gives exactly the merged view overlayfs shows.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { applyLayer } from '../../../src/image/unpack/apply-layer.js';
import { snapshotTree, streamOf, tarOf, withWorkspace, type FixtureEntry } from '../../fixtures/layer-tars.js';

const fsops = openFsOps();
after(() => fsops.close());

const dir = (name: string): FixtureEntry => ({ name, type: 'directory', mode: 0o755 });
const file = (name: string, content = `${name}\n`): FixtureEntry => ({ name, content });

const base = () => tarOf([
  dir('etc'), file('etc/keep'), file('etc/remove-me'), dir('etc/sub'), file('etc/sub/inner'),
  dir('var'), dir('var/cache'), file('var/cache/old1'), dir('var/cache/deep'), file('var/cache/deep/old2'),
  dir('gone-dir'), file('gone-dir/x'), dir('reborn'), file('reborn/lower-only'),
]);

const change = () => tarOf([
  dir('etc'), file('etc/.wh.remove-me', ''), file('etc/.wh.sub', ''), file('etc/new'),
  dir('var'), dir('var/cache'), file('var/cache/.wh..wh..opq', ''), file('var/cache/fresh'),
  file('.wh.gone-dir', ''),
  // A whiteout then a directory of the same name in one layer: the new directory must not show the old contents.
  file('.wh.reborn', ''), dir('reborn'), file('reborn/upper-only'),
]);

test('overlay mode: overlayfs honours the converted whiteouts and opaque directories', async () => {
  await withWorkspace(fsops, async (ws) => {
    const lower = ws.mkdir('lower');
    const layer = ws.mkdir('layer');
    await applyLayer(streamOf(await base()), lower, { whiteouts: 'overlay', fsops });
    await applyLayer(streamOf(await change()), layer, { whiteouts: 'overlay', fsops });
    const raw = await snapshotTree(layer, fsops);
    assert.equal(raw['etc/remove-me']!.type, 'char');
    assert.equal(raw['etc/remove-me']!.rdev, 0);
    assert.equal(raw['gone-dir']!.type, 'char');
    assert.equal(raw['var/cache']!.xattrs?.['trusted.overlay.opaque'], Buffer.from('y').toString('hex'));
    assert.equal(raw['reborn']!.xattrs?.['trusted.overlay.opaque'], Buffer.from('y').toString('hex'));
    assert.equal(raw['etc']!.xattrs, undefined, 'only opaque directories are marked');

    const merged = ws.mkdir('merged');
    await fsops.mount('overlay', 'overlay', merged, [`lowerdir=${layer}:${lower}`]);
    ws.mounted(merged);
    const view = await snapshotTree(merged);
    assert.deepEqual(Object.keys(view).sort(), [
      'etc', 'etc/keep', 'etc/new', 'reborn', 'reborn/upper-only', 'var', 'var/cache', 'var/cache/fresh',
    ]);

    // The same layer applied in 'delete' mode to a copy of the lower tree gives the same view.
    const full = path.join(ws.dir, 'full');
    execFileSync('cp', ['-a', lower, full]);
    await applyLayer(streamOf(await change()), full, { whiteouts: 'delete', fsops });
    assert.deepEqual(await snapshotTree(full, fsops), await snapshotTree(merged, fsops));
  });
});

test('delete mode: a whiteout removes a whole tree without following symlinks out of it', async () => {
  await withWorkspace(fsops, async (ws) => {
    const outside = ws.mkdir('outside');
    fs.writeFileSync(path.join(outside, 'precious'), 'keep me');
    const full = ws.mkdir('full');
    await applyLayer(streamOf(await tarOf([dir('d'), { name: 'd/link', type: 'symlink', linkname: outside }, file('d/f')])), full, { whiteouts: 'delete', fsops });
    await applyLayer(streamOf(await tarOf([file('.wh.d', '')])), full, { whiteouts: 'delete', fsops });
    assert.deepEqual(fs.readdirSync(full), []);
    assert.equal(fs.readFileSync(path.join(outside, 'precious'), 'utf8'), 'keep me');
  });
});
