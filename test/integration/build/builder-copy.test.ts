// COPY/ADD and multi-stage builds against the real image layer (root), with a fake RunStep: --chown names from the
// image's /etc/passwd and /etc/group, --chmod, file vs directory destinations, ADD of a local tar and of a URL,
// COPY --from a stage, --target, and the failures (outside the context, symlink escapes, missing files, a failing
// RUN) that must leave no snapshot, mount or scratch file behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BuildHarness, FakeRunStep } from './harness.js';
import { inspectImage, pruneImages, resolveImage } from '../../../src/image/index.js';

let h: BuildHarness;
before(async () => {
  h = await BuildHarness.create();
});
after(async () => {
  await h?.close();
});

test('COPY --chown names, --chmod, file and directory destinations', async () => {
  const dir = h.context('copy', {
    Dockerfile: [
      'FROM busybox',
      'COPY --chown=app:apps one.txt /dst/',
      'COPY --chown=1000 one.txt /renamed.txt',
      'COPY --chmod=0700 tree /tree',
      'COPY one.txt two.txt /both/',
      'COPY t*.txt /glob/',
      '',
    ].join('\n'),
    'one.txt': '1', 'two.txt': '2', 'tree/a/b.txt': 'b',
  });
  fs.chmodSync(path.join(dir, 'one.txt'), 0o640);
  await h.build(new FakeRunStep(), { contextDir: dir, tags: ['copy'] });
  const got = await h.inImage('copy', (root) => {
    const st = (p: string) => fs.lstatSync(path.join(root, p));
    return {
      dst: [st('dst/one.txt').uid, st('dst/one.txt').gid, st('dst/one.txt').mode & 0o777],
      dstDir: [st('dst').uid, st('dst').gid, st('dst').mode & 0o777],
      renamed: [st('renamed.txt').uid, st('renamed.txt').gid, st('renamed.txt').isFile()],
      tree: [st('tree/a/b.txt').mode & 0o777, st('tree/a').mode & 0o777, fs.readFileSync(path.join(root, 'tree/a/b.txt'), 'utf8')],
      both: fs.readdirSync(path.join(root, 'both')).sort(),
      glob: fs.readdirSync(path.join(root, 'glob')).sort(),
    };
  });
  assert.deepEqual(got.dst, [1000, 1001, 0o640]);
  assert.deepEqual(got.dstDir, [1000, 1001, 0o755]);
  assert.deepEqual(got.renamed, [1000, 1000, true]);
  assert.deepEqual(got.tree, [0o700, 0o700, 'b']);
  assert.deepEqual(got.both, ['one.txt', 'two.txt']);
  assert.deepEqual(got.glob, ['tree', 'two.txt'].filter((n) => n !== 'tree'));
  assert.deepEqual(await h.leftovers(), []);
});

test('ADD of a local tar unpacks it; ADD of a URL downloads it with Last-Modified as mtime and mode 0600', async () => {
  const dir = h.context('add', { 'payload/x/y.txt': 'inside' });
  await new Promise<void>((resolve, reject) => {
    const c = spawn('tar', ['-C', path.join(dir, 'payload'), '-czf', path.join(dir, 'p.tar.gz'), '.']);
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${code}`))));
  });
  const server = http.createServer((req, res) => {
    res.setHeader('Last-Modified', 'Wed, 21 Oct 2015 07:28:00 GMT');
    res.end(`served ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM busybox\nADD p.tar.gz /opt/\nADD http://127.0.0.1:${port}/files/app.jar /srv/\n`);
    await h.build(new FakeRunStep(), { contextDir: dir, tags: ['add'] });
    const got = await h.inImage('add', (root) => ({
      tar: fs.readFileSync(path.join(root, 'opt/x/y.txt'), 'utf8'),
      jar: fs.readFileSync(path.join(root, 'srv/app.jar'), 'utf8'),
      mode: fs.statSync(path.join(root, 'srv/app.jar')).mode & 0o777,
      mtime: fs.statSync(path.join(root, 'srv/app.jar')).mtime.toISOString(),
    }));
    assert.deepEqual(got, { tar: 'inside', jar: 'served /files/app.jar', mode: 0o600, mtime: '2015-10-21T07:28:00.000Z' });
  } finally {
    server.close();
  }
  assert.deepEqual(await h.leftovers(), []);
});

test('multi-stage: COPY --from a named stage, --target stops early, unneeded stages are skipped', async () => {
  const dir = h.context('multi', {
    Dockerfile: [
      'FROM busybox AS build',
      'RUN write /out/bin built-binary',
      'FROM busybox AS unused',
      'RUN write /never x',
      'FROM scratch',
      'COPY --from=build /out/bin /app',
      'CMD ["/app"]',
      '',
    ].join('\n'),
  });
  const run = new FakeRunStep();
  const r = await h.build(run, { contextDir: dir, tags: ['multi'] });
  assert.equal(run.requests.length, 1, 'the unused stage is skipped');
  assert.match(h.output, /Step 1\/5 : FROM busybox AS build\n/);
  const img = (await inspectImage(h.ctx, r.id)) as unknown as { RootFS: { Layers: string[] } };
  assert.equal(img.RootFS.Layers.length, 1);
  assert.equal(await h.inImage('multi', (root) => fs.readFileSync(path.join(root, 'app'), 'utf8')), 'built-binary');
  const t = await h.build(new FakeRunStep(), { contextDir: dir, target: 'build', tags: ['multi-build'] });
  assert.match(h.output, /Step 2\/2 : RUN/);
  assert.notEqual(t.id, r.id);
});

async function failing(files: Record<string, string>, name: string, links: Record<string, string> = {}): Promise<Error> {
  const dir = h.context(name, files);
  for (const [l, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, l));
  const err = await h.build(new FakeRunStep(), { contextDir: dir }).then(() => undefined, (e: Error) => e);
  assert.ok(err, `${name}: the build should fail`);
  assert.deepEqual(await h.leftovers(), [], `${name}: leftovers`);
  return err;
}

test('bad builds fail clearly and leave nothing behind', async () => {
  let e = await failing({ Dockerfile: 'FROM busybox\nCOPY ../etc/passwd /x\n' }, 'outside');
  assert.match(e.message, /forbidden path outside the build context: \.\.\/etc\/passwd/);
  e = await failing({ Dockerfile: 'FROM busybox\nCOPY link /x\n' }, 'symlink', { link: '/etc' });
  assert.match(e.message, /forbidden path outside the build context: link/);
  e = await failing({ Dockerfile: 'FROM busybox\nCOPY missing.txt /x\n' }, 'missing');
  assert.match(e.message, /file not found in build context or excluded by \.dockerignore: stat missing.txt: file does not exist/);
  e = await failing({ Dockerfile: 'FROM busybox\nCOPY secret.txt /x\n', 'secret.txt': 's', '.dockerignore': 'secret.txt\n' }, 'ignored');
  assert.match(e.message, /excluded by \.dockerignore/);
  e = await failing({ Dockerfile: 'FROM busybox\nRUN write /a 1 && fail 3 broken-step\n' }, 'run');
  assert.equal(e.message, "The command '/bin/sh -c write /a 1 && fail 3 broken-step' returned a non-zero code: 3");
  assert.match(h.output, /broken-step\n/);
  e = await failing({ Dockerfile: 'FROM busybox\nCOPY a b /x\n', a: '', b: '' }, 'multi-dest');
  assert.match(e.message, /must be a directory and end with a \//);
  e = await failing({ Dockerfile: 'FROM busybox\nFOOBAR x\n' }, 'syntax');
  assert.match(e.message, /dockerfile parse error on line 2: unknown instruction: FOOBAR/);
  const pdir = h.context('platform', { Dockerfile: 'FROM busybox\n' });
  e = await h.build(new FakeRunStep(), { contextDir: pdir, platform: 'linux/s390x' }).then(() => new Error('built'), (x: Error) => x);
  assert.match(e.message, /platform linux\/s390x is not supported: this builder builds for the host platform/);
});

test('a cached COPY --from does not mount its source again; a changed source stage is copied afresh', async () => {
  const dir = h.context('copy-from-memo', {
    Dockerfile: [
      'FROM busybox AS src',
      'COPY a.txt /out/a.txt',
      'FROM busybox',
      'COPY --from=src /out/a.txt /a.txt',
      'COPY --from=busybox:latest /etc/passwd /copied-passwd',
      '',
    ].join('\n'),
    'a.txt': 'first',
  });
  // Count the read-only views the builder mounts (COPY --from mounts its source as one).
  const snapshots = h.ctx.snapshots;
  const view = snapshots.view.bind(snapshots);
  let views = 0;
  snapshots.view = (...args: Parameters<typeof view>) => {
    views++;
    return view(...args);
  };
  try {
    await h.build(new FakeRunStep(), { contextDir: dir, tags: ['memo'] });
    assert.equal(views, 2, 'the first build mounts both sources');
    const first = h.output;
    views = 0;
    const again = await h.build(new FakeRunStep(), { contextDir: dir, tags: ['memo'] });
    assert.equal(views, 0, `a fully cached build mounted ${views} source view(s)`);
    assert.equal((h.output.match(/Using cache/g) ?? []).length, 3, h.output);
    assert.match(first, new RegExp(`Successfully built ${again.id.slice(7, 19)}`), 'the rebuild gives the same image');
    // The source stage changes: its image id changes, so its COPY --from resolves (and mounts) again, and the
    // step after it runs again too (its parent changed), which needs its source mounted to copy from.
    fs.writeFileSync(path.join(dir, 'a.txt'), 'second');
    views = 0;
    await h.build(new FakeRunStep(), { contextDir: dir, tags: ['memo'] });
    assert.equal(views, 2, h.output);
    assert.equal((h.output.match(/Using cache/g) ?? []).length, 0, h.output);
    assert.equal(await h.inImage('memo', (root) => fs.readFileSync(path.join(root, 'a.txt'), 'utf8')), 'second');
  } finally {
    snapshots.view = view;
  }
  assert.deepEqual(await h.leftovers(), []);
});

test('an image prune while a build runs cannot take what the build stands on (the build holds a lease)', async () => {
  const dir = h.context('lease', {
    Dockerfile: [
      'FROM busybox AS first',
      'RUN write /made-in-first first',
      'FROM busybox',
      'RUN prune',
      'COPY --from=first /made-in-first /copied',
      '',
    ].join('\n'),
  });
  // The RUN of the second stage prunes images: the first stage's image is then an unnamed head nothing uses.
  const pruned: string[] = [];
  const step = new FakeRunStep();
  const pruning = {
    async run(req: Parameters<FakeRunStep['run']>[0]): Promise<number> {
      if (req.argv.join(' ').includes('prune')) {
        const { items } = await pruneImages(h.ctx);
        for (const i of items) if ('Deleted' in i) pruned.push(i.Deleted);
      }
      return step.run(req);
    },
  };
  const result = await h.build(pruning, { contextDir: dir, tags: ['leased'], noCache: true });
  assert.ok(pruned.length > 0, 'the prune removed the first stage\'s image');
  assert.equal(await h.inImage('leased', (root) => fs.readFileSync(path.join(root, 'copied'), 'utf8')), 'first');
  // The image is whole: every layer blob is in the content store.
  const { group } = await resolveImage(h.ctx, result.id);
  for (const l of group.image.manifest.layers) assert.ok(await h.ctx.content.has(l.digest), `layer ${l.digest} of the built image is missing`);
  assert.deepEqual(fs.readdirSync(path.join(h.ctx.contentRoot, 'leases')).filter((f) => f.endsWith('.json')), [], 'the lease is released');
  assert.deepEqual(await h.leftovers(), []);
});
