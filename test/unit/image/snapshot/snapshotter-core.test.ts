// The shared snapshotter logic without mounting (no root): crash repair, id allocation, in-use refusal from a
// given mount table, and commit races between processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openCopySnapshotter } from '../../../../src/image/snapshot/copy.js';
import { openOverlaySnapshotter } from '../../../../src/image/snapshot/overlay.js';
import { MetadataDir } from '../../../../src/image/snapshot/metadata-dir.js';
import { ownerToken } from '../../../../src/image/snapshot/lock.js';
import { isImageError } from '../../../../src/image/errors.js';

const COPY_JS = fileURLToPath(new URL('../../../../src/image/snapshot/copy.js', import.meta.url));

function tempRoot(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-snapcore-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const idOf = (dir: string): number => Number(path.basename(path.dirname(dir)));

test('ids are never reused, even after the newest snapshot is removed', async (t) => {
  const sn = await openCopySnapshotter(tempRoot(t));
  await sn.prepare('a');
  const a = idOf((await sn.applyTarget('a')).dir);
  await sn.remove('a');
  await sn.prepare('b');
  assert.ok(idOf((await sn.applyTarget('b')).dir) > a);
});

test('reopening repairs what a killed process left and keeps what live ones are doing', async (t) => {
  const root = tempRoot(t);
  const sn = await openCopySnapshotter(root);
  await sn.prepare('a');
  const fsDir = (await sn.applyTarget('a')).dir;
  fs.writeFileSync(path.join(fsDir, 'f'), 'data');
  await sn.commit('L1', 'a');
  const id = idOf(fsDir);
  // A commit killed between writing "L1" and deleting "a": both records name one directory.
  await new MetadataDir(path.join(root, 'metadata'), 'test').write({ id, key: 'a', kind: 'active', labels: {}, createdAt: new Date().toISOString() });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const snaps = path.join(root, 'snapshots');
  fs.mkdirSync(path.join(snaps, '99', 'fs'), { recursive: true }); // renamed into place, record never written
  fs.mkdirSync(path.join(snaps, `.tmp-${dead}_1-abcd`)); // a dead process's copy in progress
  const mine = `.tmp-${ownerToken()!.replace(' ', '_')}-beef`;
  fs.mkdirSync(path.join(snaps, mine)); // a live process's copy in progress
  fs.writeFileSync(path.join(root, 'metadata', `.tmp-${dead}_1-0000`), '{');
  fs.writeFileSync(path.join(root, `.tmp-${dead}_1-1111`), '1 1'); // a lock attempt's temp file
  fs.symlinkSync('../snapshots/77/fs', path.join(root, 'l', '77'));

  const again = await openCopySnapshotter(root);
  assert.deepEqual((await again.list()).map((i) => [i.key, i.kind]), [['L1', 'committed']]);
  assert.deepEqual(fs.readdirSync(snaps).sort(), [String(id), mine].sort());
  assert.deepEqual(fs.readdirSync(path.join(root, 'metadata')), ['L1.json']);
  assert.deepEqual(fs.readdirSync(path.join(root, 'l')), []);
  assert.deepEqual(fs.readdirSync(root).sort(), ['l', 'last-id', 'metadata', 'snapshots']);
  assert.equal(fs.readFileSync(path.join(snaps, String(id), 'fs', 'f'), 'utf8'), 'data');
  // Removing L1 now deletes its directory (no other record shares it).
  await again.remove('L1');
  assert.deepEqual(fs.readdirSync(snaps), [mine]);
});

test('remove and commit are refused while a mount table shows the snapshot in use', async (t) => {
  const root = tempRoot(t);
  let table = '';
  const sn = await openCopySnapshotter(root, { mountInfo: async () => table });
  await sn.prepare('c');
  const fsDir = (await sn.applyTarget('c')).dir;
  table = `1 0 254:0 / / rw - ext4 /dev/vda rw\n2 1 254:0 ${fsDir} /run/ctr/c rw - ext4 /dev/vda rw\n`;
  await assert.rejects(sn.remove('c'), (e) => isImageError(e, 'FailedPrecondition') && /"c"/.test(e.message) && e.message.includes('/run/ctr/c'));
  await assert.rejects(sn.commit('L', 'c'), (e) => isImageError(e, 'FailedPrecondition') && e.message.includes('/run/ctr/c'));
  table = `1 0 254:0 / / rw - ext4 /dev/vda rw\n`;
  await sn.remove('c');

  const ov = await openOverlaySnapshotter(path.join(root, 'ov'), { mountInfo: async () => table, extraOptions: [] });
  await ov.prepare('base');
  await ov.commit('L1', 'base');
  const mounts = await ov.prepare('top', 'L1');
  table += `3 1 0:40 / /run/ctr/top rw - overlay overlay rw,${mounts[0]!.options.join(',')}\n`;
  await assert.rejects(ov.remove('top'), (e) => isImageError(e, 'FailedPrecondition') && e.message.includes('/run/ctr/top'));
  await assert.rejects(ov.remove('L1'), (e) => isImageError(e, 'FailedPrecondition') && /"top"/.test(e.message));
});

// Each process prepares its own key and commits it as the same name, like concurrent pulls of one layer.
const RACER = `
const { openCopySnapshotter } = await import(process.argv[1]);
const [root, key] = process.argv.slice(2);
const sn = await openCopySnapshotter(root);
await sn.prepare(key);
try {
  await sn.commit('sha256:shared', key);
  console.log('won');
} catch (e) {
  console.log(e.kind);
}
`;

test('processes committing the same name: exactly one wins, the others get AlreadyExists', async (t) => {
  const root = tempRoot(t);
  await openCopySnapshotter(root);
  const outs = await Promise.all([1, 2, 3, 4].map((i) => new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', RACER, COPY_JS, root, `pull-${i}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`racer exited ${code}`))));
  })));
  assert.deepEqual(outs.sort(), ['AlreadyExists', 'AlreadyExists', 'AlreadyExists', 'won']);
  const sn = await openCopySnapshotter(root);
  const list = await sn.list();
  assert.equal(list.filter((i) => i.kind === 'committed').length, 1);
  assert.equal(list.filter((i) => i.kind === 'active').length, 3);
  // Every snapshot has its own directory.
  assert.equal(fs.readdirSync(path.join(root, 'snapshots')).length, 4);
});
