// dockerode 5 (docker-modem, no API version prefix) against a real `berth daemon`: create/start/wait/logs,
// attach and exec over hijacked connections with stdin, list filters, one-shot stats, remove, volumes,
// networks and events. Root: real namespaces, cgroups and CNI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { EngineDaemon } from '../fixtures/engine-daemon.js';
import { rulesMentioning, removeBridgeRules, removeBridge, hostRun as host } from '../fixtures/host-network.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (namespaces, cgroups, CNI)');

// Per-file bridge and subnets so the four engine interop files never share a device or addresses.
const BRIDGE = 'bt-e5dode';
const SUBNET_PREFIX = '10.231.75.';
const USER_SUBNET = '10.231.76.0/24';
let d: EngineDaemon;
let docker: Docker;

before(async () => {
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: `${SUBNET_PREFIX}0/24` });
  docker = new Docker({ socketPath: d.socket });
});

after(async () => {
  const leftovers = d ? await d.stop() : [];
  const ports = (await host('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim();
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  const rules = (await rulesMentioning(BRIDGE, SUBNET_PREFIX, USER_SUBNET.slice(0, -4))).map((r) => r.rule);
  assert.deepEqual(leftovers, [], 'the daemon left things behind');
  assert.equal(ports, '', `veths still attached to ${BRIDGE}`);
  assert.deepEqual(rules, [], 'iptables rules for this file\'s subnets left behind');
});





/** Splits Docker's multiplexed stream (8-byte headers: stream type, 0, 0, 0, length BE) into stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i]!;
    const len = buf.readUInt32BE(i + 4);
    assert.ok(type === 1 || type === 2, `bad stream type ${type} at byte ${i}: ${buf.toString('hex', i, i + 16)}`);
    const payload = buf.subarray(i + 8, i + 8 + len).toString();
    if (type === 1) out.stdout += payload;
    else out.stderr += payload;
    i += 8 + len;
  }
  assert.equal(i, buf.length, 'trailing bytes after the last frame');
  return out;
}

/** Collects a stream to its end (bounded: a stream that never ends fails the test instead of hanging it). */
function collect(stream: Readable | Duplex, what: string, ms = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`${what}: the stream did not end within ${ms} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`));
    }, ms);
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    stream.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    stream.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

async function removeQuietly(...names: string[]): Promise<void> {
  for (const n of names) await docker.getContainer(n).remove({ force: true, v: true }).catch(() => undefined);
}

test('createContainer, start, wait and logs', async () => {
  const c = await docker.createContainer({ name: 'dode-basic', Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], HostConfig: { NetworkMode: 'none' } });
  try {
    assert.match(c.id, /^[0-9a-f]{64}$/);
    await c.start();
    const w = await c.wait();
    assert.equal(w.StatusCode, 3);
    const logs = await c.logs({ stdout: true, stderr: true, follow: false });
    assert.deepEqual(demux(logs as unknown as Buffer), { stdout: 'out\n', stderr: 'err\n' });
    const info = await c.inspect();
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 3);
    assert.equal(info.Name, '/dode-basic');
  } finally {
    await removeQuietly('dode-basic');
  }
});

test('docker.run (attach, start, wait; dockerode defaults to a TTY) streams the output to a writable', async () => {
  const sink = new PassThrough();
  const got = collect(sink, 'docker.run output');
  const [result, container] = await docker.run('busybox', ['echo', 'via-run'], sink, { HostConfig: { NetworkMode: 'none', AutoRemove: true } }) as [{ StatusCode: number }, Docker.Container];
  sink.end();
  assert.equal(result.StatusCode, 0);
  assert.equal((await got).toString(), 'via-run\r\n', 'a TTY turns \\n into \\r\\n');
  await removeQuietly(container.id);
});

test('attach with hijack: stdin reaches the container, its end closes stdin, output comes back', async () => {
  const c = await docker.createContainer({
    name: 'dode-attach', Image: 'busybox', Cmd: ['sh', '-c', 'cat; echo done'], OpenStdin: true, StdinOnce: true, AttachStdin: true,
    AttachStdout: true, AttachStderr: true, HostConfig: { NetworkMode: 'none' },
  });
  try {
    // dockerode also writes its options as a JSON request body: that body is not stdin and must not reach the container.
    const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }) as unknown as Duplex;
    const out = collect(stream, 'attach stream');
    await c.start();
    stream.write('hello over hijack\n');
    stream.end();
    assert.deepEqual(demux(await out), { stdout: 'hello over hijack\ndone\n', stderr: '' });
    assert.equal((await c.wait()).StatusCode, 0);
  } finally {
    await removeQuietly('dode-attach');
  }
});

test('exec: start with hijack and stdin, then inspect the ExitCode', async () => {
  const c = await docker.createContainer({ name: 'dode-exec', Image: 'busybox', Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' } });
  try {
    await c.start();
    const exec = await c.exec({ Cmd: ['sh', '-c', 'read line; echo "got $line"; echo e >&2; exit 5'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const out = collect(stream, 'exec stream');
    stream.write('ping\n');
    stream.end();
    assert.deepEqual(demux(await out), { stdout: 'got ping\n', stderr: 'e\n' });
    const info = await exec.inspect();
    assert.equal(info.Running, false);
    assert.equal(info.ExitCode, 5);
    assert.equal(info.ContainerID, c.id);
  } finally {
    await removeQuietly('dode-exec');
  }
});

test('listContainers with filters (name, status, label) and all', async () => {
  await docker.createContainer({ name: 'dode-list-created', Image: 'busybox', Labels: { e5: 'list' }, HostConfig: { NetworkMode: 'none' } });
  const running = await docker.createContainer({ name: 'dode-list-running', Image: 'busybox', Cmd: ['sleep', '60'], Labels: { e5: 'list' }, HostConfig: { NetworkMode: 'none' } });
  try {
    await running.start();
    const names = (l: Docker.ContainerInfo[]) => l.flatMap((c) => c.Names).sort();
    assert.deepEqual(names(await docker.listContainers({ filters: { label: ['e5=list'] } })), ['/dode-list-running']);
    assert.deepEqual(names(await docker.listContainers({ all: true, filters: { label: ['e5=list'] } })), ['/dode-list-created', '/dode-list-running']);
    assert.deepEqual(names(await docker.listContainers({ all: true, filters: { status: ['created'], label: ['e5'] } })), ['/dode-list-created']);
    const [row] = await docker.listContainers({ filters: { name: ['dode-list-running'] } });
    assert.equal(row?.Id, running.id);
    assert.equal(row?.State, 'running');
    assert.equal(row?.Image, 'busybox');
    assert.equal(row?.Command, 'sleep 60');
    assert.deepEqual(row?.Labels, { e5: 'list' });
  } finally {
    await removeQuietly('dode-list-created', 'dode-list-running');
  }
});

test('stats one-shot (stream: false) returns cpu, memory and pids figures with precpu filled', async () => {
  const c = await docker.createContainer({ name: 'dode-stats', Image: 'busybox', Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none', Memory: 64 * 1024 * 1024 } });
  try {
    await c.start();
    const s = await c.stats({ stream: false }) as unknown as Record<string, any>;
    assert.equal(s.name, '/dode-stats');
    assert.equal(s.id, c.id);
    assert.equal(s.pids_stats.current, 1);
    assert.equal(s.memory_stats.limit, 64 * 1024 * 1024);
    assert.ok(s.memory_stats.usage > 0, 'memory usage must be measured');
    assert.ok(s.cpu_stats.cpu_usage.total_usage > 0, 'cpu usage must be measured');
    assert.ok(s.precpu_stats.system_cpu_usage > 0, 'precpu must be filled for one-shot stats');
    assert.ok(s.cpu_stats.online_cpus >= 1);
  } finally {
    await removeQuietly('dode-stats');
  }
});

test('remove: force-removing a running container; it is gone afterwards (404)', async () => {
  const c = await docker.createContainer({ name: 'dode-rm', Image: 'busybox', Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  await assert.rejects(c.remove(), (e: { statusCode?: number }) => e.statusCode === 409, 'removing a running container without force must be a 409');
  await c.remove({ force: true });
  await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  assert.deepEqual(await docker.listContainers({ all: true, filters: { name: ['dode-rm'] } }), []);
});

test('volumes: create, list, inspect, remove', async () => {
  const v = await docker.createVolume({ Name: 'dode-vol', Labels: { e5: 'vol' } }) as unknown as Docker.Volume;
  try {
    assert.equal(v.name, 'dode-vol');
    const list = await docker.listVolumes({ filters: { label: ['e5=vol'] } });
    assert.deepEqual(list.Volumes.map((x) => x.Name), ['dode-vol']);
    assert.ok(Array.isArray(list.Warnings) || list.Warnings === null);
    const info = await docker.getVolume('dode-vol').inspect();
    assert.equal(info.Driver, 'local');
    assert.deepEqual(info.Labels, { e5: 'vol' });
    assert.ok(info.Mountpoint.startsWith(d.root), `Mountpoint ${info.Mountpoint} outside the daemon root`);
    await docker.getVolume('dode-vol').remove();
    await assert.rejects(docker.getVolume('dode-vol').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  } finally {
    await docker.getVolume('dode-vol').remove().catch(() => undefined);
  }
});

test('networks: create with a subnet, list with a filter, connect a container, remove', async () => {
  const net = await docker.createNetwork({ Name: 'dode-net', Driver: 'bridge', IPAM: { Config: [{ Subnet: USER_SUBNET }] }, Labels: { e5: 'net' } });
  try {
    assert.match(net.id, /^[0-9a-f]{64}$/);
    const list = await docker.listNetworks({ filters: { name: ['dode-net'] } });
    assert.deepEqual(list.map((n) => n.Name), ['dode-net']);
    assert.equal(list[0]?.IPAM?.Config?.[0]?.Subnet, USER_SUBNET);
    const c = await docker.createContainer({ name: 'dode-net-c', Image: 'busybox', Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'dode-net' } });
    await c.start();
    const ip = (await c.inspect()).NetworkSettings.Networks['dode-net']?.IPAddress ?? '';
    assert.ok(ip.startsWith(USER_SUBNET.slice(0, -4)), `address ${ip} not in ${USER_SUBNET}`);
    const bridge = (await net.inspect()).Options?.['com.docker.network.bridge.name'] as string;
    await removeQuietly('dode-net-c');
    await net.remove();
    assert.deepEqual(await docker.listNetworks({ filters: { name: ['dode-net'] } }), []);
    assert.notEqual((await host('ip', ['link', 'show', bridge])).status, 0, `bridge ${bridge} left after remove`);
    assert.deepEqual(await rulesMentioning(bridge, USER_SUBNET.slice(0, -4)), [], `iptables rules of ${bridge} left after remove`);
  } finally {
    await removeQuietly('dode-net-c');
    await net.remove().catch(() => undefined);
  }
});

test('getEvents with since/until/filters replays a container\'s lifecycle and ends', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const c = await docker.createContainer({ name: 'dode-events', Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  await c.wait();
  await c.remove();
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({ since, until, filters: { container: ['dode-events'] } }) as unknown as Readable;
  const lines = (await collect(stream, 'events')).toString().split('\n').filter(Boolean);
  const evs = lines.map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> }; time: number });
  assert.deepEqual(evs.map((e) => e.Action).filter((a) => ['create', 'start', 'die', 'destroy'].includes(a)), ['create', 'start', 'die', 'destroy']);
  for (const e of evs) {
    assert.equal(e.Type, 'container');
    assert.equal(e.Actor.ID, c.id);
    assert.ok(e.time >= since && e.time <= until);
  }
});
