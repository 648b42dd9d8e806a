// RUN --mount without containers: targets under WORKDIR, sources confined to their root, the cache-key parts (a
// bound file's content counts, a cache mount's content does not), cache mount instances and their sharing modes
// (locked serialises, private takes a fresh directory, shared joins), the copies behind rw binds, and the OCI
// mounts the run step makes of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanSource, contextSource, mountTarget, planRunMounts, type RunMountEnv } from '../../../../src/build/builder/run-mounts.js';
import { acquireCacheMount, cacheMountPath } from '../../../../src/build/run/cache-mounts.js';
import { runMountSpecs } from '../../../../src/build/run/container-run-step.js';
import { copyTree } from '../../../../src/build/run/tree-copy.js';
import { parseRunMount, type RunMount } from '../../../../src/build/dockerfile/index.js';
import type { BuildDeps, ImageState } from '../../../../src/build/builder/types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-run-mounts-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

function context(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function env(contextDir: string, included: string[], stateDir = path.join(tmp, 'state')): RunMountEnv {
  return {
    deps: {} as BuildDeps, stateDir, contextDir, included: new Set(included), line: 7,
    image: (from) => Promise.reject(new Error(`no image ${from} in this test`)) as Promise<ImageState>,
  };
}

const mounts = (...specs: string[]): RunMount[] => specs.map((s) => parseRunMount(s));

test('targets: relative ones are under WORKDIR; the root and a missing target are refused with the line', () => {
  assert.equal(mountTarget('cache', '/app', 3), '/app/cache');
  assert.equal(mountTarget('/a/../b/', '/app', 3), '/b');
  assert.throws(() => mountTarget('/', '/app', 3), /^BuildError: RUN --mount on line 3: invalid mount target "\/"/);
  assert.throws(() => mountTarget('..', '/', 3), /invalid mount target/);
  assert.throws(() => mountTarget(undefined, '/', 3), /RUN --mount on line 3: target is required/);
});

test('sources: relative to their root, `..` leaving it is refused', () => {
  assert.equal(cleanSource(undefined, 1, 'x'), '.');
  assert.equal(cleanSource('/', 1, 'x'), '.');
  assert.equal(cleanSource('/a/../b/', 1, 'x'), 'b');
  assert.throws(() => cleanSource('a/../../b', 1, 'the build context'), /source a\/\.\.\/\.\.\/b is outside the build context/);
});

test('context sources: links leading out and excluded entries are refused, links inside are followed', () => {
  const dir = context('ctx-src', { 'd/f': 'x', hidden: 'h' });
  fs.symlinkSync('/etc', path.join(dir, 'out'));
  fs.symlinkSync('d', path.join(dir, 'in'));
  const included = new Set(['d', 'd/f', 'out', 'in']);
  assert.deepEqual(contextSource(dir, included, 'in', 2), { abs: path.join(fs.realpathSync(dir), 'd'), rel: 'd' });
  assert.throws(() => contextSource(dir, included, 'out', 2), /source out is a symbolic link leading outside the build context \(to \/etc\)/);
  assert.throws(() => contextSource(dir, included, 'hidden', 2), /source hidden was not found in the build context/);
  assert.throws(() => contextSource(dir, included, 'nope', 2), /source nope was not found/);
});

test('cache key: a bound file content counts, a cache mount content does not; secret and duplicate targets are refused', async () => {
  const dir = context('ctx-key', { 'dep.txt': 'v1', other: 'o' });
  const e = env(dir, ['dep.txt', 'other']);
  const ms = mounts('source=dep.txt,target=/dep', 'type=cache,target=/c');
  const k1 = (await planRunMounts(e, ms, '/')).key;
  assert.equal(k1.length, 2);
  assert.deepEqual(k1[0], { type: 'cache', target: '/c', id: '/c', sharing: 'shared', readOnly: false });
  fs.writeFileSync(path.join(dir, 'other'), 'changed');
  fs.mkdirSync(cacheMountPath(e.stateDir, '/c'), { recursive: true });
  fs.writeFileSync(path.join(cacheMountPath(e.stateDir, '/c'), 'f'), 'cached');
  assert.deepEqual((await planRunMounts(e, ms, '/')).key, k1);
  fs.writeFileSync(path.join(dir, 'dep.txt'), 'v2');
  assert.notDeepEqual((await planRunMounts(e, ms, '/')).key, k1);
  await assert.rejects(planRunMounts(e, mounts('type=secret,id=tok'), '/'), /RUN --mount on line 7: type=secret is not supported/);
  await assert.rejects(planRunMounts(e, mounts('type=tmpfs,target=/t', 'type=cache,target=t'), '/'), /two mounts have the target \/t/);
  await assert.rejects(planRunMounts(e, mounts('type=cache,target=/c,source=x'), '/'), /source=x on a cache mount needs from=/);
});

test('open: ro binds are direct, rw and filtered ones are copies removed on release; parents come first', async () => {
  const dir = context('ctx-open', { 'src/a': 'a', 'src/skip': 's' });
  const state = path.join(tmp, 'state-open');
  const e = env(dir, ['src', 'src/a'], state);
  const planned = await planRunMounts(e, mounts('target=/x/y,source=src/a', 'target=/x,source=src', 'type=tmpfs,target=/t,size=1k', 'target=/w,source=src/a,rw'), '/');
  const opened = await planned.open();
  assert.deepEqual(opened.mounts.map((m) => m.target), ['/t', '/w', '/x', '/x/y']);
  const [tmpfs, rw, filtered, direct] = opened.mounts as [any, any, any, any];
  assert.deepEqual(tmpfs, { type: 'tmpfs', target: '/t', readOnly: false, size: 1024 });
  assert.equal(direct.source, path.join(fs.realpathSync(dir), 'src/a'));
  assert.equal(rw.readOnly, false);
  assert.ok(rw.source.startsWith(path.join(state, 'tmp')));
  assert.deepEqual(fs.readdirSync(filtered.source), ['a'], '.dockerignore\'d entries are not in the mounted copy');
  await opened.release();
  assert.deepEqual(fs.readdirSync(path.join(state, 'tmp')), []);
  assert.deepEqual(runMountSpecs(opened.mounts).map((m) => [m.destination, m.type, m.options.join(',')]), [
    ['/t', 'tmpfs', 'nosuid,rw,size=1024'], ['/w', 'bind', 'rbind,rprivate,rw'], ['/x', 'bind', 'rbind,rprivate,ro'], ['/x/y', 'bind', 'rbind,rprivate,ro'],
  ]);
});

test('cache instances: created with mode, owner and seed; locked serialises; private takes a fresh dir; shared joins', async () => {
  const state = path.join(tmp, 'state-cache');
  const req = { id: 'go', mode: 0o750, uid, gid };
  const a = await acquireCacheMount(state, { ...req, sharing: 'locked', seed: (d) => fs.writeFileSync(path.join(d, 'seeded'), 's') });
  assert.equal(a.dir, cacheMountPath(state, 'go'));
  assert.equal(fs.statSync(a.dir).mode & 0o7777, 0o750);
  assert.ok(fs.existsSync(path.join(a.dir, 'seeded')));
  let bGot: string | undefined;
  const b = acquireCacheMount(state, { ...req, sharing: 'locked' }).then((h) => ((bGot = h.dir), h));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(bGot, undefined, 'a second locked step waits');
  const p = await acquireCacheMount(state, { ...req, sharing: 'private' });
  assert.equal(p.dir, `${a.dir}-1`, 'private: the first instance is in use, so a new one');
  assert.equal(fs.readdirSync(p.dir).length, 0);
  a.release();
  a.release();
  const bHeld = await b;
  assert.equal(bHeld.dir, a.dir, 'released: the locked step gets the first instance');
  const s1 = await acquireCacheMount(state, { ...req, sharing: 'shared' });
  const s2 = await acquireCacheMount(state, { ...req, sharing: 'shared' });
  assert.equal(s1.dir, `${a.dir}-2`);
  assert.equal(s2.dir, s1.dir, 'shared steps use one instance together');
  for (const h of [bHeld, p, s1, s2]) h.release();
  assert.equal((await acquireCacheMount(state, { ...req, sharing: 'private' })).dir, a.dir);
  assert.deepEqual(fs.readdirSync(path.dirname(a.dir)).filter((n) => n.includes('.new-')), []);
});

test('copyTree keeps modes, mtimes and links (never following them) and applies the filter', () => {
  const src = context('tree', { 'd/f': 'x', 'd/skip': 'y' });
  fs.chmodSync(path.join(src, 'd/f'), 0o640);
  fs.utimesSync(path.join(src, 'd/f'), new Date(1e9), new Date(1e9));
  fs.symlinkSync('/etc/passwd', path.join(src, 'd/link'));
  const dst = path.join(tmp, 'tree-copy');
  copyTree(path.join(src, 'd'), dst, (p) => !p.endsWith('skip'));
  assert.deepEqual(fs.readdirSync(dst).sort(), ['f', 'link']);
  const st = fs.statSync(path.join(dst, 'f'));
  assert.deepEqual([st.mode & 0o7777, st.mtimeMs], [0o640, 1e9]);
  assert.equal(fs.readlinkSync(path.join(dst, 'link')), '/etc/passwd');
});
