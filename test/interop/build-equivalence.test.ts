// Builder equivalence with Docker: every Dockerfile of test/fixtures/dockerfiles/corpus.ts is built with
// `DOCKER_BUILDKIT=0 docker build` (the real docker CLI) against a real `berth daemon` and against a private dockerd
// (Debian's docker.io 20.10, legacy builder, own data/exec roots and socket, no bridge, no iptables), both from the
// same busybox image (Berth's, `berth save` | `docker load`). The image configs must agree field by field and the
// root filesystems (`docker create` + `docker export`) entry by entry: path, type, mode, uid/gid, link target and
// content hash. A difference fails its subtest with the exact list of differences.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import tar from 'tar-stream';
import { EngineDaemon, BERTH, DOCKER, run, type RunResult } from '../fixtures/engine-daemon.js';
import { CORPUS, writeContext, type BuildCase } from '../fixtures/dockerfiles/corpus.js';

if (process.getuid?.() !== 0) throw new Error('build equivalence tests need root (both daemons run containers)');

/** The image config fields compared (the list, plus OnBuild for the ONBUILD cases). */
const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'] as const;
/** Files the daemons create in a container at run time, not part of the image (ignored in the comparison). */
const RUNTIME_FILES = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv']);
/** What dockerd's per-container init layer adds (mount points and /etc/mtab) and `docker export` includes: not the
 *  image's. Ignored on dockerd's side only when Berth's container lacks the path (if both have it, it is compared). */
const DOCKERD_INIT_LAYER = new Set(['dev', 'dev/console', 'dev/pts', 'dev/shm', 'etc', 'etc/mtab', 'proc', 'sys']);

interface Engine { name: 'berth' | 'dockerd'; env: NodeJS.ProcessEnv; logs: () => string }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-equiv-'));
const dockerdRoot = path.join(tmp, 'dockerd');
const dockerdCgroup = `berth-equiv-dockerd-${randomBytes(4).toString('hex')}`;
let berthd: EngineDaemon | undefined;
let dockerd: ChildProcess | undefined;
let berth: Engine;
let docker: Engine;

const tail = (s: string, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);

async function must(e: Engine, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await run(DOCKER, args, { env: { ...e.env, ...extraEnv }, timeoutMs: 300_000 });
  assert.equal(r.status, 0, `${e.name}: docker ${args.join(' ')} exited ${r.status}\nstdout: ${tail(r.stdout)}\nstderr: ${r.stderr}\n--- ${e.name} log ---\n${tail(e.logs())}`);
  return r;
}

/** Processes whose command line names our temp dir (dockerd's containerd and shims): ours, ended by pid. */
function ourProcesses(): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(tmp)) pids.push(Number(d));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

before(async () => {
  fs.chmodSync(tmp, 0o755);
  berthd = await EngineDaemon.start();
  const b = berthd;
  berth = { name: 'berth', env: { ...b.dockerEnv(), DOCKER_BUILDKIT: '0' }, logs: () => b.logs() };

  fs.mkdirSync(dockerdRoot);
  const log = path.join(dockerdRoot, 'dockerd.log');
  fs.writeFileSync(path.join(dockerdRoot, 'daemon.json'), '{}');
  dockerd = spawn('dockerd', ['--config-file', path.join(dockerdRoot, 'daemon.json'), '--data-root', `${dockerdRoot}/data`,
    '--exec-root', `${dockerdRoot}/exec`, '--pidfile', `${dockerdRoot}/docker.pid`, '-H', `unix://${dockerdRoot}/docker.sock`,
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--cgroup-parent', dockerdCgroup], { stdio: ['ignore', 'ignore', fs.openSync(log, 'w')] });
  docker = {
    name: 'dockerd',
    env: { ...process.env, DOCKER_HOST: `unix://${dockerdRoot}/docker.sock`, DOCKER_CONFIG: b.dockerConfig, DOCKER_CLI_HINTS: 'false', DOCKER_BUILDKIT: '0' },
    logs: () => fs.readFileSync(log, 'utf8'),
  };
  for (let i = 0; i < 300 && dockerd.exitCode === null; i++) {
    if ((await run(DOCKER, ['version'], { env: docker.env })).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await must(docker, ['version']);

  // The same base image in both: Berth's busybox, saved and loaded into dockerd.
  const saved = await new Promise<Buffer>((resolve, reject) => {
    const c = spawn(process.execPath, [BERTH, 'save', 'busybox:latest'], { env: b.berthEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`berth save busybox:latest exited ${code}: ${err}`))));
  });
  const archive = path.join(tmp, 'busybox.tar');
  fs.writeFileSync(archive, saved);
  await must(docker, ['load', '-i', archive]);
  const ids = await Promise.all([berth, docker].map(async (e) => (await must(e, ['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest'])).stdout.trim()));
  assert.equal(ids[0], ids[1], 'busybox:latest differs between the daemons');
});

after(async () => {
  const left: string[] = [];
  if (dockerd && dockerd.exitCode === null && dockerd.signalCode === null) {
    const ids = (await run(DOCKER, ['ps', '-aq'], { env: docker.env })).stdout.split('\n').filter(Boolean);
    if (ids.length) {
      left.push(`dockerd containers: ${ids.join(' ')}`);
      await run(DOCKER, ['rm', '-f', '-v', ...ids], { env: docker.env });
    }
    const gone = new Promise((r) => dockerd!.once('exit', r));
    dockerd.kill('SIGTERM');
    const timer = setTimeout(() => dockerd!.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
  for (const pid of ourProcesses()) {
    left.push(`process ${pid} outlived dockerd`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(tmp));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  for (const ctrl of fs.readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', ctrl, dockerdCgroup);
    if (!fs.existsSync(dir)) continue;
    for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) left.push(`cgroup ${path.join(dir, sub.name)}`);
    spawnSync('rmdir', [dir]);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  if (berthd) left.push(...(await berthd.stop()).map((l) => `berth: ${l}`));
  assert.deepEqual(left, [], 'left behind');
});

/** `docker build -t equiv/<name>` of one case on one engine (context already written). */
function build(e: Engine, c: BuildCase, dir: string): Promise<RunResult> {
  const args = ['build', '--network', 'none', '-t', `equiv/${c.name}`];
  for (const [k, v] of Object.entries(c.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  return run(DOCKER, [...args, dir], { env: e.env, timeoutMs: 300_000 });
}

/** The end of a build's output: the last steps and the error. */
function buildTail(r: RunResult): string {
  const err = r.stderr.split('\n').filter((l) => l.trim() && !/legacy builder is deprecated|BuildKit is currently disabled|environment-variable\.$/.test(l)).join('\n');
  return `exit ${r.status}: ${err}\n    ${r.stdout.trim().split('\n').slice(-6).join('\n    ')}`;
}

/** JSON with object keys sorted: labels, ports and volumes are maps, whose order `docker inspect` does not fix. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

/** The compared config fields (null and absent alike; empty maps/lists as null, as `docker inspect` varies there). */
async function config(e: Engine, ref: string): Promise<Record<string, unknown>> {
  const [img] = JSON.parse((await must(e, ['image', 'inspect', ref])).stdout) as [{ Config: Record<string, unknown> }];
  const out: Record<string, unknown> = {};
  for (const f of CONFIG_FIELDS) {
    const v = img.Config[f];
    const empty = v === undefined || v === null || v === '' || (typeof v === 'object' && Object.keys(v as object).length === 0);
    out[f] = empty ? null : v;
  }
  return out;
}

/** One root filesystem entry as compared: type, mode, owner, link target, content hash. */
function describe(h: tar.Header, content: Buffer | undefined): string {
  const mode = ((h.mode ?? 0) & 0o7777).toString(8).padStart(4, '0');
  const what = h.type === 'file' || h.type === 'contiguous-file' ? `sha256:${createHash('sha256').update(content ?? Buffer.alloc(0)).digest('hex').slice(0, 16)} size ${h.size}`
    : h.type === 'symlink' ? `-> ${h.linkname}`
    : h.type === 'character-device' || h.type === 'block-device' ? `${h.devmajor},${h.devminor}` : '';
  return `${h.type} ${mode} ${h.uid}:${h.gid} ${what}`.trim();
}

const normal = (name: string) => name.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** `docker create` + `docker export` of an image: path → description. Hard links are described as the file they
 *  share plus the sorted list of its names (which name a tar writes first depends on directory order). */
async function rootfs(e: Engine, ref: string, file: string): Promise<Map<string, string>> {
  const id = (await must(e, ['create', '--network', 'none', ref, 'never-run'])).stdout.trim();
  try {
    await must(e, ['export', '-o', file, id]);
  } finally {
    await must(e, ['rm', '-v', id]);
  }
  const entries = new Map<string, string>();
  const links: [string, string][] = [];
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      const name = normal(h.name);
      if (name && !RUNTIME_FILES.has(name)) {
        if (h.type === 'link') links.push([name, normal(h.linkname ?? '')]);
        else entries.set(name, describe(h, Buffer.concat(chunks)));
      }
      next();
    });
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    fs.createReadStream(file).on('error', reject).pipe(extract);
  });
  fs.rmSync(file);
  const groups = new Map<string, string[]>();
  for (const [name, target] of links) groups.set(target, [...(groups.get(target) ?? [target]), name]);
  for (const [target, names] of groups) {
    const desc = `${entries.get(target) ?? 'missing target'} hard links [${names.sort().join(' ')}]`;
    for (const n of names) entries.set(n, desc);
  }
  return entries;
}

/** Lines naming every difference between Berth's (ours) and dockerd's (theirs) root filesystem. */
function fsDiff(ours: Map<string, string>, theirs: Map<string, string>): string[] {
  const out: string[] = [];
  for (const p of DOCKERD_INIT_LAYER) if (!ours.has(p)) theirs.delete(p);
  for (const p of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const a = ours.get(p);
    const b = theirs.get(p);
    if (a === b) continue;
    if (a === undefined) out.push(`/${p}: only in dockerd (${b})`);
    else if (b === undefined) out.push(`/${p}: only in Berth (${a})`);
    else out.push(`/${p}: Berth ${a} | dockerd ${b}`);
  }
  return out;
}

/** Lines naming every config field that differs. */
function configDiff(ours: Record<string, unknown>, theirs: Record<string, unknown>): string[] {
  return CONFIG_FIELDS.filter((f) => canonical(ours[f]) !== canonical(theirs[f]))
    .map((f) => `Config.${f}: Berth ${canonical(ours[f])} | dockerd ${canonical(theirs[f])}`);
}

const built = new Set<string>();

for (const c of CORPUS) {
  test(`${c.name}: ${c.covers}`, async () => {
    for (const need of c.needs ?? []) assert.ok(built.has(need), `${c.name} builds FROM equiv/${need}, which did not build`);
    const dir = path.join(tmp, 'contexts', c.name);
    await writeContext(dir, c);
    // One daemon at a time (2 shared cores); both always build, so a failure shows what the other one did.
    const ours = await build(berth, c, dir);
    const theirs = await build(docker, c, dir);
    if (ours.status !== 0 || theirs.status !== 0) {
      assert.fail(`${c.name}: the builds did not both succeed\n  Berth ${buildTail(ours)}\n  dockerd ${buildTail(theirs)}\n--- berth log ---\n${tail(berth.logs(), 1500)}`);
    }
    built.add(c.name);
    const ref = `equiv/${c.name}`;
    const diffs = configDiff(await config(berth, ref), await config(docker, ref));
    const ourFs = await rootfs(berth, ref, path.join(tmp, `${c.name}.berth.tar`));
    const theirFs = await rootfs(docker, ref, path.join(tmp, `${c.name}.dockerd.tar`));
    assert.ok(theirFs.size > 0 && ourFs.size > 0, 'an exported root filesystem is empty');
    diffs.push(...fsDiff(ourFs, theirFs));
    assert.deepEqual(diffs, [], `${ref} differs between Berth and dockerd:\n  ${diffs.join('\n  ')}`);
  });
}
