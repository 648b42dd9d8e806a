// Benchmark: `DOCKER_BUILDKIT=0 docker build` against the Berth daemon vs a private dockerd (Debian's docker.io 20.10,
// legacy builder), same docker CLI, same Dockerfiles and contexts (test/fixtures/dockerfiles/corpus.ts), same busybox
// base image (Berth's, `berth save` | `docker load`), alternating which daemon goes first each round:
//   cold:   `docker build --no-cache` (every step runs);
//   cached: the same build again, every step a cache hit.
// RUN steps use each daemon's default bridge network (Berth: a private bridge; dockerd: `--bridge dbuild0`, no iptables).
// Prints a markdown section for docs/benchmarks.md ("Builds").
// Run as root:  node dist/bench/build.js [runs=10]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { EngineDaemon, BERTH, DOCKER, run, type RunResult } from '../test/fixtures/engine-daemon.js';
import { CORPUS, writeContext } from '../test/fixtures/dockerfiles/corpus.js';
import { PrivateDockerd } from './private-dockerd.js';
import { summarize, fmt, type Summary } from './stats.js';

const runs = Number(process.argv[2] ?? 10);
/** Representative cases: RUN-heavy, COPY-heavy, multi-stage, metadata + USER/WORKDIR. */
const CASES = ['run-forms', 'copy-globs', 'multi-stage', 'user-workdir'];
const DOCKER_BRIDGE = 'dbuild0';
const DOCKER_BRIDGE_ADDR = '10.203.0.1/24';
const repo = path.resolve(path.dirname(BERTH), '..');

interface Engine { name: 'berth' | 'dockerd'; env: NodeJS.ProcessEnv; logs: () => string }

const tail = (s: string, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);
const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function must(e: Engine, args: string[]): Promise<RunResult> {
  const r = await run(DOCKER, args, { env: e.env, timeoutMs: 300_000 });
  if (r.status !== 0) throw new Error(`${e.name}: docker ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}\n${tail(r.stdout)}\n--- ${e.name} log ---\n${tail(e.logs())}`);
  return r;
}

/** One timed build; checks that a cached build really hit every step and a cold one none. */
async function timedBuild(e: Engine, name: string, dir: string, cold: boolean): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await must(e, ['build', ...(cold ? ['--no-cache'] : []), '-t', `bench/${name}`, dir]);
  const ms = msSince(t0);
  // FROM steps (of every stage) are never cached; every other step is, in a cached build (metadata ones too).
  const steps = r.stdout.split(/^(?=Step \d+\/\d+ : )/m).filter((s) => s.startsWith('Step ') && !/^Step \d+\/\d+ : FROM /i.test(s));
  const hits = steps.filter((s) => / ---> Using cache$/m.test(s)).length;
  if (cold ? hits !== 0 : hits !== steps.length) throw new Error(`${e.name} ${name}: ${hits} of ${steps.length} steps cached in a ${cold ? 'cold' : 'cached'} build:\n${r.stdout}`);
  return ms;
}


const loadStart = os.loadavg();
let berthDaemon: EngineDaemon | undefined;
const dockerd = new PrivateDockerd({ name: 'build', bridge: DOCKER_BRIDGE, bridgeAddr: DOCKER_BRIDGE_ADDR, cliEnv: { DOCKER_BUILDKIT: '0' } });
let cleaned: Promise<void> | undefined;
/** Idempotent: stops both daemons and removes everything they made (also on failure and on SIGINT). */
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    const cfg = berthDaemon?.dockerConfig ?? dockerd.tmp;
    const dLeft = await dockerd.stop(cfg).catch((e: Error) => [`clean-up: ${e.message}`]);
    const bLeft = berthDaemon ? await berthDaemon.stop().catch((e: Error) => [`clean-up: ${e.message}`]) : [];
    for (const l of [...dLeft.map((x) => `dockerd: ${x}`), ...bLeft.map((x) => `berth: ${x}`)]) {
      process.stderr.write(`left behind: ${l}\n`);
      process.exitCode = 1;
    }
  })();
  return cleaned;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));

const samples: Record<string, number[]> = {};
const add = (key: string, ms: number) => (samples[key] ??= []).push(ms);
let versions = '';
const stepCounts: Record<string, number> = {};

try {
  berthDaemon = await EngineDaemon.start();
  const b = berthDaemon;
  const berth: Engine = { name: 'berth', env: { ...b.dockerEnv(), DOCKER_BUILDKIT: '0' }, logs: () => b.logs() };
  await dockerd.start(b.dockerConfig);
  const dock: Engine = { name: 'dockerd', env: dockerd.env(b.dockerConfig), logs: () => dockerd.logs() };
  const archive = path.join(dockerd.tmp, 'busybox.tar');
  const fd = fs.openSync(archive, 'w');
  const saved = spawnSync(process.execPath, [BERTH, 'save', 'busybox:latest'], { env: b.berthEnv(), stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd);
  if (saved.status !== 0) throw new Error(`berth save busybox:latest exited ${saved.status}: ${saved.stderr}`);
  await must(dock, ['load', '-i', archive]);

  const server = async (e: Engine) => (await must(e, ['version', '-f', '{{.Server.Version}}'])).stdout.trim();
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const cli = (await must(berth, ['version', '-f', '{{.Client.Version}}'])).stdout.trim();
  versions = `Berth ${await server(berth)} (commit ${commit} + working tree); dockerd ${await server(dock)}; docker CLI ${cli}`;

  const dirs: Record<string, string> = {};
  for (const name of CASES) {
    const c = CORPUS.find((x) => x.name === name)!;
    dirs[name] = path.join(dockerd.tmp, 'contexts', name);
    await writeContext(dirs[name]!, c);
    stepCounts[name] = c.files.Dockerfile!.toString().split('\n').filter((l) => /^[A-Z]/.test(l)).length;
    // Warm-up (not counted): one build each, which also fills the cache for the cached rounds.
    for (const e of [berth, dock]) await timedBuild(e, name, dirs[name]!, true);
  }
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [dock, berth] : [berth, dock];
    for (const name of CASES) {
      for (const e of order) add(`${e.name}-${name}-cold`, await timedBuild(e, name, dirs[name]!, true));
      for (const e of order) add(`${e.name}-${name}-cached`, await timedBuild(e, name, dirs[name]!, false));
    }
  }
} finally {
  await cleanup();
}

const s: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
const row = (what: string, x: Summary, note = '') => `| ${what} | ${fmt(x.median)} | ${fmt(x.min)} | ${fmt(x.max)} | ${x.n} | ${note} |`;
const ratio = (k: string) => `Berth / dockerd = ${(s[`berth-${k}`]!.median / s[`dockerd-${k}`]!.median).toFixed(2)}×`;
const cpu = os.cpus();
const loadEnd = os.loadavg();
const lines = [
  '## Builds: `docker build` (legacy builder) through the Berth daemon vs dockerd',
  '',
  `Command (as root): \`node dist/bench/build.js ${runs}\``,
  '',
  'A `berth daemon` (test/fixtures/engine-daemon.ts: temp root, busybox imported, its own default bridge) and a private',
  `dockerd (own data/exec roots, socket, containerd and cgroup parent; \`--bridge ${DOCKER_BRIDGE}\`, \`--iptables=false\`, overlay2),`,
  `driven by the same docker CLI with DOCKER_BUILDKIT=0, alternating which goes first each round; the busybox base is`,
  'Berth\'s image loaded into dockerd. Dockerfiles and contexts: test/fixtures/dockerfiles/corpus.ts. Cold = `--no-cache`;',
  'cached = the same build again (checked: every step after FROM printed `Using cache`). Wall time of the CLI process.',
  '',
  `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC: ${cpu.length} × ${cpu[0]?.model.trim()}, Linux ${os.release()}; node ${process.version};`,
  `${versions}. Load average ${loadStart[0]!.toFixed(2)} at start, ${loadEnd[0]!.toFixed(2)} at end (2 cores shared with other work).`,
  '',
  '| build | median ms | min | max | runs | note |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const name of CASES) {
  for (const kind of ['cold', 'cached'] as const) {
    const target = kind === 'cold' ? 'target ≤ 1×' : 'target ≤ 1× (dockerd 63 ms)';
    lines.push(row(`${name} (${stepCounts[name]} instructions), ${kind} — Berth`, s[`berth-${name}-${kind}`]!, `${ratio(`${name}-${kind}`)} (${target})`));
    lines.push(row(`${name}, ${kind} — dockerd`, s[`dockerd-${name}-${kind}`]!));
  }
}
lines.push('');
process.stdout.write(lines.join('\n'));
