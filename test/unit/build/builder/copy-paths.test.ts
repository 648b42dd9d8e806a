// COPY's path rules without root: globs as Go's filepath.Match, destinations under WORKDIR, sources kept inside the
// context, and user/group names from an image's passwd and group files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { globRegex, resolveSource } from '../../../../src/build/builder/copy-sources.js';
import { normalizeDest } from '../../../../src/build/builder/copy-step.js';
import { resolveChown, resolveUser } from '../../../../src/build/builder/passwd.js';
import { resolveInRoot } from '../../../../src/build/builder/scoped-path.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-copy-paths-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('globs: * and ? stop at /, classes and escapes work', () => {
  assert.ok(globRegex('*.txt').test('a.txt'));
  assert.ok(!globRegex('*.txt').test('d/a.txt'));
  assert.ok(globRegex('d/?.t[xy]t').test('d/a.tyt'));
  assert.ok(!globRegex('[^a]*').test('abc'));
  assert.ok(globRegex('a\\*').test('a*'));
});

test('destinations: relative ones go under WORKDIR and keep a trailing slash', () => {
  assert.equal(normalizeDest('x/', '/app'), '/app/x/');
  assert.equal(normalizeDest('.', '/app'), '/app');
  assert.equal(normalizeDest('f', undefined), '/f');
  assert.equal(normalizeDest('/abs', '/app'), '/abs');
});

test('sources stay in the context: ../, links out, and ignored files are refused', () => {
  const ctx = path.join(tmp, 'ctx');
  fs.mkdirSync(path.join(ctx, 'd'), { recursive: true });
  fs.writeFileSync(path.join(ctx, 'd/f'), 'x');
  fs.symlinkSync('/etc', path.join(ctx, 'out'));
  fs.symlinkSync('d', path.join(ctx, 'in'));
  const root = { dir: ctx, included: new Set(['d', 'd/f', 'out', 'in']), verb: 'COPY' };
  assert.throws(() => resolveSource(root, '../x'), /forbidden path outside the build context: \.\.\/x/);
  assert.throws(() => resolveSource(root, 'out'), /forbidden path outside the build context: out/);
  assert.equal(resolveSource(root, 'in')[0]!.isDir, true);
  assert.throws(() => resolveSource({ ...root, included: new Set(['d']) }, 'd/f'), /excluded by \.dockerignore/);
  assert.deepEqual(resolveSource(root, 'd/*').map((s) => s.name), ['f']);
});

test('paths in an image root never leave it, even through absolute or ../ links', () => {
  const r = path.join(tmp, 'rootfs');
  fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
  fs.symlinkSync('/../../etc', path.join(r, 'up'));
  assert.equal(resolveInRoot(r, '/up/passwd'), path.join(r, 'etc/passwd'));
  assert.equal(resolveInRoot(r, '../../x'), path.join(r, 'x'));
});

test('--chown and USER resolve names in the image', () => {
  const r = path.join(tmp, 'users');
  fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(r, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n');
  fs.writeFileSync(path.join(r, 'etc/group'), 'root:x:0:\napps:x:1001:\n');
  assert.deepEqual(resolveChown(r, 'app:apps'), { uid: 1000, gid: 1001 });
  assert.deepEqual(resolveChown(r, '5:6'), { uid: 5, gid: 6 });
  assert.throws(() => resolveChown(r, 'app'), /unable to find group app/);
  assert.throws(() => resolveChown(r, 'nobody:0'), /unable to find user nobody/);
  assert.deepEqual(resolveUser(r, 'app'), { uid: 1000, gid: 1001, additionalGids: [] });
  assert.deepEqual(resolveUser(r, ''), { uid: 0, gid: 0, additionalGids: [] });
});
