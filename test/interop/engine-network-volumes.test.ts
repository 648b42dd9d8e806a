// The real docker CLI 28 against a real `berth daemon`: user-defined networks (name resolution, inspect, rm),
// published ports seen from the host, the none/host/container: network modes, and volumes (named, anonymous,
// binds, tmpfs, prune). Root: real CNI bridge, portmap and iptables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { EngineDaemon, type RunResult } from '../fixtures/engine-daemon.js';
import { rulesMentioning, removeBridgeRules, removeBridge, hostRun as run } from '../fixtures/host-network.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (namespaces, CNI, iptables)');

// Per-file bridge and subnets so the four engine interop files never share a device or addresses.
const BRIDGE = 'bt-e5net';
const SUBNET_PREFIX = '10.231.72.';
const USER_SUBNET_PREFIX = '10.231.73.';
let d: EngineDaemon;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e5net-'));

before(async () => {
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: `${SUBNET_PREFIX}0/24` });
});

after(async () => {
  const leftovers = d ? await d.stop() : [];
  const ports = (await run('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim();
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  const rules = (await rulesMentioning(BRIDGE, SUBNET_PREFIX, USER_SUBNET_PREFIX)).map((r) => r.rule);
  fs.rmSync(scratch, { recursive: true, force: true });
  assert.deepEqual(leftovers, [], 'the daemon left things behind');
  assert.equal(ports, '', `veths still attached to ${BRIDGE}`);
  assert.deepEqual(rules, [], 'iptables rules for this file\'s subnets left behind');
});




const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function why(args: string[], r: RunResult): string {
  const log = d.logs().split('\n').filter((l) => !/level=debug/.test(l) || / → [45]\d\d/.test(l)).slice(-12).join('\n');
  return `docker ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log:\n${log}`;
}

function dk(args: string[], opts: { input?: string | Buffer } = {}): Promise<RunResult> {
  return d.docker(args, { timeoutMs: 30_000, ...opts });
}

async function ok(args: string[], opts: { input?: string | Buffer } = {}): Promise<RunResult> {
  const r = await dk(args, opts);
  assert.equal(r.status, 0, why(args, r));
  return r;
}

async function inspect<T = unknown>(name: string, format: string): Promise<T> {
  return JSON.parse((await ok(['inspect', '-f', `{{json ${format}}}`, name])).stdout) as T;
}

async function rm(...names: string[]): Promise<void> {
  await dk(['rm', '-f', '-v', ...names]);
}

/** An HTTP GET from this (host) process; undefined when the connection fails. */
function httpGet(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Retries an HTTP GET (bounded) until it answers: the server in the container may still be starting. */
async function httpGetEventually(host: string, port: number): Promise<string | undefined> {
  for (let i = 0; i < 50; i++) {
    const body = await httpGet(host, port);
    if (body !== undefined) return body;
    await sleep(100);
  }
  return undefined;
}

/** A TCP port nobody listens on right now (the kernel picks it). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The host's first global IPv4 address outside every container subnet (e.g. eth0's). */
async function hostAddress(): Promise<string> {
  const out = (await run('ip', ['-4', '-o', 'route', 'get', '1.1.1.1'])).stdout;
  const src = /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
  assert.ok(src, `no source address for the default route: ${out}`);
  return src;
}

const HTTPD = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

test('two containers on a user-defined network reach each other by name; inspect, ls and rm of the network', async () => {
  const id = (await ok(['network', 'create', '--subnet', `${USER_SUBNET_PREFIX}0/24`, 'e5-n1'])).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  try {
    await ok(['run', '-d', '--network', 'e5-n1', '--name', 'e5-srv', 'busybox', ...HTTPD('hello-www')]);
    const ip = await inspect<string>('e5-srv', '(index .NetworkSettings.Networks "e5-n1").IPAddress');
    assert.ok(ip.startsWith(USER_SUBNET_PREFIX), `${ip} not in ${USER_SUBNET_PREFIX}0/24`);
    const client = ['run', '--rm', '--network', 'e5-n1', 'busybox', 'sh', '-c', 'for i in $(seq 1 50); do wget -qO- http://e5-srv/ && exit 0; sleep 0.1; done; exit 1'];
    assert.equal((await ok(client)).stdout, 'hello-www\n');

    assert.match((await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).stdout, /^e5-n1 bridge$/m);
    const n = JSON.parse((await ok(['network', 'inspect', 'e5-n1'])).stdout)[0];
    assert.equal(n.Id, id);
    assert.equal(n.IPAM.Config[0].Subnet, `${USER_SUBNET_PREFIX}0/24`);
    const srvId = await inspect<string>('e5-srv', '.Id');
    assert.equal(n.Containers[srvId]?.Name, 'e5-srv');
    assert.equal(n.Containers[srvId]?.IPv4Address, `${ip}/24`);

    const refused = await dk(['network', 'rm', 'e5-n1']);
    assert.notEqual(refused.status, 0, 'rm of a network in use must be refused');
    assert.match(refused.stderr, /active endpoints/);
    await rm('e5-srv');
    const bridge = n.Options['com.docker.network.bridge.name'] as string;
    assert.equal((await run('ip', ['link', 'show', bridge])).status, 0, `network bridge ${bridge} should exist`);
    await ok(['network', 'rm', 'e5-n1']);
    assert.notEqual((await run('ip', ['link', 'show', bridge])).status, 0, `bridge ${bridge} left after network rm`);
    assert.deepEqual(await rulesMentioning(bridge, USER_SUBNET_PREFIX), [], `iptables rules of ${bridge} left after network rm`);
    assert.doesNotMatch((await ok(['network', 'ls'])).stdout, /e5-n1/);
  } finally {
    await rm('e5-srv');
    await dk(['network', 'rm', 'e5-n1']);
  }
});

test('-p 127.0.0.1::80 publishes on a random loopback port that answers from the host (docker port)', async () => {
  await ok(['run', '-d', '--name', 'e5-pub', '-p', '127.0.0.1::80', 'busybox', ...HTTPD('random-port')]);
  try {
    const line = (await ok(['port', 'e5-pub', '80'])).stdout.trim();
    const m = /^127\.0\.0\.1:(\d+)$/.exec(line);
    assert.ok(m, `docker port printed ${line}`);
    assert.equal(await httpGetEventually('127.0.0.1', Number(m[1])), 'random-port\n');
    assert.match((await ok(['ps', '--filter', 'name=e5-pub', '--format', '{{.Ports}}'])).stdout, new RegExp(`127\\.0\\.0\\.1:${m[1]}->80/tcp`));
  } finally {
    await rm('e5-pub');
  }
});

test('-p HOSTPORT:80 answers on the host\'s own address; the rule goes with the container', async () => {
  const port = await freePort();
  const addr = await hostAddress();
  await ok(['run', '-d', '--name', 'e5-fixed', '-p', `${port}:80`, 'busybox', ...HTTPD('fixed-port')]);
  try {
    assert.equal((await ok(['port', 'e5-fixed', '80/tcp'])).stdout.split('\n')[0], `0.0.0.0:${port}`);
    assert.equal(await httpGetEventually(addr, port), 'fixed-port\n');
  } finally {
    await rm('e5-fixed');
  }
  assert.equal(await httpGet(addr, port), undefined, 'the port still answers after rm');
  assert.deepEqual((await run('iptables-save', [])).stdout.split('\n').filter((l) => l.includes(`--dport ${port} `)), []);
});

test('-p on a host port already taken fails with a clear error (125), nothing running, no rule left', async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const args = ['run', '-d', '--name', 'e5-taken', '-p', `${port}:80`, 'busybox', ...HTTPD('never')];
    const r = await dk(args);
    assert.equal(r.status, 125, why(args, r));
    assert.match(r.stderr, new RegExp(`${port}`));
    assert.match(r.stderr, /already (allocated|in use)|address in use/i);
    assert.equal((await ok(['ps', '-q', '--filter', 'name=e5-taken'])).stdout, '', 'the container must not be running');
    assert.deepEqual((await run('iptables-save', [])).stdout.split('\n').filter((l) => l.includes(`--dport ${port} `)), []);
  } finally {
    await rm('e5-taken');
    await new Promise((r) => server.close(r));
  }
});

test('--network none has only lo; --network host sees the host\'s interfaces and hostname', async () => {
  const none = (await ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link'])).stdout.split('\n').filter(Boolean);
  assert.deepEqual(none.map((l) => l.split(':')[1]!.trim()), ['lo']);
  const hostLinks = (await run('ip', ['-o', 'link'])).stdout;
  const mainIf = /^\d+: ([^:@]+).*state UP/m.exec(hostLinks.split('\n').filter((l) => !/ lo:|veth|br-|bt-/.test(l)).join('\n'))?.[1];
  assert.ok(mainIf, 'no UP interface on the host');
  const names = (await ok(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ip -o link | cut -d: -f2 | cut -d@ -f1'])).stdout.split('\n').map((l) => l.trim());
  assert.ok(names.includes(mainIf), `host interface ${mainIf} not seen: ${names.join(' ')}`);
  // Docker gives a host-network container the host's hostname (Config.Hostname from os.Hostname()).
  assert.equal((await ok(['run', '--rm', '--network', 'host', 'busybox', 'hostname'])).stdout, `${os.hostname()}\n`);
});

test('--network container:<name> shares that container\'s namespace (same IP, its localhost)', async () => {
  await ok(['run', '-d', '--name', 'e5-owner', 'busybox', ...HTTPD('shared-ns')]);
  try {
    const ip = await inspect<string>('e5-owner', '.NetworkSettings.IPAddress');
    assert.ok(ip.startsWith(SUBNET_PREFIX));
    const r = await ok(['run', '--rm', '--network', 'container:e5-owner', 'busybox', 'sh', '-c',
      'ip -4 -o addr show eth0; for i in $(seq 1 50); do wget -qO- http://127.0.0.1/ && exit 0; sleep 0.1; done; exit 1']);
    assert.match(r.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    assert.match(r.stdout, /^shared-ns$/m);
  } finally {
    await rm('e5-owner');
  }
});

test('volume create, ls, inspect and rm', async () => {
  assert.equal((await ok(['volume', 'create', '--label', 'team=e5', 'e5-v1'])).stdout, 'e5-v1\n');
  try {
    const rows = (await ok(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}'])).stdout;
    assert.match(rows, /^local e5-v1$/m);
    const v = JSON.parse((await ok(['volume', 'inspect', 'e5-v1'])).stdout)[0];
    assert.equal(v.Name, 'e5-v1');
    assert.equal(v.Driver, 'local');
    assert.deepEqual(v.Labels, { team: 'e5' });
    assert.ok(v.Mountpoint.startsWith(d.root), `Mountpoint ${v.Mountpoint} outside the daemon root`);
    assert.ok(fs.statSync(v.Mountpoint).isDirectory());
    assert.equal((await ok(['volume', 'rm', 'e5-v1'])).stdout, 'e5-v1\n');
    assert.equal(fs.existsSync(v.Mountpoint), false, 'the volume directory is left after rm');
    assert.doesNotMatch((await ok(['volume', 'ls', '-q'])).stdout, /e5-v1/);
  } finally {
    await dk(['volume', 'rm', 'e5-v1']);
  }
});

test('a named volume keeps its data across containers; rm of a volume in use is refused', async () => {
  try {
    await ok(['run', '--name', 'e5-writer', '--network', 'none', '-v', 'e5-data:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
    await rm('e5-writer');
    assert.equal((await ok(['run', '--rm', '--network', 'none', '-v', 'e5-data:/data', 'busybox', 'cat', '/data/f'])).stdout, 'persisted\n');
    await ok(['run', '-d', '--name', 'e5-user', '--network', 'none', '-v', 'e5-data:/data', 'busybox', 'sleep', '60']);
    const r = await dk(['volume', 'rm', 'e5-data']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /volume is in use/);
    assert.match((await ok(['volume', 'ls', '-q'])).stdout, /^e5-data$/m);
    await rm('e5-user');
    await ok(['volume', 'rm', 'e5-data']);
  } finally {
    await rm('e5-writer', 'e5-user');
    await dk(['volume', 'rm', 'e5-data']);
  }
});

test('anonymous volumes: kept by rm, removed by rm -v and by run --rm', async () => {
  const vols = async () => new Set((await ok(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean));
  await ok(['run', '-d', '--name', 'e5-anon', '--network', 'none', '-v', '/anon', 'busybox', 'sleep', '60']);
  const name = await inspect<{ Name: string; Type: string }[]>('e5-anon', '.Mounts').then((m) => m.find((x) => x.Type === 'volume')!.Name);
  assert.match(name, /^[0-9a-f]{64}$/);
  assert.ok((await vols()).has(name));
  await ok(['rm', '-f', '-v', 'e5-anon']);
  assert.equal((await vols()).has(name), false, 'rm -v must remove the anonymous volume');

  await ok(['run', '-d', '--name', 'e5-anon2', '--network', 'none', '-v', '/anon', 'busybox', 'true']);
  const name2 = await inspect<{ Name: string; Type: string }[]>('e5-anon2', '.Mounts').then((m) => m.find((x) => x.Type === 'volume')!.Name);
  await ok(['wait', 'e5-anon2']);
  await ok(['rm', 'e5-anon2']);
  assert.ok((await vols()).has(name2), 'rm without -v keeps the anonymous volume');
  await ok(['volume', 'rm', name2]);

  const before = await vols();
  await ok(['run', '--rm', '--network', 'none', '-v', '/anon', 'busybox', 'true']);
  assert.deepEqual(await vols(), before, 'run --rm must remove its anonymous volumes');
});

test('-v /hostdir:/data binds a host directory (read-write, and :ro read-only)', async () => {
  const host = fs.mkdtempSync(path.join(scratch, 'bind-'));
  fs.writeFileSync(path.join(host, 'from-host'), 'host says hi\n');
  const r = await ok(['run', '--rm', '--network', 'none', '-v', `${host}:/data`, 'busybox', 'sh', '-c', 'cat /data/from-host; echo ctr > /data/from-ctr']);
  assert.equal(r.stdout, 'host says hi\n');
  assert.equal(fs.readFileSync(path.join(host, 'from-ctr'), 'utf8'), 'ctr\n');
  const ro = await dk(['run', '--rm', '--network', 'none', '-v', `${host}:/data:ro`, 'busybox', 'touch', '/data/nope']);
  assert.notEqual(ro.status, 0);
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(fs.existsSync(path.join(host, 'nope')), false);
});

test('--mount: tmpfs with a size, a named volume, a read-only bind', async () => {
  const host = fs.mkdtempSync(path.join(scratch, 'mount-'));
  try {
    const r = await ok(['run', '--rm', '--network', 'none', '--mount', 'type=tmpfs,destination=/scratch,tmpfs-size=1m',
      '--mount', 'type=volume,source=e5-mnt,target=/vol', '--mount', `type=bind,source=${host},target=/ro,readonly`,
      'busybox', 'sh', '-c', 'grep -E " /(scratch|vol|ro) " /proc/mounts; echo v > /vol/f; touch /scratch/ok']);
    const lines = r.stdout.split('\n');
    assert.match(lines.find((l) => l.includes(' /scratch '))!, /^tmpfs \/scratch tmpfs rw,.*size=1024k/);
    assert.match(lines.find((l) => l.includes(' /ro '))!, / \/ro \S+ ro[, ]/);
    assert.ok(lines.some((l) => l.includes(' /vol ')));
    assert.match((await ok(['volume', 'ls', '-q'])).stdout, /^e5-mnt$/m);
  } finally {
    await dk(['volume', 'rm', 'e5-mnt']);
  }
});

test('volume prune -f removes unused anonymous volumes; -a also unused named ones; volumes in use stay', async () => {
  await ok(['volume', 'create', 'e5-named-unused']);
  await ok(['run', '-d', '--name', 'e5-keep', '--network', 'none', '-v', 'e5-in-use:/x', 'busybox', 'sleep', '60']);
  await ok(['run', '--name', 'e5-anon-src', '--network', 'none', '-v', '/anon', 'busybox', 'true']);
  const anon = await inspect<{ Name: string; Type: string }[]>('e5-anon-src', '.Mounts').then((m) => m.find((x) => x.Type === 'volume')!.Name);
  await ok(['rm', 'e5-anon-src']);
  try {
    const out = (await ok(['volume', 'prune', '-f'])).stdout;
    assert.match(out, new RegExp(anon));
    let left = (await ok(['volume', 'ls', '-q'])).stdout;
    assert.doesNotMatch(left, new RegExp(anon));
    assert.match(left, /^e5-named-unused$/m);
    assert.match(left, /^e5-in-use$/m);
    assert.match((await ok(['volume', 'prune', '-a', '-f'])).stdout, /e5-named-unused/);
    left = (await ok(['volume', 'ls', '-q'])).stdout;
    assert.doesNotMatch(left, /e5-named-unused/);
    assert.match(left, /^e5-in-use$/m);
  } finally {
    await rm('e5-keep', 'e5-anon-src');
    await dk(['volume', 'rm', 'e5-named-unused', 'e5-in-use', anon]);
  }
});
