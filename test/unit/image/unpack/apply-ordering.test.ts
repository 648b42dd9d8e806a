// Files and symlinks are created off the main thread while the tar is parsed on; every later entry that
// depends on one of them must see it finished. Each layer here is applied with a writer that runs every
// job late and in random order (so any missing wait shows), with the worker-thread pool, and with the
// inline (strictly sequential) writer — all must give the same tree, in both whiteout modes, on top of
// the same lower tree.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FsOps } from '../../../../src/image/native/fsops.js';
import { applyLayer } from '../../../../src/image/unpack/apply-layer.js';
import { FileWriterPool } from '../../../../src/image/unpack/file-writer-pool.js';
import { inlineFileWriter, type FileWriter } from '../../../../src/image/unpack/file-writer.js';
import { snapshotTree, streamOf, tarOf, type FixtureEntry } from '../../../fixtures/layer-tars.js';

const pool = new FileWriterPool({ threads: 2 });
after(() => pool.close());

// berth-fsops stands in: mknod leaves a placeholder, xattrs are recorded.
const fsops: FsOps = {
  async mknod(file) {
    try {
      fs.writeFileSync(file, '', { flag: 'wx' });
    } catch (err) {
      throw Object.assign(new Error('exists'), { errno: (err as NodeJS.ErrnoException).code === 'EEXIST' ? 17 : 5 });
    }
  },
  async setxattr() {},
  async xattrs() {
    return new Map();
  },
  async mount() {},
  async umount() {},
  async pinNetns() {}, async run() { throw new Error("not used here"); },
  async close() {},
};

/** Runs each job after a random delay, so jobs finish in any order and long after they were queued. */
function shuffledWriter(): FileWriter {
  const inline = inlineFileWriter();
  const later = <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => setTimeout(() => fn().then(resolve, reject), Math.random() * 4));
  return {
    writeFile: (abs, meta, data) => later(() => inline.writeFile(abs, meta, data)),
    openFile(abs, meta) {
      const pieces: Buffer[] = [];
      return { write: (p) => void pieces.push(p), end: () => later(() => inline.writeFile(abs, meta, pieces)) };
    },
    symlink: (abs, target, meta) => later(() => inline.symlink(abs, target, meta)),
    ready: () => undefined,
  };
}

const dir = (name: string, extra: Partial<FixtureEntry> = {}): FixtureEntry => ({ name, type: 'directory', ...extra });
const file = (name: string, content: string | Buffer = name, extra: Partial<FixtureEntry> = {}): FixtureEntry => ({ name, content, ...extra });
const sym = (name: string, linkname: string): FixtureEntry => ({ name, type: 'symlink', linkname });
const link = (name: string, linkname: string): FixtureEntry => ({ name, type: 'link', linkname });

const lower: FixtureEntry[] = [dir('lower'), file('lower/a'), dir('lower/sub'), file('lower/sub/b'), dir('opq'), file('opq/old'), file('plain')];

// Many small files first, so the dependent entries find writes still in flight.
const many = (prefix: string, n: number): FixtureEntry[] => Array.from({ length: n }, (_, i) => file(`${prefix}/f${i}`, `${prefix} ${i}\n`));

const layers: [string, FixtureEntry[]][] = [
  ['a file, then a directory at its path, then a file inside', [dir('x'), ...many('x', 40), file('p', 'file first'), dir('p'), file('p/inner')]],
  ['a directory full of new files, then a symlink replacing the directory', [dir('d'), ...many('d', 60), sym('d', 'elsewhere')]],
  ['the same file twice: the last one wins', [dir('y'), ...many('y', 30), file('twice', 'one'), ...many('y2', 20), file('twice', 'two')]],
  ['hardlinks to files just written, large and small', [dir('h'), ...many('h', 30), file('h/big', Buffer.alloc(700_000, 7)), link('h/big-link', 'h/big'), link('h/small-link', 'h/f29')]],
  ['whiteouts and an opaque directory after files of this layer', [
    dir('opq'), ...many('opq', 30), file('opq/.wh..wh..opq', ''), file('mine'), file('.wh.mine', ''), file('.wh.plain', ''), file('lower/.wh.sub', ''),
  ]],
  ['a directory with files replaced by a file, then a directory again', [dir('r'), ...many('r', 40), file('r', 'now a file'), dir('r'), file('r/again')]],
  ['a symlink over a file written just before, and a file over a symlink', [dir('s'), ...many('s', 30), file('s/t', 'target'), sym('s/t', 'f1'), sym('s/u', 'f2'), file('s/u', 'real')]],
  ['streamed files mixed with small ones in many directories', Array.from({ length: 12 }, (_, d) => [dir(`m${d}`), ...many(`m${d}`, 10), file(`m${d}/big`, Buffer.alloc(300_000 + d, d))]).flat()],
];

for (const mode of ['delete', 'overlay'] as const) {
  for (const [name, entries] of layers) {
    test(`${mode} mode: ${name}`, async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-order-'));
      try {
        const trees = [];
        for (const [which, files] of [['shuffled', shuffledWriter()], ['pool', pool.channel()], ['inline', inlineFileWriter()]] as const) {
          const target = path.join(root, which);
          fs.mkdirSync(target);
          if (mode === 'delete') await applyLayer(streamOf(await tarOf(lower)), target, { whiteouts: mode, fsops, files });
          await applyLayer(streamOf(await tarOf(entries), 7000), target, { whiteouts: mode, fsops, files });
          const tree = await snapshotTree(target);
          // Directories the layer has no entry for (implicit parents, parents of deleted entries) carry the
          // time they were changed, which differs between the two runs.
          for (const e of Object.values(tree)) if (e.type === 'dir') delete e.mtime;
          trees.push(tree);
        }
        assert.deepEqual(trees[0], trees[2], 'jobs finishing late and out of order change nothing');
        assert.deepEqual(trees[1], trees[2], 'the worker-thread pool changes nothing');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
}

test('a write failing in a worker fails the layer, and nothing is still writing when it returns', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-order-'));
  try {
    // A file whose parent the layer makes read-only for everyone but root would not fail for root; an
    // unwritable name does: NAME_MAX is 255 bytes.
    const entries = [dir('z'), ...many('z', 100), file(`z/${'n'.repeat(300)}`), ...many('z2', 100)];
    await assert.rejects(applyLayer(streamOf(await tarOf(entries)), root, { whiteouts: 'overlay', fsops, files: pool.channel() }), /ENAMETOOLONG/);
    const count = () => fs.readdirSync(path.join(root, 'z')).length;
    const before = count();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(count(), before, 'no file appeared after applyLayer returned');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
