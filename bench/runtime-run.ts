// Benchmark: launch-to-exit of a busybox `true` container — berth runtime run (CLI) vs runc run, alternating,
// plus the in-process launch through the runtime library and bare `node -e 0`. Run as root:
//   node dist/bench/runtime-run.js [runs]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeBusyboxBundle } from '../src/demo/busybox.js';
import { newContext, runContainer } from '../src/runtime/index.js';
import { summarize, fmt, type Summary } from './stats.js';

const runs = Number(process.argv[2] ?? 30);
const here = path.dirname(fileURLToPath(import.meta.url));
const berth = path.resolve(here, '../../bin/berth.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
const bundle = makeBusyboxBundle(path.join(tmp, 'bundle'), ['true']);

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function mustSucceed(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

const samples: Record<string, number[]> = { berthCli: [], runc: [], node: [], inProcess: [], launcher: [] };
const berthRoot = path.join(tmp, 'berth-state');
const runcRoot = path.join(tmp, 'runc-state');
for (let i = 0; i < runs; i++) {
  samples.berthCli!.push(time(() => mustSucceed(process.execPath, [berth, 'runtime', '--root', berthRoot, 'run', '-b', bundle, `b${i}`])));
  samples.runc!.push(time(() => mustSucceed('runc', ['--root', runcRoot, 'run', '-b', bundle, `r${i}`])));
  samples.node!.push(time(() => mustSucceed(process.execPath, ['-e', '0'])));
}
// In process, alternating: each launch forking this Node process (the default), and through a resident
// launcher (RuntimeOptions.launcher, as the engine runs it).
const ctx = newContext({ root: path.join(tmp, 'lib-state') });
const launcherCtx = newContext({ root: path.join(tmp, 'lib-state-launcher'), launcher: true });
for (let i = 0; i < runs; i++) {
  for (const [c, key] of [[ctx, 'inProcess'], [launcherCtx, 'launcher']] as const) {
    const t0 = process.hrtime.bigint();
    const r = await runContainer(c, `l${i}`, { bundle, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.exitCode !== 0) throw new Error(`in-process run exited ${r.exitCode}`);
    samples[key]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
launcherCtx.launcher?.close();
fs.rmSync(tmp, { recursive: true, force: true });

const s: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
const row = (name: string, x: Summary, note = '') => `| ${name} | ${fmt(x.median)} | ${fmt(x.min)} | ${fmt(x.max)} | ${x.n} | ${note} |`;
const runcVersion = execFileSync('runc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; node ${process.version}; ${runcVersion}`);
console.log('');
console.log('| what | median ms | min | max | runs | note |');
console.log('| --- | --- | --- | --- | --- | --- |');
console.log(row('`berth runtime run` (CLI)', s.berthCli!, `${(s.berthCli!.median / s.runc!.median).toFixed(2)}× runc`));
console.log(row('`runc run`', s.runc!));
console.log(row('`node -e 0`', s.node!, `berth CLI − node = ${fmt(s.berthCli!.median - s.node!.median)} ms`));
console.log(row('runtime library, in process', s.inProcess!, `${(s.inProcess!.median / s.runc!.median).toFixed(2)}× runc`));
console.log(row('runtime library, in process, resident launcher', s.launcher!, `${(s.launcher!.median / s.runc!.median).toFixed(2)}× runc`));
