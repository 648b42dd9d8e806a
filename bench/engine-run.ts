// Benchmark: the engine behind the docker CLI — `berth daemon` vs a private dockerd (Debian's docker.io 20.10 with
// its own containerd and runc), both driven by the same docker CLI 28 over their own unix sockets, alternating:
//   1. `docker run --rm busybox true` on the default bridge network and with `--network none`;
//   2. 50 × `docker run -d busybox sleep 600`, 8 at a time (total wall time), then `docker rm -f` of the 50;
//   3. memory with N idle containers: per-container processes (berth-monitor vs containerd-shim-runc-v2) and the
//      daemons (berth daemon vs dockerd + containerd), VmRSS and PSS from /proc.
// Prints a markdown section for docs/benchmarks.md ("Engine").
// Run as root:  node dist/bench/engine-run.js [runs=10] [batch-rounds=runs] [idle-containers=20]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { EngineDaemon, BERTH, DOCKER, run, type RunResult } from '../test/fixtures/engine-daemon.js';
import { PrivateDockerd } from './private-dockerd.js';
import { summarize, fmt, type Summary } from './stats.js';

const runs = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? runs);
const idle = Number(process.argv[4] ?? 20);
const BATCH = 50;
const POOL = 8;
// Bridges and subnets of their own, so neither daemon touches docker0 or another test's network.
const BERTH_BRIDGE = 'bbench0';
const BERTH_SUBNET = '10.201.0.0/24';
const DOCKER_BRIDGE = 'dbench0';
const DOCKER_BRIDGE_ADDR = '10.202.0.1/24';
const repo = path.resolve(path.dirname(BERTH), '..');

interface Engine { name: 'berth' | 'dockerd'; env: NodeJS.ProcessEnv; diagnostics: () => string }
interface Proc { pid: number; ppid: number; comm: string; cmd: string }
interface Mem { rss: number; pss: number; count: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => process.hrtime.bigint();
const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);

/** Runs the docker CLI against one engine. */
function docker(e: Engine, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(DOCKER, args, { env: e.env, timeoutMs });
}

/** Runs the docker CLI and fails with the engine's log when it does not exit 0. */
async function must(e: Engine, args: string[]): Promise<RunResult> {
  const r = await docker(e, args);
  if (r.status !== 0) throw new Error(`${e.name}: docker ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}\n--- ${e.name} log (tail) ---\n${e.diagnostics()}`);
  return r;
}

async function timed(e: Engine, args: string[]): Promise<number> {
  const t0 = now();
  await must(e, args);
  return msSince(t0);
}

/** Starts n `sleep 600` containers, POOL CLI processes at a time; returns the total wall time and the ids. */
async function startMany(e: Engine, n: number): Promise<{ ms: number; ids: string[] }> {
  const ids: string[] = [];
  const errors: string[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: POOL }, async () => {
    while (next < n) {
      next++;
      const r = await docker(e, ['run', '-d', 'busybox', 'sleep', '600']);
      if (r.status === 0) ids.push(r.stdout.trim());
      else errors.push(`exit ${r.status}: ${r.stderr.trim()}`);
    }
  }));
  const ms = msSince(t0);
  if (errors.length) throw new Error(`${e.name}: ${errors.length} of ${n} \`docker run -d\` failed, first: ${errors[0]}\n--- ${e.name} log (tail) ---\n${e.diagnostics()}`);
  const running = (await must(e, ['ps', '-q'])).stdout.split('\n').filter(Boolean).length;
  if (running !== n) throw new Error(`${e.name}: ${running} containers running after starting ${n} (expected ${n})`);
  return { ms, ids };
}

/** `docker rm -f` of the given ids in one CLI call; checks nothing is left. */
async function removeAll(e: Engine, ids: string[]): Promise<number> {
  const ms = ids.length ? await timed(e, ['rm', '-f', ...ids]) : 0;
  const left = (await must(e, ['ps', '-aq'])).stdout.trim();
  if (left) throw new Error(`${e.name}: containers left after docker rm -f: ${left.replace(/\n/g, ' ')}`);
  return ms;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(d), ppid, comm, cmd });
    } catch {
      // The process exited while we read it.
    }
  }
  return out;
}

/** Sum of VmRSS (from status) and Pss (from smaps_rollup) in KiB over pids. */
function memOf(pids: number[]): Mem {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    pss += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  }
  return { rss, pss, count: pids.length };
}

/** A process and its descendants, not descending into processes `skip` matches. */
function tree(all: Proc[], root: number, skip: (p: Proc) => boolean): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const p of all) if (p.ppid === pids[i] && !skip(p)) pids.push(p.pid);
  return pids;
}



/** Splits an iptables-save rule into arguments (double quotes with backslash escapes, as iptables-save writes them). */
function ruleArgs(line: string): string[] {
  const args: string[] = [];
  let cur: string | undefined; // undefined between arguments; '' for an argument "" still counts
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '\\') {
      cur = (cur ?? '') + (line[++i] ?? '');
    } else if (c === '"') {
      quoted = !quoted;
      cur ??= '';
    } else if (c === ' ' && !quoted) {
      if (cur !== undefined) args.push(cur);
      cur = undefined;
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (cur !== undefined) args.push(cur);
  return args;
}

/** Deletes every rule naming the benchmark's subnets or bridges (and per-container CNI chains they jump to);
 *  returns those that should not have been left (per-container rules), not the default network's own. */
function removeOurRules(): string[] {
  const ours = (l: string) => [BERTH_SUBNET.replace(/0\/24$/, ''), DOCKER_BRIDGE_ADDR.replace(/1\/24$/, ''), BERTH_BRIDGE, DOCKER_BRIDGE].some((m) => l.includes(m));
  const reported: string[] = [];
  for (const table of ['filter', 'nat', 'mangle', 'raw']) {
    const lines = spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('-A ') && ours(l));
    const chains = new Set<string>();
    for (const l of lines) {
      spawnSync('iptables', ['-t', table, '-D', ...ruleArgs(l).slice(1)], { stdio: 'ignore' });
      const jump = /-j (CNI-[0-9a-f]{24})$/.exec(l)?.[1];
      if (jump) chains.add(jump);
      // Network-level rules (BERTH-* chains, "berth network <id>") stay with the network, as dockerd's DOCKER-* do.
      if (!(/^-A BERTH-[A-Z]+ /.test(l) && l.includes('--comment "berth network '))) reported.push(`-t ${table} ${l}`);
    }
    for (const c of chains) for (const op of ['-F', '-X']) spawnSync('iptables', ['-t', table, op, c], { stdio: 'ignore' });
  }
  return reported;
}

// ---- set-up ----
const loadStart = os.loadavg();
let berthDaemon: EngineDaemon | undefined;
const dockerd = new PrivateDockerd({ name: 'engine', bridge: DOCKER_BRIDGE, bridgeAddr: DOCKER_BRIDGE_ADDR });
let cleaned: Promise<void> | undefined;
/** Idempotent: stops both daemons and removes everything they made (also on failure and on SIGINT). */
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    const cfg = berthDaemon?.dockerConfig ?? dockerd.tmp;
    const dLeft = await dockerd.stop(cfg).catch((e: Error) => [`dockerd clean-up: ${e.message}`]);
    const bLeft = berthDaemon ? await berthDaemon.stop().catch((e: Error) => [`berth clean-up: ${e.message}`]) : [];
    // The default network's bridge and its masquerade rule outlive the daemon (as docker0 outlives dockerd): ours to remove.
    spawnSync('ip', ['link', 'del', BERTH_BRIDGE], { stdio: 'ignore' });
    const rules = removeOurRules();
    for (const l of [...dLeft.map((x) => `dockerd: ${x}`), ...bLeft.map((x) => `berth: ${x}`), ...rules.map((r) => `iptables rule (deleted): ${r}`)]) {
      process.stderr.write(`left behind: ${l}\n`);
      process.exitCode = 1;
    }
  })();
  return cleaned;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));

const samples: Record<string, number[]> = {};
const add = (key: string, ms: number) => (samples[key] ??= []).push(ms);
const memory: Record<string, Mem> = {};
let imageIds = '';
let versions = '';

try {
  berthDaemon = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BERTH_BRIDGE, BERTH_BRIDGE_SUBNET: BERTH_SUBNET });
  const b = berthDaemon;
  const berth: Engine = { name: 'berth', env: b.dockerEnv(), diagnostics: () => tail(b.logs()) };
  await dockerd.start(b.dockerConfig);
  const dock: Engine = { name: 'dockerd', env: dockerd.env(b.dockerConfig), diagnostics: () => dockerd.logs() };
  // The same busybox image in both: Berth's image saved as a docker-archive and loaded into dockerd.
  const tar = path.join(dockerd.tmp, 'busybox.tar');
  // To stdout, not -o: `berth save -o FILE` fails with "Cannot call end after a stream was finished".
  const fd = fs.openSync(tar, 'w');
  const saved = spawn(process.execPath, [BERTH, 'save', 'busybox:latest'], { env: b.berthEnv(), stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd);
  let saveErr = '';
  saved.stderr!.on('data', (d: Buffer) => (saveErr += d.toString()));
  const saveStatus = await new Promise<number | null>((r) => saved.once('close', r));
  if (saveStatus !== 0) throw new Error(`berth save busybox:latest (BERTH_ROOT=${b.root}) exited ${saveStatus}: ${saveErr}`);
  await must(dock, ['load', '-i', tar]);
  const id = async (e: Engine) => (await must(e, ['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest'])).stdout.trim();
  imageIds = `${await id(berth)} (Berth) / ${await id(dock)} (dockerd)`;
  const server = async (e: Engine) => (await must(e, ['version', '-f', '{{.Server.Version}}'])).stdout.trim();
  const field3 = (cmd: string) => execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split(/\s+/)[2];
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const built = fs.statSync(path.join(repo, 'dist/bundle/berth.cjs')).mtime.toISOString().slice(11, 16);
  const cli = (await must(berth, ['version', '-f', '{{.Client.Version}}'])).stdout.trim();
  versions = `Berth ${await server(berth)} (commit ${commit} + working tree, bundle built ${built} UTC); dockerd ${await server(dock)}`
    + ` with containerd ${field3('containerd')} and runc ${field3('runc')}; docker CLI ${cli}`;

  // 1. `docker run --rm busybox true`, one warm-up each (not counted), then alternating rounds.
  const modes: [string, string[]][] = [['bridge', []], ['none', ['--network', 'none']]];
  for (const [, net] of modes) for (const e of [berth, dock]) await timed(e, ['run', '--rm', ...net, 'busybox', 'true']);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [dock, berth] : [berth, dock];
    for (const [mode, net] of modes) for (const e of order) add(`${e.name}-${mode}`, await timed(e, ['run', '--rm', ...net, 'busybox', 'true']));
    // The floor every CLI run pays: process start-up, /_ping and one API call.
    for (const e of order) add(`${e.name}-version`, await timed(e, ['version']));
  }

  // 2. 50 detached containers, 8 CLI processes at a time; removal timed separately.
  for (let i = 0; i < rounds; i++) {
    for (const e of i % 2 ? [dock, berth] : [berth, dock]) {
      const { ms, ids } = await startMany(e, BATCH);
      add(`${e.name}-batch`, ms);
      add(`${e.name}-rm`, await removeAll(e, ids));
    }
  }

  // 3. Memory: daemons at rest, then with `idle` sleeping containers (after a pause so start-up garbage settles).
  const measure = (label: string) => {
    const all = processes();
    const isMonitor = (p: Proc) => p.comm === 'berth-monitor' && p.cmd.includes(b.tmp);
    const isShim = (p: Proc) => p.comm.startsWith('containerd-shim') && p.cmd.includes(dockerd.tmp);
    memory[`berth-daemon-${label}`] = memOf(tree(all, b.pid!, isMonitor));
    memory[`dockerd-daemon-${label}`] = memOf(tree(all, dockerd.child!.pid!, isShim));
    memory[`berth-per-${label}`] = memOf(all.filter(isMonitor).map((p) => p.pid));
    memory[`dockerd-per-${label}`] = memOf(all.filter(isShim).map((p) => p.pid));
  };
  await sleep(3000);
  measure('empty');
  const started: [Engine, string[]][] = [];
  for (const e of [berth, dock]) started.push([e, (await startMany(e, idle)).ids]);
  await sleep(3000);
  measure('idle');
  for (const [e, ids] of started) await removeAll(e, ids);
} finally {
  await cleanup();
}

// ---- report ----
const s: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
const row = (what: string, x: Summary, note = '') => `| ${what} | ${fmt(x.median)} | ${fmt(x.min)} | ${fmt(x.max)} | ${x.n} | ${note} |`;
const ratio = (k: string) => `dockerd / Berth = ${(s[`dockerd-${k}`]!.median / s[`berth-${k}`]!.median).toFixed(2)}×`;
const kib = (n: number) => `${Math.round(n).toLocaleString('en-US')}`;
const per = (m: Mem) => (m.count ? m.rss / m.count : NaN);
const perPss = (m: Mem) => (m.count ? m.pss / m.count : NaN);
const mem = (k: string) => memory[k]!;
const cpu = os.cpus();
const loadEnd = os.loadavg();
const stamp = new Date().toISOString().replace('T', ' ').slice(0, 16);
const lines = [
  '## Engine: `docker run` through the Berth daemon vs dockerd',
  '',
  `Command (as root): \`node dist/bench/engine-run.js ${runs} ${rounds} ${idle}\``,
  '',
  'A `berth daemon` (test/fixtures/engine-daemon.ts: temp root, busybox imported, default bridge network on its own',
  `bridge ${BERTH_BRIDGE} ${BERTH_SUBNET}) and a private dockerd (own data and exec roots, socket, containerd and cgroup`,
  `parent; \`--bridge ${DOCKER_BRIDGE}\` (${DOCKER_BRIDGE_ADDR}), \`--iptables=false\`, overlay2) run side by side; the same`,
  `docker CLI (${DOCKER}) drives both through DOCKER_HOST, alternating which goes first each round. The busybox`,
  'image is Berth\'s, saved with `berth save` and `docker load`ed into dockerd (same image id). Times are wall time of',
  'the CLI process (spawn → exit), after one uncounted warm-up run per engine and mode.',
  '',
  `Measured ${stamp} UTC: ${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; node ${process.version};`,
  `${versions}. Load average ${loadStart[0]!.toFixed(2)} at start, ${loadEnd[0]!.toFixed(2)} at end (2 cores shared with other work).`,
  `Image: busybox:latest, ${imageIds}.`,
  '',
  '| what | median ms | min | max | runs | note |',
  '| --- | --- | --- | --- | --- | --- |',
  row('`docker run --rm busybox true` (default bridge) — Berth', s['berth-bridge']!, `${ratio('bridge')} (target ≥ 5×)`),
  row('`docker run --rm busybox true` (default bridge) — dockerd', s['dockerd-bridge']!),
  row('`docker run --rm --network none busybox true` — Berth', s['berth-none']!, `${ratio('none')} (target ≥ 5×)`),
  row('`docker run --rm --network none busybox true` — dockerd', s['dockerd-none']!),
  row('`docker version` (CLI start-up + /_ping + /version: the floor of every run) — Berth', s['berth-version']!, ratio('version')),
  row('`docker version` — dockerd', s['dockerd-version']!),
  row(`${BATCH} × \`docker run -d busybox sleep 600\`, ${POOL} in parallel (total) — Berth`, s['berth-batch']!, `${ratio('batch')} (target ≤ 1,000 ms)`),
  row(`${BATCH} × \`docker run -d busybox sleep 600\`, ${POOL} in parallel (total) — dockerd`, s['dockerd-batch']!),
  row(`\`docker rm -f\` of those ${BATCH} (one CLI call) — Berth`, s['berth-rm']!, ratio('rm')),
  row(`\`docker rm -f\` of those ${BATCH} (one CLI call) — dockerd`, s['dockerd-rm']!),
  '',
  `Memory with ${idle} idle \`sleep 600\` containers on each engine (default bridge), 3 s after the last start; VmRSS`,
  'from /proc/<pid>/status, PSS (shared pages split between their users) from /proc/<pid>/smaps_rollup, KiB:',
  '',
  '| measure | Berth | dockerd | dockerd / Berth |',
  '| --- | --- | --- | --- |',
  `| per-container process (berth-monitor vs containerd-shim-runc-v2), VmRSS per container | ${kib(per(mem('berth-per-idle')))} (${mem('berth-per-idle').count} processes) | ${kib(per(mem('dockerd-per-idle')))} (${mem('dockerd-per-idle').count} processes) | ${(per(mem('dockerd-per-idle')) / per(mem('berth-per-idle'))).toFixed(1)}× |`,
  `| per-container process, PSS per container | ${kib(perPss(mem('berth-per-idle')))} | ${kib(perPss(mem('dockerd-per-idle')))} | ${(perPss(mem('dockerd-per-idle')) / perPss(mem('berth-per-idle'))).toFixed(1)}× |`,
  `| daemon VmRSS, no containers (berth daemon vs dockerd + containerd) | ${kib(mem('berth-daemon-empty').rss)} | ${kib(mem('dockerd-daemon-empty').rss)} (${mem('dockerd-daemon-empty').count} processes) | ${(mem('dockerd-daemon-empty').rss / mem('berth-daemon-empty').rss).toFixed(1)}× |`,
  `| daemon VmRSS, ${idle} idle containers | ${kib(mem('berth-daemon-idle').rss)} | ${kib(mem('dockerd-daemon-idle').rss)} | ${(mem('dockerd-daemon-idle').rss / mem('berth-daemon-idle').rss).toFixed(1)}× |`,
  `| total VmRSS, daemon + ${idle} per-container processes | ${kib(mem('berth-daemon-idle').rss + mem('berth-per-idle').rss)} | ${kib(mem('dockerd-daemon-idle').rss + mem('dockerd-per-idle').rss)} | ${((mem('dockerd-daemon-idle').rss + mem('dockerd-per-idle').rss) / (mem('berth-daemon-idle').rss + mem('berth-per-idle').rss)).toFixed(1)}× |`,
  '',
];
const out = lines.join('\n');
// The section goes to stdout, to paste into docs/benchmarks.md with its "Reading the figures" notes.
process.stdout.write(out);
