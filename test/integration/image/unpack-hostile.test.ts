// Hostile layers, as root (so nothing is stopped by permissions alone): each escape is refused with an
// ImageError naming the entry and the rule, and nothing next to the target changes — a canary file and a
// directory the layer's symlinks point at stay exactly as they were, in both whiteout modes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isImageError } from '../../../src/image/errors.js';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { applyLayer } from '../../../src/image/unpack/apply-layer.js';
import { hostileLayers, makeSentinel, snapshotTree, streamOf, tarOf, withWorkspace } from '../../fixtures/layer-tars.js';

const fsops = openFsOps();
after(() => fsops.close());

/** Everything in the sentinel except the target itself. */
async function outsideState(root: string): Promise<object> {
  const tree = await snapshotTree(root, fsops);
  return Object.fromEntries(Object.entries(tree).filter(([p]) => p !== 'target' && !p.startsWith('target/')));
}

for (const mode of ['overlay', 'delete'] as const) {
  test(`hostile battery (${mode} mode): refused, nothing outside the target changes`, async () => {
    await withWorkspace(fsops, async (ws) => {
      const names = (await hostileLayers('/unused')).map((c) => c.name);
      assert.ok(names.length >= 20);
      for (const name of names) {
        const s = makeSentinel(ws.dir);
        const hostile = (await hostileLayers(s.outside)).find((c) => c.name === name)!;
        const before = await outsideState(s.root);
        const rootBefore = fs.readdirSync('/').sort();
        await assert.rejects(
          applyLayer(streamOf(hostile.tar, 1024), s.target, { whiteouts: mode, fsops, limits: hostile.limits }),
          (e) => {
            assert.ok(isImageError(e, 'InvalidArgument'), `${name}: ${(e as Error).message}`);
            assert.match((e as Error).message, hostile.error, name);
            return true;
          },
        );
        assert.deepEqual(await outsideState(s.root), before, `${name}: something outside the target changed`);
        assert.deepEqual(fs.readdirSync('/').sort(), rootBefore, `${name}: something appeared in /`);
        assert.equal(fs.existsSync('/abs-pwned'), false);
      }
    });
  });
}

test('replacing a symlink that points outside replaces the link itself, never its target', async () => {
  for (const mode of ['overlay', 'delete'] as const) {
    await withWorkspace(fsops, async (ws) => {
      const s = makeSentinel(ws.dir);
      const before = await outsideState(s.root);
      await applyLayer(streamOf(await tarOf([
        { name: 'evil', type: 'symlink', linkname: '../outside' },
        { name: 'evil', type: 'directory' },
        { name: 'canary', type: 'symlink', linkname: s.canary },
        { name: 'canary', content: 'replaced inside' },
        { name: 'ln', type: 'symlink', linkname: `${s.outside}/keep` },
        { name: 'ln', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'hl-src', type: 'symlink', linkname: `${s.outside}/keep` },
        { name: 'hl', type: 'link', linkname: 'hl-src' }, // a hardlink to the symlink itself, not its target
      ])), s.target, { whiteouts: mode, fsops });
      assert.deepEqual(await outsideState(s.root), before);
      assert.ok(fs.lstatSync(path.join(s.target, 'evil')).isDirectory());
      assert.equal(fs.readFileSync(path.join(s.target, 'canary'), 'utf8'), 'replaced inside');
      assert.ok(fs.lstatSync(path.join(s.target, 'ln')).isCharacterDevice());
      assert.ok(fs.lstatSync(path.join(s.target, 'hl')).isSymbolicLink());
    });
  }
});

test('a layer that fails part-way leaves no files outside the target and reports the entry', async () => {
  await withWorkspace(fsops, async (ws) => {
    const s = makeSentinel(ws.dir);
    const before = await outsideState(s.root);
    await assert.rejects(
      applyLayer(streamOf(await tarOf([{ name: 'ok', content: 'fine' }, { name: 'evil', type: 'symlink', linkname: '/' }, { name: 'evil/tmp/x', content: 'no' }])), s.target, { whiteouts: 'delete', fsops }),
      /layer entry "evil\/tmp\/x": parent "evil" is a symlink/,
    );
    assert.deepEqual(await outsideState(s.root), before);
    assert.equal(fs.existsSync('/tmp/x'), false);
  });
});
