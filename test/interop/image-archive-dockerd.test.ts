// Image archives between Berth and dockerd (Debian's docker.io 20.10, started here with its own data root,
// exec root and socket, no bridge and no iptables, driven by the real docker CLI): `docker save` output
// loads into Berth with the same image ids and layers, and Berth's `save` loads into dockerd, which runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { ImageHarness } from '../integration/image/harness.js';
import { openImageContext, type ImageContext } from '../../src/image/context.js';
import { importImage } from '../../src/image/ops/import.js';
import { loadImages } from '../../src/image/ops/load.js';
import { saveImages } from '../../src/image/ops/save.js';
import { inspectImage } from '../../src/image/ops/image-view.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-archive-dockerd-'));
const env = { ...process.env, DOCKER_HOST: `unix://${tmp}/docker.sock` };
const h = new ImageHarness();
let dockerd: ChildProcess | undefined;
let ctx: ImageContext;
let rootfsTar: string;

function docker(args: string[], timeout = 120_000) {
  return spawnSync('docker', args, { encoding: 'utf8', env, timeout });
}

function dockerOk(args: string[]): string {
  const r = docker(args);
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Docker's view of an image: id and RootFS.Layers. */
function dockerImage(ref: string): { id: string; layers: string[] } {
  const [id, layers] = dockerOk(['image', 'inspect', '-f', '{{.Id}} {{json .RootFS.Layers}}', ref]).split(' ');
  return { id: id!, layers: JSON.parse(layers!) as string[] };
}

before(async () => {
  fs.chmodSync(tmp, 0o755);
  dockerd = spawn('dockerd', [
    '--data-root', `${tmp}/data`, '--exec-root', `${tmp}/exec`, '--pidfile', `${tmp}/docker.pid`,
    '-H', `unix://${tmp}/docker.sock`, '--bridge=none', '--iptables=false', '--ip6tables=false',
  ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(tmp, 'dockerd.log'), 'w')] });
  for (let i = 0; i < 300 && docker(['version']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(docker(['version']).status, 0, `dockerd did not come up: ${fs.readFileSync(path.join(tmp, 'dockerd.log'), 'utf8').slice(-2000)}`);
  const rootfs = makeBusyboxRootfs(path.join(tmp, 'rootfs'));
  rootfsTar = path.join(tmp, 'rootfs.tar');
  assert.equal(spawnSync('tar', ['-C', rootfs, '-cf', rootfsTar, '.']).status, 0);
  ctx = await openImageContext({ root: h.root });
});

after(async () => {
  if (dockerd && dockerd.exitCode === null) {
    const exited = new Promise((r) => dockerd!.once('exit', r));
    dockerd.kill('SIGTERM');
    await exited;
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp)).map((l) => l.split(' ')[4]!);
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(tmp, { recursive: true, force: true });
  const left = h.mounts();
  h.cleanup();
  assert.deepEqual(left, [], 'Berth mounts left behind');
});

test('docker save (two imported images sharing a layer) → Berth load: same ids and RootFS.Layers', async () => {
  dockerOk(['import', '-c', 'CMD ["sh"]', rootfsTar, 'from-docker/busybox:1']);
  dockerOk(['import', '-m', 'second', rootfsTar, 'from-docker/busybox:2']);
  const archive = path.join(tmp, 'docker-saved.tar');
  dockerOk(['save', '-o', archive, 'from-docker/busybox:1', 'from-docker/busybox:2']);
  // dockerd 20.10 stores the shared layer once and links the other image's layer.tar to it.
  const listing = spawnSync('tar', ['-tvf', archive], { encoding: 'utf8' }).stdout;
  assert.match(listing, /layer\.tar -> \.\.\/\w+\/layer\.tar/);

  const statuses: string[] = [];
  const r = await loadImages(ctx, fs.createReadStream(archive), { progress: (e) => !e.id && statuses.push(e.status) });
  // dockerd writes manifest.json entries in Go map order, so the order of the names varies.
  assert.deepEqual([...r.names].sort(), ['from-docker/busybox:1', 'from-docker/busybox:2']);
  assert.deepEqual([...statuses].sort(), ['Loaded image: from-docker/busybox:1', 'Loaded image: from-docker/busybox:2']);
  for (const tag of ['1', '2']) {
    const theirs = dockerImage(`from-docker/busybox:${tag}`);
    const ours = await inspectImage(ctx, `from-docker/busybox:${tag}`);
    assert.equal(ours.Id, theirs.id);
    assert.deepEqual((ours.RootFS as { Layers: string[] }).Layers, theirs.layers);
  }
  assert.deepEqual(((await inspectImage(ctx, 'from-docker/busybox:1')).Config as { Cmd: string[] }).Cmd, ['sh']);
  assert.equal((await inspectImage(ctx, 'from-docker/busybox:2')).Comment, 'second');
});

test('Berth import → save → docker load: same id and layers, and dockerd runs it', async () => {
  const { id } = await importImage(ctx, fs.createReadStream(rootfsTar), { reference: 'from-berth/busybox:1', changes: ['CMD ["sh"]'] });
  const archive = path.join(tmp, 'berth-saved.tar');
  await saveImages(ctx, ['from-berth/busybox:1'], fs.createWriteStream(archive));
  assert.match(dockerOk(['load', '-i', archive]), /^Loaded image: from-berth\/busybox:1$/m);
  const theirs = dockerImage('from-berth/busybox:1');
  assert.equal(theirs.id, id);
  assert.deepEqual(theirs.layers, ((await inspectImage(ctx, id)).RootFS as { Layers: string[] }).Layers);
  assert.equal(dockerOk(['image', 'inspect', '-f', '{{json .Config.Cmd}}', 'from-berth/busybox:1']), '["sh"]');
  const run = docker(['run', '--rm', '--network', 'none', 'from-berth/busybox:1', 'echo', 'ok']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'ok\n');

  // And back: what dockerd saves of Berth's image loads into a fresh Berth root as the same image.
  const back = path.join(tmp, 'round-trip.tar');
  dockerOk(['save', '-o', back, 'from-berth/busybox:1']);
  const fresh = new ImageHarness();
  try {
    const c2 = await openImageContext({ root: fresh.root });
    assert.deepEqual(await loadImages(c2, fs.createReadStream(back)), { names: ['from-berth/busybox:1'], ids: [id] });
  } finally {
    fresh.cleanup();
  }
});
