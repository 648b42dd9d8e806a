// removeTreeSync and removeTree: the whole tree goes, symbolic links are removed (never followed), a missing path is fine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeTree, removeTreeSync, unlinkIfExists } from '../../../src/common/remove-tree.js';

/** A temp dir with tmp/tree to remove and tmp/outside/keep, which links in the tree point at; removed after fn. */
async function withTree(fn: (t: { tmp: string; dir: string; outside: string }) => void | Promise<void>): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rt-'));
  try {
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'keep'), 'keep');
    const dir = path.join(tmp, 'tree');
    fs.mkdirSync(path.join(dir, 'a/b/c'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a/b/c/file'), 'x');
    fs.writeFileSync(path.join(dir, 'top'), 'y');
    // More entries than one of removeTree's batches, with sub-directories among them.
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) fs.mkdirSync(path.join(dir, `d${i}/e`), { recursive: true });
      else fs.writeFileSync(path.join(dir, `f${i}`), String(i));
    }
    fs.symlinkSync(outside, path.join(dir, 'link-to-dir'));
    fs.symlinkSync(path.join(outside, 'keep'), path.join(dir, 'a/link-to-file'));
    fs.mkdirSync(path.join(dir, 'empty'));
    fs.mkdirSync(path.join(dir, 'locked'), { mode: 0 }); // like overlayfs's work/work
    await fn({ tmp, dir, outside });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('removes a tree of files, directories, fifos and links without following the links', () => withTree(({ tmp, dir, outside }) => {
  removeTreeSync(dir);
  assert.equal(fs.existsSync(dir), false);
  assert.equal(fs.readFileSync(path.join(outside, 'keep'), 'utf8'), 'keep', 'what a link pointed at stays');
  removeTreeSync(dir); // already gone: fine
  const file = path.join(tmp, 'plain');
  fs.writeFileSync(file, 'z');
  removeTreeSync(file);
  assert.equal(fs.existsSync(file), false);
}));

test('removeTree (async) removes the same trees, wide directories too, and unlinkIfExists one file', () => withTree(async ({ tmp, dir, outside }) => {
  await removeTree(dir);
  assert.equal(fs.existsSync(dir), false);
  assert.equal(fs.readFileSync(path.join(outside, 'keep'), 'utf8'), 'keep', 'what a link pointed at stays');
  await removeTree(dir); // already gone: fine
  const file = path.join(tmp, 'plain');
  fs.writeFileSync(file, 'z');
  await unlinkIfExists(file);
  assert.equal(fs.existsSync(file), false);
  await unlinkIfExists(file); // already gone: fine
  fs.mkdirSync(file);
  await assert.rejects(unlinkIfExists(file), /EISDIR|EPERM/, 'a directory is not a file');
}));
