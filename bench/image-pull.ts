// Benchmark: pulling a multi-layer image (~80 MB: random data, compressible text, ~2,000 small files) from a
// local docker-registry until it is unpacked and ready to run — `berth pull` vs `docker pull` (dockerd,
// overlay2) vs `skopeo copy` to an OCI directory, alternating, each from an empty store. Run as root:
//   node dist/bench/image-pull.js [runs]
// With BERTH_BASELINE=<path to another checkout's bin/berth.cjs>, that build is timed too, in the same
// rotation (before/after comparisons under the same conditions).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeBusyboxRootfs } from '../src/demo/busybox.js';
import { startRegistry } from '../test/fixtures/registry.js';
import { makeOciLayout, skopeoPush } from '../test/fixtures/oci-image.js';
import { summarize, fmt, type Summary } from './stats.js';

const runs = Number(process.argv[2] ?? 10);
const here = path.dirname(fileURLToPath(import.meta.url));
const berth = path.resolve(here, '../../bin/berth.cjs');
const baseline = process.env['BERTH_BASELINE'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-pull-'));

function mustSucceed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}
function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// The image: busybox base, 24 MB random, 2,000 small text files (~16 MB), 36 MB of compressible logs.
function makeImage(): ReturnType<typeof makeOciLayout> {
  const base = makeBusyboxRootfs(path.join(tmp, 'l0'));
  const random = path.join(tmp, 'l1');
  fs.mkdirSync(path.join(random, 'opt/blobs'), { recursive: true });
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(random, `opt/blobs/r${i}.bin`), randomBytes(8 << 20));
  const small = path.join(tmp, 'l2');
  for (let d = 0; d < 40; d++) {
    const dir = path.join(small, 'usr/share/app', `d${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 50; f++) {
      const words = Array.from({ length: 800 }, (_, k) => `word${(d * 31 + f * 7 + k) % 997}`).join(' ');
      fs.writeFileSync(path.join(dir, `f${f}.txt`), `${words}\n${randomBytes(2000).toString('base64')}\n`);
    }
  }
  const logs = path.join(tmp, 'l3');
  fs.mkdirSync(path.join(logs, 'var/log'), { recursive: true });
  const line = (i: number) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO request id=${i} path=/api/v1/items/${i % 1000} status=200 bytes=${(i * 37) % 5000}\n`;
  for (let f = 0; f < 4; f++) fs.writeFileSync(path.join(logs, `var/log/app${f}.log`), Array.from({ length: 90_000 }, (_, i) => line(i + f)).join(''));
  return makeOciLayout(path.join(tmp, 'oci'), [base, random, small, logs]);
}

const registry = await startRegistry();
const image = makeImage();
const name = `${registry.host}/bench/app:1`;
skopeoPush(image, name);
const compressed = image.layerDigests.map((d) => fs.statSync(path.join(image.dir, 'blobs/sha256', d.slice(7))).size).reduce((a, b) => a + b, 0);

// A private dockerd (Debian's docker.io), as the interop tests start it.
const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${tmp}/docker.sock` };
const dockerd: ChildProcess = spawn('dockerd', ['--data-root', `${tmp}/docker`, '--exec-root', `${tmp}/docker-exec`, '--pidfile', `${tmp}/docker.pid`,
  '-H', `unix://${tmp}/docker.sock`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=overlay2'], { stdio: 'ignore' });
for (let i = 0; i < 300 && spawnSync('docker', ['version'], { env: dockerEnv }).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));

const samples: Record<string, number[]> = { berth: [], docker: [], skopeo: [], ...(baseline ? { baseline: [] } : {}) };
try {
  for (let i = 0; i < runs; i++) {
    const root = path.join(tmp, 'berth-root');
    // With a baseline, the two builds take turns going first (the one after a deletion pays for it).
    const builds: [string, string][] = [['berth', berth], ...(baseline ? [['baseline', baseline] as [string, string]] : [])];
    if (i % 2) builds.reverse();
    for (const [key, cli] of builds) {
      fs.rmSync(root, { recursive: true, force: true });
      samples[key]!.push(time(() => mustSucceed(process.execPath, [cli, 'pull', '-q', name], { ...process.env, BERTH_ROOT: root })));
    }

    spawnSync('docker', ['rmi', '-f', name], { env: dockerEnv, stdio: 'ignore' });
    samples.docker!.push(time(() => mustSucceed('docker', ['pull', '-q', name], dockerEnv)));

    const dir = path.join(tmp, 'skopeo-out');
    fs.rmSync(dir, { recursive: true, force: true });
    samples.skopeo!.push(time(() => mustSucceed('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${name}`, `oci:${dir}:1`])));
  }
} finally {
  spawnSync('docker', ['rmi', '-f', name], { env: dockerEnv, stdio: 'ignore' });
  dockerd.kill('SIGTERM');
  await new Promise((r) => dockerd.once('exit', r));
  await registry.stop();
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(tmp));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(tmp, { recursive: true, force: true });
}

const s: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
const row = (what: string, x: Summary, note = '') => `| ${what} | ${fmt(x.median)} | ${fmt(x.min)} | ${fmt(x.max)} | ${x.n} | ${note} |`;
const v = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0];
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; node ${process.version}; ${v('dockerd', ['--version'])}; ${v('skopeo', ['--version'])}`);
console.log(`Image: 4 layers, ${(compressed / 1e6).toFixed(1)} MB compressed, ~2,000 small files; registry: docker-registry 2.8 on 127.0.0.1`);
console.log('');
console.log('| what | median ms | min | max | runs | note |');
console.log('| --- | --- | --- | --- | --- | --- |');
console.log(row('`berth pull` (downloaded, verified, unpacked to overlay snapshots)', s.berth!, `${(s.berth!.median / s.docker!.median).toFixed(2)}× docker pull`));
if (s.baseline) console.log(row(`\`berth pull\`, baseline build (${baseline})`, s.baseline, `${(s.baseline.median / s.docker!.median).toFixed(2)}× docker pull`));
console.log(row('`docker pull` (dockerd 20.10, overlay2)', s.docker!));
console.log(row('`skopeo copy` to an OCI dir (no unpack)', s.skopeo!, `berth = ${(s.berth!.median / s.skopeo!.median).toFixed(2)}× skopeo`));
