// The real docker CLI 28 against a real `berth daemon`: containers on several networks — `docker network
// connect/disconnect` of running and stopped containers (interfaces in the container, names in peers' hosts
// files, events), `docker run --network a --network b`, --network-alias kept across a restart, network rm
// refused while a container is connected, and Docker's errors. Root: real CNI bridge and iptables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BERTH, EngineDaemon, run as runProgram, type RunResult } from '../fixtures/engine-daemon.js';
import { rulesMentioning, removeBridgeRules, removeBridge, hostRun as run } from '../fixtures/host-network.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (namespaces, CNI, iptables)');

// Per-file bridge and subnets: no other engine interop file uses these.
const BRIDGE = 'bt-e5conn';
const SUBNET_PREFIX = '10.231.80.';
const A = '10.231.81.'; // network c-a
const B = '10.231.82.'; // network c-b
let d: EngineDaemon;

before(async () => {
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: `${SUBNET_PREFIX}0/24` });
  await ok(['network', 'create', '--subnet', `${A}0/24`, 'c-a']);
  await ok(['network', 'create', '--subnet', `${B}0/24`, 'c-b']);
});

after(async () => {
  const leftovers = d ? await d.stop() : [];
  const ports = (await run('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim();
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  const rules = (await rulesMentioning(BRIDGE, SUBNET_PREFIX, A, B)).map((r) => r.rule);
  const veths = (await run('ip', ['-o', 'addr'])).stdout.split('\n').filter((l) => l.includes(A) || l.includes(B));
  assert.deepEqual(leftovers, [], 'the daemon left things behind');
  assert.equal(ports, '', `veths still attached to ${BRIDGE}`);
  assert.deepEqual(rules, [], 'iptables rules for this file\'s subnets left behind');
  assert.deepEqual(veths, [], 'bridges of the user networks left behind');
});

function why(args: string[], r: RunResult): string {
  const log = d.logs().split('\n').filter((l) => !/level=debug/.test(l) || / → [45]\d\d/.test(l)).slice(-12).join('\n');
  return `docker ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log:\n${log}`;
}

function dk(args: string[]): Promise<RunResult> {
  return d.docker(args, { timeoutMs: 30_000 });
}

async function ok(args: string[]): Promise<RunResult> {
  const r = await dk(args);
  assert.equal(r.status, 0, why(args, r));
  return r;
}

/** A docker command that must fail with stderr matching `re`. */
async function fails(args: string[], re: RegExp): Promise<void> {
  const r = await dk(args);
  assert.notEqual(r.status, 0, `expected a failure: ${why(args, r)}`);
  assert.match(r.stderr, re, why(args, r));
}

async function inspect<T = unknown>(name: string, format: string): Promise<T> {
  return JSON.parse((await ok(['inspect', '-f', `{{json ${format}}}`, name])).stdout) as T;
}

/** interface → IPv4 address/prefix inside a running container. */
async function addrs(name: string): Promise<Record<string, string>> {
  const out = (await ok(['exec', name, 'ip', '-4', '-o', 'addr'])).stdout;
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(/\s+/)).map((f) => [f[1]!, f[3]!]).filter(([i]) => i !== 'lo'));
}

async function hosts(name: string): Promise<string> {
  return (await ok(['exec', name, 'cat', '/etc/hosts'])).stdout;
}

const esc = (s: string) => s.replace(/\./g, '\\.');
const SLEEP = ['sleep', '600'];
const HTTPD = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

async function rm(...names: string[]): Promise<void> {
  await dk(['rm', '-f', '-v', ...names]);
}

test('connect a running container: eth1 in the new subnet, it reaches a peer by name and the peer resolves it; disconnect undoes it', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await ok(['run', '-d', '--network', 'c-b', '--name', 'c-peer', 'busybox', ...HTTPD('peer-www')]);
  await ok(['run', '-d', '--network', 'c-a', '--name', 'c-app', 'busybox', ...SLEEP]);
  try {
    assert.deepEqual(Object.keys(await addrs('c-app')), ['eth0']);
    assert.equal((await ok(['network', 'connect', 'c-b', 'c-app'])).stdout, '', 'docker prints nothing on connect');

    const ifs = await addrs('c-app');
    assert.match(ifs.eth0 ?? '', new RegExp(`^${esc(A)}\\d+/24$`), JSON.stringify(ifs));
    assert.match(ifs.eth1 ?? '', new RegExp(`^${esc(B)}\\d+/24$`), JSON.stringify(ifs));
    const ipB = ifs.eth1!.split('/')[0]!;
    const nets = await inspect<Record<string, { IPAddress: string; NetworkID: string; DNSNames: string[] }>>('c-app', '.NetworkSettings.Networks');
    assert.deepEqual(Object.keys(nets), ['c-a', 'c-b']);
    assert.equal(nets['c-b']!.IPAddress, ipB);
    assert.ok(nets['c-b']!.DNSNames.includes('c-app'));
    // One default route, through the first network.
    const routes = (await ok(['exec', 'c-app', 'ip', 'route'])).stdout.split('\n').filter((l) => l.startsWith('default'));
    assert.equal(routes.length, 1, `routes: ${routes.join(' | ')}`);
    assert.match(routes[0]!, new RegExp(`^default via ${esc(A)}1 dev eth0\\b`));

    // It reaches the peer on c-b by name; the peer's hosts file has it, and the peer reaches it back.
    const got = await ok(['exec', 'c-app', 'sh', '-c', 'for i in $(seq 1 30); do wget -qO- http://c-peer/ && exit 0; sleep 0.1; done; exit 1']);
    assert.equal(got.stdout, 'peer-www\n');
    assert.match(await hosts('c-peer'), new RegExp(`^${esc(ipB)}\\tc-app .*$`, 'm'));
    await ok(['exec', 'c-peer', 'ping', '-c', '1', '-W', '2', 'c-app']);
    const peers = JSON.parse((await ok(['network', 'inspect', 'c-b'])).stdout)[0].Containers as Record<string, { Name: string }>;
    assert.deepEqual(Object.values(peers).map((c) => c.Name).sort(), ['c-app', 'c-peer']);

    await fails(['network', 'connect', 'c-b', 'c-app'], /endpoint with name c-app already exists in network c-b/);

    assert.equal((await ok(['network', 'disconnect', 'c-b', 'c-app'])).stdout, '', 'docker prints nothing on disconnect');
    assert.deepEqual(Object.keys(await addrs('c-app')), ['eth0']);
    assert.equal((await dk(['exec', 'c-app', 'ip', 'link', 'show', 'eth1'])).status !== 0, true, 'eth1 still there after disconnect');
    assert.doesNotMatch(await hosts('c-peer'), /c-app/);
    assert.doesNotMatch(await hosts('c-app'), /c-peer/);
    assert.deepEqual(Object.keys(await inspect<Record<string, unknown>>('c-app', '.NetworkSettings.Networks')), ['c-a']);
    await fails(['network', 'disconnect', 'c-b', 'c-app'], /container [0-9a-f]{64} is not connected to network c-b/);

    const until = Math.ceil(Date.now() / 1000) + 1;
    const events = (await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}'])).stdout;
    const appId = await inspect<string>('c-app', '.Id');
    assert.match(events, new RegExp(`^connect c-b ${appId}$`, 'm'));
    assert.match(events, new RegExp(`^disconnect c-b ${appId}$`, 'm'));
  } finally {
    await rm('c-peer', 'c-app');
  }
});

test('bridge networks are isolated from each other: no connection across until connected, none after disconnect; a published port stays reachable', async () => {
  await ok(['run', '-d', '--network', 'c-b', '--name', 'iso-b', '-p', '80', 'busybox', ...HTTPD('iso-www')]);
  await ok(['run', '-d', '--network', 'c-a', '--name', 'iso-a', 'busybox', ...SLEEP]);
  try {
    const ipB = (await addrs('iso-b')).eth0!.split('/')[0]!;
    // (busybox wget's own -T crashes it: the time limit comes from the timeout applet.)
    const reach = (target: string) => dk(['exec', 'iso-a', 'timeout', '3', 'wget', '-qO-', `http://${target}/`]);
    // From network c-a to a container's address on c-b: dropped by the isolation rules (routed via the host otherwise).
    const across = await reach(ipB);
    assert.notEqual(across.status, 0, `c-a reached c-b directly: ${across.stdout}`);
    assert.notEqual((await dk(['exec', 'iso-a', 'ping', '-c', '1', '-W', '1', ipB])).status, 0, 'c-a pinged c-b');
    assert.notEqual((await dk(['exec', 'iso-b', 'ping', '-c', '1', '-W', '1', (await addrs('iso-a')).eth0!.split('/')[0]!])).status, 0, 'c-b reached c-a');
    // Connected to c-b, it reaches the same address over its own interface there; disconnected, not any more.
    await ok(['network', 'connect', 'c-b', 'iso-a']);
    // (A fresh interface can take a moment to pass traffic: retried, as the first test does.)
    const near = await ok(['exec', 'iso-a', 'sh', '-c', `for i in $(seq 1 30); do timeout 2 wget -qO- http://${ipB}/ && exit 0; sleep 0.1; done; exit 1`]);
    assert.equal(near.stdout, 'iso-www\n');
    await ok(['network', 'disconnect', 'c-b', 'iso-a']);
    assert.notEqual((await reach(ipB)).status, 0);
    // The host (c-a's gateway) is still reachable from c-a, and so is iso-b's published port through it (DNAT).
    assert.equal((await ok(['exec', 'iso-a', 'ping', '-c', '1', '-W', '2', `${A}1`])).status, 0);
    const port = (await ok(['port', 'iso-b', '80/tcp'])).stdout.split('\n')[0]!.split(':').pop()!;
    assert.equal((await reach(`${A}1:${port}`)).stdout, 'iso-www\n', 'the published port from another network');
  } finally {
    await rm('iso-a', 'iso-b');
  }
});

test('network rm is refused while a running container is connected to it, and works after disconnect', async () => {
  await ok(['network', 'create', '--subnet', '10.231.83.0/24', '--label', 'conn-test=tmp', 'c-tmp']);
  await ok(['run', '-d', '--network', 'c-a', '--name', 'c-user', 'busybox', ...SLEEP]);
  try {
    await ok(['network', 'connect', 'c-tmp', 'c-user']);
    await fails(['network', 'rm', 'c-tmp'], /active endpoints/);
    // Filtered: an unfiltered prune would take this file's other (idle) networks too.
    const pruned = (await ok(['network', 'prune', '-f', '--filter', 'label=conn-test=tmp'])).stdout;
    assert.doesNotMatch(pruned, /c-tmp/, 'prune removed a network in use');
    await ok(['network', 'disconnect', 'c-tmp', 'c-user']);
    await ok(['network', 'rm', 'c-tmp']);
  } finally {
    await rm('c-user');
    await dk(['network', 'rm', 'c-tmp']);
  }
  assert.deepEqual(await rulesMentioning('10.231.83.'), []);
});

test('connect a stopped container: recorded with its alias, both interfaces at start, the config kept after stop', async () => {
  await ok(['create', '--network', 'c-a', '--name', 'c-later', 'busybox', ...SLEEP]);
  await ok(['run', '-d', '--network', 'c-b', '--name', 'c-watch', 'busybox', ...SLEEP]);
  try {
    await ok(['network', 'connect', '--alias', 'later-alias', 'c-b', 'c-later']);
    type Nets = Record<string, { IPAddress: string; Aliases: string[] | null; NetworkID: string }>;
    let nets = await inspect<Nets>('c-later', '.NetworkSettings.Networks');
    assert.deepEqual(Object.keys(nets), ['c-a', 'c-b']);
    assert.deepEqual(nets['c-b']!.Aliases, ['later-alias']);
    assert.equal(nets['c-b']!.IPAddress, '');

    await ok(['start', 'c-later']);
    const ifs = await addrs('c-later');
    assert.match(ifs.eth0 ?? '', new RegExp(`^${esc(A)}`), JSON.stringify(ifs));
    assert.match(ifs.eth1 ?? '', new RegExp(`^${esc(B)}`), JSON.stringify(ifs));
    // A member of c-b resolves the alias given at connect.
    assert.match(await hosts('c-watch'), new RegExp(`^${esc(ifs.eth1!.split('/')[0]!)}\\tc-later later-alias `, 'm'));

    await ok(['stop', '-t', '0', 'c-later']);
    nets = await inspect<Nets>('c-later', '.NetworkSettings.Networks');
    assert.deepEqual(Object.keys(nets), ['c-a', 'c-b']);
    assert.deepEqual(nets['c-b']!.Aliases, ['later-alias']);
    assert.equal(nets['c-b']!.IPAddress, '');
    assert.ok(nets['c-b']!.NetworkID.length === 64);
    await ok(['network', 'disconnect', 'c-b', 'c-later']);
    assert.deepEqual(Object.keys(await inspect<Nets>('c-later', '.NetworkSettings.Networks')), ['c-a']);
    await fails(['network', 'disconnect', 'c-b', 'c-later'], /is not connected to the network c-b/);
  } finally {
    await rm('c-later', 'c-watch');
  }
});

test('docker run --network a --network b: eth0 on a, eth1 on b; --network-alias survives a restart', async () => {
  await ok(['run', '-d', '--network', 'c-a', '--network', 'c-b', '--name', 'c-multi', 'busybox', ...SLEEP]);
  await ok(['run', '-d', '--network', 'c-a', '--network-alias', 'web-alias', '--name', 'c-alias', 'busybox', ...SLEEP]);
  try {
    const ifs = await addrs('c-multi');
    assert.match(ifs.eth0 ?? '', new RegExp(`^${esc(A)}`), JSON.stringify(ifs));
    assert.match(ifs.eth1 ?? '', new RegExp(`^${esc(B)}`), JSON.stringify(ifs));
    assert.deepEqual(Object.keys(await inspect<Record<string, unknown>>('c-multi', '.NetworkSettings.Networks')), ['c-a', 'c-b']);

    await ok(['restart', '-t', '0', 'c-alias']);
    assert.deepEqual(await inspect<string[]>('c-alias', '(index .NetworkSettings.Networks "c-a").Aliases'), ['web-alias']);
    const ip = await inspect<string>('c-alias', '(index .NetworkSettings.Networks "c-a").IPAddress');
    assert.match(await hosts('c-multi'), new RegExp(`^${esc(ip)}\\tc-alias web-alias `, 'm'));
    await ok(['exec', 'c-multi', 'ping', '-c', '1', '-W', '2', 'web-alias']);
  } finally {
    await rm('c-multi', 'c-alias');
  }
});

test('Docker\'s errors: unknown container or network, host/none networks, host and container: modes', async () => {
  await ok(['create', '--network', 'c-a', '--name', 'c-err', 'busybox', ...SLEEP]);
  await ok(['create', '--network', 'host', '--name', 'c-hostmode', 'busybox', ...SLEEP]);
  await ok(['create', '--network', 'container:c-err', '--name', 'c-shared', 'busybox', ...SLEEP]);
  try {
    await fails(['network', 'connect', 'c-b', 'c-nope'], /No such container: c-nope/);
    await fails(['network', 'connect', 'c-nope-net', 'c-err'], /network c-nope-net not found/);
    await fails(['network', 'disconnect', 'c-nope-net', 'c-err'], /network c-nope-net not found/);
    await fails(['network', 'connect', 'host', 'c-err'], /container cannot be disconnected from host network or connected to host network/);
    await fails(['network', 'connect', 'none', 'c-err'], /cannot be connected to multiple networks with one of the networks in private \(none\) mode/);
    await fails(['network', 'connect', 'c-b', 'c-hostmode'], /container sharing network namespace with another container or host cannot be connected to any other network/);
    await fails(['network', 'connect', 'c-b', 'c-shared'], /container sharing network namespace with another container or host cannot be connected to any other network/);
    // -f removes the record of a network that no longer exists.
    await ok(['network', 'create', '--subnet', '10.231.84.0/24', 'c-gone']);
    await ok(['network', 'connect', 'c-gone', 'c-err']);
    await ok(['network', 'rm', 'c-gone']); // the container does not run: no endpoint holds the network
    await fails(['start', 'c-err'], /network c-gone not found/);
    await ok(['network', 'disconnect', '-f', 'c-gone', 'c-err']);
    assert.deepEqual(Object.keys(await inspect<Record<string, unknown>>('c-err', '.NetworkSettings.Networks')), ['c-a']);
  } finally {
    await rm('c-shared', 'c-hostmode', 'c-err');
  }
});

/** Runs `berth <args>` against this file's daemon (never starting one of its own). */
function berth(args: string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' };
  delete env.BERTH_RUN;
  delete env.BERTH_ROOT;
  return runProgram(process.execPath, [BERTH, ...args], { env, timeoutMs: 30_000 });
}

test('berth network connect --alias --ip and disconnect: nothing printed, the same effect and errors as docker\'s', async () => {
  await ok(['run', '-d', '--network', 'c-a', '--name', 'c-berth', 'busybox', ...SLEEP]);
  try {
    const c = await berth(['network', 'connect', '--alias', 'b-alias', '--ip', `${B}77`, 'c-b', 'c-berth']);
    assert.deepEqual([c.status, c.stdout, c.stderr], [0, '', ''], c.stderr);
    assert.equal((await addrs('c-berth')).eth1, `${B}77/24`);
    assert.deepEqual(await inspect<string[]>('c-berth', '(index .NetworkSettings.Networks "c-b").Aliases'), ['b-alias']);
    const again = await berth(['network', 'connect', 'c-b', 'c-berth']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Error response from daemon: endpoint with name c-berth already exists in network c-b/);
    const dis = await berth(['network', 'disconnect', 'c-b', 'c-berth']);
    assert.deepEqual([dis.status, dis.stdout, dis.stderr], [0, '', ''], dis.stderr);
    assert.deepEqual(Object.keys(await addrs('c-berth')), ['eth0']);
    const usage = await berth(['network', 'connect', 'c-b']);
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /requires exactly 2 arguments/);
  } finally {
    await rm('c-berth');
  }
});
