// RUN --mount with real containers (root): cache mounts persist between builds and stay out of the image, bind
// mounts read the context (read-only by default, rw writes discarded, .dockerignore respected) or an earlier stage,
// a changed bound file invalidates the RUN's cache, tmpfs is empty and not in the layer; secret/ssh and sources
// escaping the context are refused with the line; nothing (mount, snapshot, copy, cgroup, runtime state) remains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BuildHarness, leftoverCgroups, realRunStep } from './harness.js';
import type { ContainerRunStep } from '../../../src/build/index.js';
import { cacheMountPath } from '../../../src/build/run/cache-mounts.js';

let h: BuildHarness;
let step: ContainerRunStep;
const cgroupParent = `berth-build-mount-test-${process.pid}`;
before(async () => {
  h = await BuildHarness.create();
  step = realRunStep(h, cgroupParent);
});
after(async () => {
  await h?.close();
});


/** Everything a finished build must not leave: the harness's list, copies in tmp/, runtime state, cgroups. */
async function assertClean(): Promise<void> {
  assert.deepEqual(await h.leftovers(), []);
  for (const dir of ['runtime', 'bundles']) {
    const p = path.join(h.tmp, dir);
    assert.deepEqual(fs.existsSync(p) ? fs.readdirSync(p) : [], [], dir);
  }
  assert.deepEqual(leftoverCgroups(cgroupParent), []);
}

const build = (dir: string, tags: string[] = []) => h.build(step, { contextDir: dir, tags, networkMode: 'none' });
const failure = (dir: string) => build(dir).then(() => assert.fail('the build should fail'), (e: Error) => e);
const read = (root: string, p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const exists = (root: string, p: string) => fs.lstatSync(path.join(root, p), { throwIfNoEntry: false }) !== undefined;

test('a cache mount persists between builds, keeps its owner and mode, and is not in the image', async () => {
  const first = h.context('cache-1', {
    Dockerfile: 'FROM busybox\nRUN --mount=type=cache,target=/deep/cache echo one > /deep/cache/f && ls -A /deep/cache > /seen1\n',
  });
  await build(first, ['cache-one']);
  // another Dockerfile (no cache hit), same cache id (the target): it sees what the first build wrote
  const second = h.context('cache-2', {
    Dockerfile: [
      'FROM busybox',
      'RUN --mount=type=cache,target=/deep/cache cat /deep/cache/f > /seen2 && echo two >> /deep/cache/f',
      'USER app',
      'RUN --mount=type=cache,id=owned,target=/home/app/c,uid=1000,gid=1001,mode=0700 touch /home/app/c/mine && stat -c %u:%g:%a /home/app/c > /tmp/owner',
      '',
    ].join('\n'),
  });
  await build(second, ['cache-two']);
  const one = await h.inImage('cache-one', (root) => ({ seen: read(root, 'seen1'), deep: exists(root, 'deep') }));
  assert.deepEqual(one, { seen: 'f\n', deep: false });
  const two = await h.inImage('cache-two', (root) => ({ seen: read(root, 'seen2'), deep: exists(root, 'deep'), owner: read(root, 'tmp/owner'), home: exists(root, 'home/app/c') }));
  assert.deepEqual(two, { seen: 'one\n', deep: false, owner: '1000:1001:700\n', home: false });
  const stateDir = path.join(h.root, 'build');
  assert.equal(fs.readFileSync(path.join(cacheMountPath(stateDir, '/deep/cache'), 'f'), 'utf8'), 'one\ntwo\n');
  const owned = fs.statSync(cacheMountPath(stateDir, 'owned'));
  assert.deepEqual([owned.uid, owned.gid, owned.mode & 0o7777], [1000, 1001, 0o700]);
  assert.ok(fs.existsSync(path.join(cacheMountPath(stateDir, 'owned'), 'mine')));
  await assertClean();
});

test('bind mounts of the context: read-only by default, rw writes discarded, .dockerignore respected, under WORKDIR', async () => {
  const dir = h.context('bind', {
    Dockerfile: [
      'FROM busybox',
      'WORKDIR /app',
      'RUN --mount=target=src cat src/data.txt > /read && ls -A src | sort > /listed && (echo x > src/new 2>/dev/null && echo writable || echo read-only) > /ro',
      'RUN --mount=source=sub/file.txt,target=/one.txt cat /one.txt > /file',
      'RUN --mount=target=/src,rw echo changed > /src/data.txt && cat /src/data.txt > /rw',
      'RUN --mount=target=/src cat /src/data.txt > /after',
      '',
    ].join('\n'),
    '.dockerignore': 'ignored.txt\n',
    'data.txt': 'original\n',
    'ignored.txt': 'not sent\n',
    'sub/file.txt': 'in sub\n',
  });
  await build(dir, ['bound']);
  const got = await h.inImage('bound', (root) => ({
    read: read(root, 'read'), listed: read(root, 'listed'), ro: read(root, 'ro'), file: read(root, 'file'), rw: read(root, 'rw'), after: read(root, 'after'),
    targets: ['app/src', 'one.txt', 'src'].filter((p) => exists(root, p)),
  }));
  assert.deepEqual(got, {
    read: 'original\n', listed: '.dockerignore\nDockerfile\ndata.txt\nsub\n', ro: 'read-only\n', file: 'in sub\n', rw: 'changed\n', after: 'original\n', targets: [],
  });
  assert.equal(fs.readFileSync(path.join(dir, 'data.txt'), 'utf8'), 'original\n');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['.dockerignore', 'Dockerfile', 'data.txt', 'ignored.txt', 'sub']);
  await assertClean();
});

test('a bind mount from an earlier stage (read-only, or a throw-away copy with rw), and a cache seeded from it', async () => {
  const dir = h.context('bind-stage', {
    Dockerfile: [
      'FROM busybox AS build',
      'RUN mkdir /out && echo built > /out/result.txt',
      'FROM busybox',
      'RUN --mount=from=build,source=/out,target=/in cat /in/result.txt > /got && (touch /in/x 2>/dev/null && echo writable || echo read-only) >> /got',
      'RUN --mount=from=0,source=out/result.txt,target=/r.txt,rw echo more >> /r.txt && cat /r.txt >> /got',
      // a new cache is seeded from the stage; the seed is copied, the stage is untouched
      'RUN --mount=type=cache,id=seeded,target=/c,from=build,source=/out cat /c/result.txt >> /got && echo again > /c/result.txt',
      'RUN --mount=from=build,source=/out,target=/in cat /in/result.txt >> /got',
      '',
    ].join('\n'),
  });
  await build(dir, ['from-stage']);
  const got = await h.inImage('from-stage', (root) => ({ got: read(root, 'got'), in: exists(root, 'in'), r: exists(root, 'r.txt'), out: exists(root, 'out'), c: exists(root, 'c') }));
  assert.deepEqual(got, { got: 'built\nread-only\nbuilt\nmore\nbuilt\nbuilt\n', in: false, r: false, out: false, c: false });
  assert.equal(fs.readFileSync(path.join(cacheMountPath(path.join(h.root, 'build'), 'seeded'), 'result.txt'), 'utf8'), 'again\n');
  await assertClean();
});

test('changing a bound file invalidates the RUN; changing another file does not', async () => {
  const dir = h.context('bind-cache', {
    Dockerfile: 'FROM busybox\nRUN --mount=source=dep.txt,target=/dep.txt cat /dep.txt > /dep\n',
    'dep.txt': 'v1\n',
    'other.txt': 'x\n',
  });
  const ran = () => /---> Running in/.test(h.output);
  await build(dir, ['dep']);
  assert.ok(ran());
  await build(dir, ['dep']);
  assert.ok(!ran() && /---> Using cache/.test(h.output), h.output);
  fs.writeFileSync(path.join(dir, 'other.txt'), 'y\n');
  await build(dir, ['dep']);
  assert.ok(!ran(), 'a file that is not bound does not matter');
  fs.writeFileSync(path.join(dir, 'dep.txt'), 'v2\n');
  await build(dir, ['dep']);
  assert.ok(ran(), 'the bound file changed: the RUN runs again');
  assert.equal(await h.inImage('dep', (root) => read(root, 'dep')), 'v2\n');
  await assertClean();
});

test('a tmpfs mount is empty, sized, and not in the layer', async () => {
  const dir = h.context('tmpfs', {
    Dockerfile: 'FROM busybox\nRUN --mount=type=tmpfs,target=/scratch,size=1m ls -A /scratch | wc -l > /count && echo x > /scratch/y && grep " /scratch " /proc/mounts > /mounts\n',
  });
  await build(dir, ['tmpfs']);
  const got = await h.inImage('tmpfs', (root) => ({ count: read(root, 'count').trim(), mounts: read(root, 'mounts'), scratch: exists(root, 'scratch') }));
  assert.equal(got.count, '0');
  assert.match(got.mounts, /^tmpfs \/scratch tmpfs \S*size=1024k/);
  assert.equal(got.scratch, false);
  await assertClean();
});

test('secret and ssh mounts are refused with the line and the reason', async () => {
  const secret = await failure(h.context('secret', { Dockerfile: 'FROM busybox\n\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n' }));
  assert.match(secret.message, /^RUN --mount on line 3: type=secret is not supported: .*legacy build API.*forward secrets/);
  const ssh = await failure(h.context('ssh', { Dockerfile: 'FROM busybox\nRUN --mount=type=ssh ssh-add -l\n' }));
  assert.match(ssh.message, /^RUN --mount on line 2: type=ssh is not supported: .*SSH agent/);
  await assertClean();
});

test('bind sources cannot leave the context, and excluded or missing ones are not found', async () => {
  const outside = h.context('escape', {
    Dockerfile: 'FROM busybox\nRUN --mount=source=../escape-secret,target=/x cat /x\n',
  });
  fs.writeFileSync(path.join(path.dirname(outside), 'escape-secret'), 'host file\n');
  assert.match((await failure(outside)).message, /^RUN --mount on line 2: source \.\.\/escape-secret is outside the build context/);
  const link = h.context('escape-link', { Dockerfile: 'FROM busybox\nRUN --mount=source=etc,target=/x ls /x\n' });
  fs.symlinkSync('/etc', path.join(link, 'etc'));
  assert.match((await failure(link)).message, /^RUN --mount on line 2: source etc is a symbolic link leading outside the build context/);
  const ignored = h.context('ignored', { Dockerfile: 'FROM busybox\nRUN --mount=source=hidden,target=/x cat /x\n', '.dockerignore': 'hidden\n', hidden: 'h\n' });
  assert.match((await failure(ignored)).message, /source hidden was not found in the build context/);
  const stage = h.context('escape-stage', { Dockerfile: 'FROM busybox AS a\nFROM busybox\nRUN --mount=from=a,source=../../etc,target=/x ls /x\n' });
  assert.match((await failure(stage)).message, /^RUN --mount on line 3: source \.\.\/\.\.\/etc is outside from=a/);
  assert.doesNotMatch(h.output, /Running in/);
  await assertClean();
});
