// The builder core against the real image layer (snapshots, layers, content store) as root, with a fake RunStep
// that edits files: config and history as dockerd writes them, layers, the cache, COPY semantics, multi-stage
// builds, ONBUILD, and that a failed build leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BuildHarness, FakeRunStep } from './harness.js';
import { inspectImage } from '../../../src/image/index.js';

let h: BuildHarness;
before(async () => {
  h = await BuildHarness.create();
});
after(async () => {
  await h?.close();
});

async function config(image: string) {
  return (await inspectImage(h.ctx, image)) as unknown as { Id: string; Config: Record<string, unknown>; Author: string; RootFS: { Layers: string[] } };
}

test('Go-style Dockerfile: WORKDIR, COPY, RUN, CMD make layers, config and history like dockerd', async () => {
  const dir = h.context('go', {
    Dockerfile: 'FROM busybox\nWORKDIR /app\nCOPY . .\nRUN write out/built yes\nCMD ["/app/server"]\n',
    'main.go': 'package main\n',
    'pkg/util.go': 'package pkg\n',
  });
  const run = new FakeRunStep();
  const r = await h.build(run, { contextDir: dir, tags: ['goapp'] });
  assert.deepEqual(r.tags, ['goapp:latest']);
  assert.match(h.output, /^Step 1\/5 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/5 : WORKDIR \/app\n/);
  assert.match(h.output, /Step 4\/5 : RUN write out\/built yes\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container/);
  assert.match(h.output, new RegExp(`Successfully built ${r.id.slice(7, 19)}\nSuccessfully tagged goapp:latest\n$`));
  assert.equal(run.requests[0]!.cwd, '/app');
  assert.deepEqual(run.requests[0]!.argv, ['/bin/sh', '-c', 'write out/built yes']);
  assert.ok(run.requests[0]!.env.some((e) => e.startsWith('PATH=')));
  const img = await config('goapp');
  assert.equal(img.Config['WorkingDir'], '/app');
  assert.deepEqual(img.Config['Cmd'], ['/app/server']);
  // busybox (1) + WORKDIR (creates /app) + COPY + RUN
  assert.equal(img.RootFS.Layers.length, 4);
  const files = await h.inImage('goapp', (root) => ({
    main: fs.readFileSync(path.join(root, 'app/main.go'), 'utf8'),
    util: fs.readFileSync(path.join(root, 'app/pkg/util.go'), 'utf8'),
    built: fs.readFileSync(path.join(root, 'app/out/built'), 'utf8'),
    owner: fs.statSync(path.join(root, 'app/main.go')).uid,
  }));
  assert.deepEqual(files, { main: 'package main\n', util: 'package pkg\n', built: 'yes', owner: 0 });
  const history = JSON.parse(fs.readFileSync(path.join(h.ctx.contentRoot, 'blobs', 'sha256', r.id.slice(7)), 'utf8')).history as { created_by: string; empty_layer?: boolean }[];
  const mine = history.slice(-4);
  assert.equal(mine[0]!.created_by, '/bin/sh -c #(nop) WORKDIR /app');
  assert.equal(mine[0]!.empty_layer, undefined);
  assert.match(mine[1]!.created_by, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \. $/);
  assert.equal(mine[2]!.created_by, '/bin/sh -c write out/built yes');
  assert.equal(mine[3]!.created_by, '/bin/sh -c #(nop)  CMD ["/app/server"]');
  assert.equal(mine[3]!.empty_layer, true);
  assert.deepEqual(await h.leftovers(), []);
});

test('an unchanged rebuild hits every step; touching one COPY source invalidates that step and the later ones', async () => {
  const dir = h.context('cache', {
    Dockerfile: 'FROM busybox\nENV A=1\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\nRUN write /c done\n',
    'a.txt': 'a', 'b.txt': 'b',
  });
  const first = await h.build(new FakeRunStep(), { contextDir: dir, tags: ['cached'] });
  const run = new FakeRunStep();
  const second = await h.build(run, { contextDir: dir, tags: ['cached'] });
  assert.equal(second.id, first.id);
  assert.equal(h.output.match(/ ---> Using cache/g)?.length, 4);
  assert.equal(run.requests.length, 0);
  fs.writeFileSync(path.join(dir, 'b.txt'), 'b2');
  const third = await h.build(new FakeRunStep(), { contextDir: dir, tags: ['cached'] });
  assert.notEqual(third.id, first.id);
  const steps = h.output.split(/^Step /m).slice(1);
  assert.deepEqual(steps.map((s) => s.includes('Using cache')), [false, true, true, false, false]);
  // mtime alone does not invalidate (Docker leaves it out of the checksum)
  fs.utimesSync(path.join(dir, 'a.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  const fourth = await h.build(new FakeRunStep(), { contextDir: dir, tags: ['cached'] });
  assert.equal(fourth.id, third.id);
  // --no-cache looks nothing up
  await h.build(new FakeRunStep(), { contextDir: dir, noCache: true });
  assert.doesNotMatch(h.output, /Using cache/);
});

test('config-only instructions: Docker\'s history strings, ENTRYPOINT resets an inherited CMD, HEALTHCHECK merges', async () => {
  const dir = h.context('meta', {
    Dockerfile: [
      'FROM busybox',
      'MAINTAINER Jane <jane@example.com>',
      'ENV A=1 B="two words"',
      'LABEL com.example.x=y',
      'EXPOSE 80 53/udp',
      'VOLUME /data/docker/logs',
      'USER app',
      'ENTRYPOINT ["java", "-jar", "/application.jar"]',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=5s --retries=3 CMD true',
      'HEALTHCHECK CMD false',
      'SHELL ["/bin/sh", "-ec"]',
      'ARG V=1',
      'ONBUILD RUN echo hi',
      '',
    ].join('\n'),
  });
  const r = await h.build(new FakeRunStep(), { contextDir: dir, tags: ['meta'], labels: { 'build.label': 'v' } });
  const img = await config('meta');
  assert.equal(img.Author, 'Jane <jane@example.com>');
  // dockerd's setDefaultPath gives every stage a PATH before its instructions (the equivalence test checks it).
  assert.deepEqual(img.Config['Env'], ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1', 'B=two words']);
  assert.deepEqual(img.Config['Labels'], { 'com.example.x': 'y', 'build.label': 'v' });
  assert.deepEqual(img.Config['ExposedPorts'], { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(img.Config['Volumes'], { '/data/docker/logs': {} });
  assert.equal(img.Config['User'], 'app');
  assert.deepEqual(img.Config['Entrypoint'], ['java', '-jar', '/application.jar']);
  assert.equal(img.Config['Cmd'], null);
  assert.deepEqual(img.Config['Healthcheck'], { Test: ['CMD-SHELL', 'false'], Interval: 5_000_000_000, Retries: 3 });
  assert.deepEqual(img.Config['Shell'], ['/bin/sh', '-ec']);
  assert.deepEqual(img.Config['OnBuild'], ['RUN echo hi']);
  const history = JSON.parse(fs.readFileSync(path.join(h.ctx.contentRoot, 'blobs', 'sha256', r.id.slice(7)), 'utf8')).history as { created_by: string; empty_layer?: boolean; author?: string }[];
  assert.deepEqual(history.slice(-14).map((e) => e.created_by), [
    '/bin/sh -c #(nop)  MAINTAINER Jane <jane@example.com>',
    '/bin/sh -c #(nop)  ENV A=1 B=two words',
    '/bin/sh -c #(nop)  LABEL com.example.x=y',
    '/bin/sh -c #(nop)  EXPOSE 53/udp 80',
    '/bin/sh -c #(nop)  VOLUME [/data/docker/logs]',
    '/bin/sh -c #(nop)  USER app',
    '/bin/sh -c #(nop)  ENTRYPOINT ["java" "-jar" "/application.jar"]',
    '/bin/sh -c #(nop)  STOPSIGNAL SIGTERM',
    `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" '\\x03'}`,
    `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "false"] "5s" "0s" "0s" '\\x03'}`,
    '/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]',
    '/bin/sh -ec #(nop)  ARG V=1',
    '/bin/sh -ec #(nop)  ONBUILD RUN echo hi',
    '/bin/sh -ec #(nop)  LABEL build.label=v',
  ]);
  assert.ok(history.slice(-14).every((e) => e.empty_layer === true && e.author === 'Jane <jane@example.com>'));
  assert.equal(img.RootFS.Layers.length, 1);

  // A build FROM it runs the trigger first; the child's OnBuild is cleared.
  const child = h.context('onbuild', { Dockerfile: 'FROM meta\nCMD ["x"]\n' });
  const run = new FakeRunStep();
  await h.build(run, { contextDir: child, tags: ['meta-child'] });
  assert.match(h.output, /# Executing 1 build trigger\n/);
  assert.deepEqual(run.requests[0]!.argv, ['/bin/sh', '-ec', 'echo hi']);
  assert.equal(run.requests[0]!.user, 'app');
  assert.equal((await config('meta-child')).Config['OnBuild'], null);
});
