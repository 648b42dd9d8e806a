// The build cache is garbage-collected with images, driven by the real docker CLI (28, legacy builder) against a
// real `berth daemon`: `docker rmi` of a built image prints dockerd's Deleted lines for its intermediate images
// and their layers, after which a rebuild misses every step and no cache entry is left; `--no-prune` keeps the
// parents, which `docker builder prune -f` then removes with their entries; `builder prune -a` drops every
// entry but never an image a tag needs; `image prune` removes what a moved tag left; the daemon sweeps entries
// whose image went while it was down. Nothing is left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BERTH, EngineDaemon, run, DOCKER, type RunResult } from '../fixtures/engine-daemon.js';

if (process.getuid?.() !== 0) throw new Error('engine build GC interop tests need root (the daemon runs RUN steps as containers)');

let d: EngineDaemon;

before(async () => {
  d = await EngineDaemon.start();
});

after(async () => {
  if (!d) return;
  const leftovers = await d.stop();
  assert.deepEqual(leftovers, []);
});

const DOCKERFILE = 'FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\nENV GC=1\nCMD ["cat", "/b.txt"]\n';

function context(name: string, text = 'gc\n'): string {
  const dir = path.join(d.tmp, 'contexts', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'a.txt'), text);
  return dir;
}

function show(r: RunResult): string {
  return `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log tail:\n${d.logs().split('\n').slice(-20).join('\n')}`;
}

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${show(r)}`);
  return r.stdout;
}

/** `DOCKER_BUILDKIT=0 docker build`: the output and the short ids of FROM's image and each step's. */
async function build(args: string[]): Promise<{ out: string; ids: string[] }> {
  const r = await run(DOCKER, ['build', ...args], { env: { ...d.dockerEnv(), DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });
  assert.equal(r.status, 0, `docker build ${args.join(' ')}: ${show(r)}`);
  return { out: r.stdout, ids: [...r.stdout.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].map((m) => m[1]!) };
}

const cacheDir = () => path.join(d.root, 'build', 'cache');
const cacheEntries = () => (fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()).filter((f) => f.endsWith('.json')).sort() : []);
const cachedSteps = (out: string) => out.split(/^(?=Step \d+\/\d+ : )/m).filter((s) => s.startsWith('Step ')).slice(1).map((s) => / ---> Using cache$/m.test(s));
const allImages = async () => (await ok(['images', '-a', '--no-trunc', '--format', '{{.ID}}'])).split('\n').filter(Boolean).sort();
const busyboxId = async () => (await ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).trim();

/** The Deleted ids of rmi/prune output, in order. */
const deletedIds = (out: string) => [...out.matchAll(/^Deleted: (sha256:[0-9a-f]{64})$/gim)].map((m) => m[1]!);

/** What a build or removal must not leave: containers, mounts under the test dir, build temp dirs. */
async function leftovers(): Promise<string[]> {
  const out: string[] = [];
  const ps = await ok(['ps', '-aq']);
  if (ps.trim()) out.push(`containers: ${ps.trim()}`);
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && mp.startsWith(d.tmp)) out.push(`mount ${mp}`);
  }
  const buildRun = path.join(d.runRoot, 'build');
  for (const f of fs.existsSync(buildRun) ? fs.readdirSync(buildRun) : []) out.push(`run/build/${f}`);
  for (const sub of ['mnt', 'tmp']) {
    const dir = path.join(d.root, 'build', sub);
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) out.push(`root/build/${sub}/${f}`);
  }
  return out;
}

test('docker rmi deletes a build\'s intermediates (Deleted lines), a rebuild then misses every step, no cache entry stays', async () => {
  const dir = context('rmi');
  const first = await build(['-t', 'gc-app', dir]);
  assert.equal(first.ids.length, 5, first.out); // FROM's image and four steps
  const steps = first.ids.slice(1);
  assert.equal(cacheEntries().length, 4);
  const again = await build(['-t', 'gc-app', dir]);
  assert.deepEqual(cachedSteps(again.out), [true, true, true, true], again.out);
  assert.equal(again.ids.at(-1), steps.at(-1));
  const listed = await allImages();
  for (const s of steps) assert.ok(listed.some((id) => id.startsWith(`sha256:${s}`)), `step image ${s} missing from images -a`);

  const r = await ok(['rmi', 'gc-app']);
  const lines = r.trim().split('\n');
  assert.equal(lines[0], 'Untagged: gc-app:latest', r);
  // dockerd's order: the image, then each parent nearest first; a layer follows the last image that held it
  // (the RUN step's after it, the COPY step's after the COPY image).
  const deleted = deletedIds(r);
  const isStep = (id: string, s: string) => id.startsWith(`sha256:${s}`);
  assert.equal(deleted.length, 6, r);
  assert.ok(isStep(deleted[0]!, steps[3]!) && isStep(deleted[1]!, steps[2]!) && isStep(deleted[2]!, steps[1]!) && isStep(deleted[4]!, steps[0]!), r);
  for (const i of [3, 5]) assert.ok(!steps.some((s) => isStep(deleted[i]!, s)), `line ${i + 2} should be a layer: ${r}`);
  assert.deepEqual(await allImages(), [await busyboxId()]);
  assert.deepEqual(cacheEntries(), [], 'the cache entries of the deleted images were swept');

  const rebuilt = await build(['-t', 'gc-app', dir]);
  assert.deepEqual(cachedSteps(rebuilt.out), [false, false, false, false], rebuilt.out);
  assert.equal(await ok(['run', '--rm', '--network', 'none', 'gc-app']), 'gc\n');
  await ok(['rmi', 'gc-app']);
  assert.deepEqual(cacheEntries(), []);
  assert.deepEqual(await allImages(), [await busyboxId()]);
  assert.deepEqual(await leftovers(), []);
});

test('docker rmi --no-prune keeps the parents; docker builder prune -f removes them with their cache entries', async () => {
  const dir = context('noprune', 'no prune\n');
  const { ids } = await build(['-t', 'gc-np', dir]);
  const steps = ids.slice(1);
  const r = await ok(['rmi', '--no-prune', 'gc-np']);
  const deleted = deletedIds(r);
  assert.ok(deleted[0]!.startsWith(`sha256:${steps[3]}`), r);
  for (const s of steps.slice(0, 3)) assert.ok(!deleted.some((id) => id.startsWith(`sha256:${s}`)), `parent ${s} deleted despite --no-prune: ${r}`);
  // The parents stay: the nearest is now a dangling <none> image, the others intermediates (images -a only).
  const listed = await allImages();
  for (const s of steps.slice(0, 3)) assert.ok(listed.some((id) => id.startsWith(`sha256:${s}`)), `parent ${s} gone`);
  const dangling = (await ok(['images', '--filter', 'dangling=true', '--format', '{{.ID}}'])).trim();
  assert.equal(dangling, steps[2]);
  assert.equal(cacheEntries().length, 3, 'only the deleted image\'s entry was swept');

  const prune = await ok(['builder', 'prune', '-f']);
  const objects = /^Deleted build cache objects:\n([\s\S]*?)\n\n/m.exec(prune);
  assert.ok(objects, prune);
  const ids2 = objects[1]!.split('\n');
  for (const s of steps.slice(0, 3)) assert.ok(ids2.some((id) => id.startsWith(`sha256:${s}`)), `builder prune did not list ${s}: ${prune}`);
  assert.equal(ids2.filter((id) => /^[0-9a-f]{64}$/.test(id)).length, 3, prune); // the three cache entries
  assert.match(prune, /^Total reclaimed space: \d+(\.\d+)?[kMG]?B$/m);
  assert.doesNotMatch(prune, /Total reclaimed space: 0B/);
  assert.deepEqual(await allImages(), [await busyboxId()]);
  assert.deepEqual(cacheEntries(), []);
  // Nothing left: a second prune reports nothing.
  assert.equal(await ok(['builder', 'prune', '-f']), 'Total reclaimed space: 0B\n');
  assert.deepEqual(await leftovers(), []);
});

test('builder prune spares what a tag needs; -a removes every entry so the next build runs every step; image prune takes what a moved tag left', async () => {
  const dir = context('prune-all', 'all\n');
  const first = await build(['-t', 'gc-all', dir]);
  assert.equal(await ok(['builder', 'prune', '-f']), 'Total reclaimed space: 0B\n');
  assert.equal(cacheEntries().length, 4);
  const prune = await ok(['builder', 'prune', '-a', '-f']);
  assert.match(prune, /^Deleted build cache objects:\n([0-9a-f]{64}\n){4}\n/, prune);
  assert.deepEqual(cacheEntries(), []);
  assert.equal(await ok(['run', '--rm', '--network', 'none', 'gc-all']), 'all\n', 'the tagged image still runs');

  const second = await build(['-t', 'gc-all', dir]);
  assert.deepEqual(cachedSteps(second.out), [false, false, false, false], second.out);
  // The tag moved: the first build's image is a dangling head, its parents intermediates.
  const dangling = (await ok(['images', '--filter', 'dangling=true', '--format', '{{.ID}}'])).trim();
  assert.equal(dangling, first.ids.at(-1));
  const imagePrune = await ok(['image', 'prune', '-f']);
  const deleted = deletedIds(imagePrune);
  for (const s of first.ids.slice(1)) assert.ok(deleted.some((id) => id.startsWith(`sha256:${s}`)), `image prune left ${s}: ${imagePrune}`);
  for (const s of second.ids.slice(1)) assert.ok(!deleted.some((id) => id.startsWith(`sha256:${s}`)), `image prune took ${s} of the tagged build: ${imagePrune}`);
  assert.equal(cacheEntries().length, 4, 'the entries of the second build stay');
  await ok(['rmi', 'gc-all']);
  assert.deepEqual(cacheEntries(), []);
  assert.deepEqual(await allImages(), [await busyboxId()]);
  assert.deepEqual(await leftovers(), []);
});

test('the daemon sweeps at start the entries whose image went while it was down; a standalone berth rmi sweeps its own', async () => {
  const dir = context('restart', 'restart\n');
  await build(['-t', 'gc-restart', dir]);
  assert.equal(cacheEntries().length, 4);
  await d.stopDaemon();
  // An entry pointing at an image that does not exist (what a crash between rmi and its sweep leaves).
  const stale = `${'ab'.repeat(32)}.json`;
  const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ef'.repeat(32)}`, size: 1 };
  fs.writeFileSync(path.join(cacheDir(), stale), JSON.stringify({ id: `sha256:${'cd'.repeat(32)}`, target }));
  await d.startDaemon();
  assert.equal(cacheEntries().length, 4);
  assert.ok(!cacheEntries().includes(stale));
  const again = await build(['-t', 'gc-restart', dir]);
  assert.deepEqual(cachedSteps(again.out), [true, true, true, true], again.out);

  // `berth rmi` without the daemon works on the store itself, and sweeps the cache itself.
  await d.stopDaemon();
  const rmi = await run(process.execPath, [BERTH, 'rmi', 'gc-restart'], { env: d.berthEnv() });
  assert.equal(rmi.status, 0, rmi.stderr);
  assert.match(rmi.stdout, /^Untagged: gc-restart:latest\n(Deleted: sha256:[0-9a-f]{64}\n){6}$/, rmi.stdout);
  assert.deepEqual(cacheEntries(), []);
  await d.startDaemon();
  assert.deepEqual(await allImages(), [await busyboxId()]);
  assert.deepEqual(await leftovers(), []);
});
