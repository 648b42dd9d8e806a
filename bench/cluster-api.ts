// Benchmark: the control plane under load — 1,000 pod creates from 10 concurrent clients while 100 watchers
// follow the namespace: create throughput, p50/p99 write latency, p99 watch-delivery latency (write
// acknowledged → event received), and the RSS of the API server and etcd. Anchors: Kubernetes' SLO (p99 API
// call latency ≤ 1 s) and k3s's published server memory (768–1,600 MB). Run as root:
//   node dist/bench/cluster-api.js [pods] [watchers]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { freePort } from '../src/cluster/storage/index.js';

const pods = Number(process.argv[2] ?? 1000);
const watchers = Number(process.argv[3] ?? 100);
const clients = 10;
const here = path.dirname(fileURLToPath(import.meta.url));
const berth = path.resolve(here, '../../bin/berth.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-cluster-'));
const env = { ...process.env, HOME: tmp, KUBECONFIG: path.join(tmp, 'kubeconfig'), BERTH_ROOT: tmp };
const state = path.join(tmp, 'cluster');
const port = await freePort();

function berthCli(args: string[]): string {
  const r = spawnSync(process.execPath, [berth, 'cluster', ...args, '--state-dir', state], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`berth cluster ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

berthCli(['up', '--port', String(port)]);
try {
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(s: string): any };
  const kc = yaml.load(fs.readFileSync(env.KUBECONFIG, 'utf8'));
  const cluster = kc.clusters.find((c: any) => c.name === 'berth').cluster;
  const user = kc.users.find((u: any) => u.name === 'berth').user;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: clients + watchers + 4,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  });
  const url = new URL(cluster.server);
  const request = (method: string, p: string, body?: unknown) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = https.request({ host: url.hostname, port: url.port, method, path: p, agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: data ? JSON.parse(data) : undefined }));
      });
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  await request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  const list = await request('GET', '/api/v1/namespaces/bench/pods');
  const rv = list.body.metadata.resourceVersion as string;

  // Watchers: record when each pod's ADDED event arrives.
  const acked = new Map<string, bigint>();
  const delivery: number[] = [];
  let received = 0;
  const allSeen = new Promise<void>((resolve) => {
    for (let w = 0; w < watchers; w++) {
      https.get({ host: url.hostname, port: url.port, path: `/api/v1/namespaces/bench/pods?watch=true&resourceVersion=${rv}`, agent }, (res) => {
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            // The watchers share this process's 2 cores with the server: read type and name without parsing
            // the whole event (the API server writes kind, apiVersion, metadata.name first).
            const m = /^\{"type":"(\w+)","object":\{"kind":"Pod","apiVersion":"v1","metadata":\{"name":"([^"]+)"/.exec(line);
            if (!m) throw new Error(`unexpected watch event: ${line.slice(0, 200)}`);
            if (m[1] !== 'ADDED') continue;
            const t = acked.get(m[2]!);
            if (t !== undefined) delivery.push(Number(process.hrtime.bigint() - t) / 1e6);
            if (++received === pods * watchers) resolve();
          }
        });
      });
    }
  });
  await new Promise((r) => setTimeout(r, 1000)); // watchers connected

  const latencies: number[] = [];
  const pod = (i: number) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < pods) {
      const i = next++;
      const s = process.hrtime.bigint();
      const r = await request('POST', '/api/v1/namespaces/bench/pods', pod(i));
      if (r.status !== 201) throw new Error(`create p-${i}: ${r.status} ${JSON.stringify(r.body)}`);
      const e = process.hrtime.bigint();
      acked.set(`p-${i}`, e);
      latencies.push(Number(e - s) / 1e6);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.race([allSeen, new Promise((r) => setTimeout(r, 30_000))]);
  const status = JSON.parse(berthCli(['status', '--format', 'json']));
  const apiRss = rssMiB(status.pid);
  const etcdRss = status.etcd.pid ? rssMiB(status.etcd.pid) : NaN;
  agent.destroy();

  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; node ${process.version}; etcd ${spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
  console.log(`Load: ${pods} pod creates from ${clients} concurrent clients, ${watchers} watchers on the namespace; ${received} of ${pods * watchers} events delivered`);
  console.log('');
  console.log('| measure | value | target |');
  console.log('| --- | --- | --- |');
  console.log(`| create throughput | ${(pods / seconds).toFixed(0)} pods/s | |`);
  console.log(`| write latency p50 | ${pct(latencies, 50).toFixed(1)} ms | |`);
  console.log(`| write latency p99 | ${pct(latencies, 99).toFixed(1)} ms | ≤ 50 ms (Kubernetes SLO: ≤ 1 s) |`);
  console.log(`| watch delivery p99 | ${pct(delivery, 99).toFixed(1)} ms | |`);
  console.log(`| API server RSS | ${apiRss.toFixed(0)} MiB | |`);
  console.log(`| etcd RSS | ${etcdRss.toFixed(0)} MiB | |`);
  console.log(`| control plane RSS | ${(apiRss + etcdRss).toFixed(0)} MiB | ≤ 200 MB (k3s server: 768–1,600 MB) |`);
} finally {
  spawnSync(process.execPath, [berth, 'cluster', 'down', '--state-dir', state], { env, stdio: 'ignore' });
  fs.rmSync(tmp, { recursive: true, force: true });
}
