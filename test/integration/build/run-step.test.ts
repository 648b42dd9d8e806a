// RUN steps as real containers (root): busybox's shell runs in the step's snapshot, its output reaches the build
// output, its changes become the layer, USER and WORKDIR apply, `--network=none` has only loopback, a failing
// command reports Docker's message with its code, and afterwards no runtime state, cgroup, mount or snapshot remains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BuildHarness, leftoverCgroups, realRunStep } from './harness.js';
import type { ContainerRunStep } from '../../../src/build/index.js';

let h: BuildHarness;
let step: ContainerRunStep;
const cgroupParent = `berth-build-test-${process.pid}`;
before(async () => {
  h = await BuildHarness.create();
  step = realRunStep(h, cgroupParent);
});
after(async () => {
  await h?.close();
});


test('a RUN step runs busybox sh in the snapshot: output, layer, USER and WORKDIR', async () => {
  const dir = h.context('run', {
    Dockerfile: [
      'FROM busybox',
      'WORKDIR /work',
      'RUN echo hello from run && echo made > made.txt && rm /bin/true 2>/dev/null; ip link 2>/dev/null | grep -c "^[0-9]" > /links',
      'USER app',
      'RUN id -u > /tmp/uid; pwd > /tmp/pwd',
      '',
    ].join('\n'),
  });
  await h.build(step, { contextDir: dir, tags: ['ran'], networkMode: 'none' });
  assert.match(h.output, /---> Running in [0-9a-f]{12}\nhello from run\n/);
  const got = await h.inImage('ran', (root) => ({
    made: fs.readFileSync(path.join(root, 'work/made.txt'), 'utf8'),
    uid: fs.readFileSync(path.join(root, 'tmp/uid'), 'utf8'),
    pwd: fs.readFileSync(path.join(root, 'tmp/pwd'), 'utf8'),
    hosts: fs.existsSync(path.join(root, 'etc/hosts')),
    links: fs.readFileSync(path.join(root, 'links'), 'utf8'),
  }));
  // --network=none: loopback is the only interface; the bind-mounted /etc/hosts is not part of the layer
  assert.deepEqual(got, { made: 'made\n', uid: '1000\n', pwd: '/work\n', hosts: false, links: '1\n' });
  assert.deepEqual(await h.leftovers(), []);
  assert.deepEqual(fs.readdirSync(path.join(h.tmp, 'runtime')), []);
  assert.deepEqual(fs.readdirSync(path.join(h.tmp, 'bundles')), []);
  assert.deepEqual(leftoverCgroups(cgroupParent), []);
});

test('RUN here-documents as BuildKit runs them: a script, a shebang interpreter, bodies fed to commands', async () => {
  const dir = h.context('heredoc', {
    Dockerfile: [
      'FROM busybox',
      'RUN <<EOF',
      'echo script > /script',
      'EOF',
      'RUN <<EOF',
      '#!/bin/busybox awk -f',
      'BEGIN { print "awk ran" > "/awk" }',
      'EOF',
      'RUN <<A cat > /a && <<B cat > /b',
      'one',
      'A',
      'two',
      'B',
      "RUN sh -s x <<'EOF'",
      'echo "quoted $1 \\$HOME" > /quoted',
      'EOF',
      '',
    ].join('\n'),
  });
  await h.build(step, { contextDir: dir, tags: ['heredocs'], networkMode: 'none' });
  const got = await h.inImage('heredocs', (root) => Object.fromEntries(['script', 'awk', 'a', 'b', 'quoted'].map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')])));
  assert.deepEqual(got, { script: 'script\n', awk: 'awk ran\n', a: 'one\n', b: 'two\n', quoted: 'quoted x $HOME\n' });
  assert.deepEqual(await h.leftovers(), []);
});

test('a failing RUN reports its code and output, and leaves nothing behind', async () => {
  const dir = h.context('run-fail', { Dockerfile: 'FROM busybox\nRUN echo about to fail; exit 7\n' });
  const err = await h.build(step, { contextDir: dir, networkMode: 'none' }).then(() => undefined, (e: Error) => e);
  assert.equal(err?.message, "The command '/bin/sh -c echo about to fail; exit 7' returned a non-zero code: 7");
  assert.match(h.output, /about to fail\n/);
  assert.deepEqual(await h.leftovers(), []);
  assert.deepEqual(fs.readdirSync(path.join(h.tmp, 'runtime')), []);
  assert.deepEqual(leftoverCgroups(cgroupParent), []);
});

test('the default network needs the engine: without its port the step is refused clearly', async () => {
  const dir = h.context('run-bridge', { Dockerfile: 'FROM busybox\nRUN true\n' });
  const err = await h.build(step, { contextDir: dir }).then(() => undefined, (e: Error) => e);
  assert.match(err?.message ?? '', /RUN needs the default bridge network, which only the Berth daemon provides/);
  assert.deepEqual(await h.leftovers(), []);
});
