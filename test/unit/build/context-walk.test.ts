import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listContext } from '../../../src/build/context/walk.js';
import { createMatcher } from '../../../src/build/context/dockerignore.js';

let root: string;

async function tree(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) {
      await mkdir(full, { recursive: true });
    } else {
      await mkdir(join(full, '..'), { recursive: true });
      await writeFile(full, content);
    }
  }
}

async function context(name: string, files: Record<string, string | null>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await tree(dir, files);
  return dir;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-context-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('without .dockerignore every entry is listed, in lexical walk order, directories included', async () => {
  const dir = await context('plain', { 'b.txt': 'b', 'a/z.txt': 'z', 'a/y/x.txt': 'x', 'empty': null, 'Dockerfile': 'FROM busybox\n' });
  const entries = await listContext(dir);
  assert.deepEqual(entries.map((e) => e.path), ['Dockerfile', 'a', 'a/y', 'a/y/x.txt', 'a/z.txt', 'b.txt', 'empty']);
  assert.ok(entries.find((e) => e.path === 'empty')!.stat.isDirectory());
  assert.equal(entries.find((e) => e.path === 'b.txt')!.stat.size, 1);
});

test('.dockerignore excludes; exceptions re-include below an excluded directory; the dir entry itself stays out', async () => {
  const dir = await context('ignore', {
    '.dockerignore': '# build output\nnode_modules\n*.log\n!keep.log\nvendor\n!vendor/keep\n**/*.tmp\n',
    'Dockerfile': 'FROM busybox\n',
    'app.js': '',
    'debug.log': '',
    'keep.log': '',
    'node_modules/lib/index.js': '',
    'src/a.tmp': '',
    'src/main.js': '',
    'vendor/keep/mod.go': '',
    'vendor/drop/mod.go': '',
  });
  const entries = await listContext(dir);
  assert.deepEqual(entries.map((e) => e.path), [
    '.dockerignore', 'Dockerfile', 'app.js', 'keep.log', 'src', 'src/main.js', 'vendor/keep', 'vendor/keep/mod.go',
  ]);
});

test('the Dockerfile and .dockerignore are always sent, also from a subdirectory', async () => {
  const dir = await context('always', {
    '.dockerignore': '*\n',
    'Dockerfile': 'FROM busybox\n',
    'docker/app.Dockerfile': 'FROM busybox\n',
    'docker/other': '',
    'src/main.go': '',
  });
  assert.deepEqual((await listContext(dir)).map((e) => e.path), ['.dockerignore', 'Dockerfile']);
  assert.deepEqual((await listContext(dir, { dockerfile: 'docker/app.Dockerfile' })).map((e) => e.path),
    ['.dockerignore', 'docker/app.Dockerfile']);
  assert.deepEqual((await listContext(dir, { dockerfile: null })).map((e) => e.path), ['.dockerignore']);
});

test('symbolic links are listed as links and never followed', async () => {
  const dir = await context('links', { 'real/file.txt': 'x', 'Dockerfile': 'FROM busybox\n' });
  await symlink('real', join(dir, 'link-to-dir'));
  await symlink('/etc/passwd', join(dir, 'abs-link'));
  await symlink('missing', join(dir, 'dangling'));
  const entries = await listContext(dir);
  assert.deepEqual(entries.map((e) => e.path), ['Dockerfile', 'abs-link', 'dangling', 'link-to-dir', 'real', 'real/file.txt']);
  for (const name of ['abs-link', 'dangling', 'link-to-dir']) {
    assert.ok(entries.find((e) => e.path === name)!.stat.isSymbolicLink(), name);
  }
});

test('an explicit matcher replaces the context\'s .dockerignore', async () => {
  const dir = await context('explicit', { '.dockerignore': 'a\n', 'a': '', 'b': '', 'Dockerfile': '' });
  const entries = await listContext(dir, { matcher: createMatcher('b\n') });
  assert.deepEqual(entries.map((e) => e.path), ['.dockerignore', 'Dockerfile', 'a']);
});

test('a malformed .dockerignore and an unreadable directory are errors that name the path', async () => {
  const bad = await context('bad', { '.dockerignore': '[oops\n', 'Dockerfile': '' });
  await assert.rejects(listContext(bad), /\.dockerignore line 1: syntax error in pattern "\[oops"/);
  await assert.rejects(listContext(join(root, 'does-not-exist')), /reading build context directory .*does-not-exist/);
  const locked = await context('locked', { 'Dockerfile': '', 'secret/x': '' });
  await chmod(join(locked, 'secret'), 0o000);
  try {
    if (process.getuid?.() === 0) {
      // root reads it anyway, as Docker running as root would
      assert.deepEqual((await listContext(locked)).map((e) => e.path), ['Dockerfile', 'secret', 'secret/x']);
    } else {
      await assert.rejects(listContext(locked), /secret/);
    }
  } finally {
    await chmod(join(locked, 'secret'), 0o755);
  }
});
