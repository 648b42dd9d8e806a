// The real docker CLI 28 against a real `berth daemon`, fed mistakes: unknown images and commands, name
// conflicts, invalid limits, policies, users, security options and capabilities, operations on containers in the
// wrong state, protected networks, missing bind sources. Each must fail the way Docker does (exit code, a
// message that names the problem) and leave nothing behind.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { EngineDaemon, type RunResult } from '../fixtures/engine-daemon.js';
import { rulesMentioning, removeBridgeRules, removeBridge, hostRun as host } from '../fixtures/host-network.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root (namespaces, cgroups, CNI)');

// Per-file bridge and subnet so the four engine interop files never share a device or addresses.
const BRIDGE = 'bt-e5bad';
const SUBNET_PREFIX = '10.231.77.';
let d: EngineDaemon;

before(async () => {
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: `${SUBNET_PREFIX}0/24` });
});

// Every case cleans up what Docker itself would leave (e.g. a created container after a start failure); what is
// asserted inside a case is what the engine must not leave.
afterEach(async () => {
  const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await dk(['rm', '-f', '-v', ...ids]);
});

after(async () => {
  const leftovers = d ? await d.stop() : [];
  const ports = (await host('ip', ['-o', 'link', 'show', 'master', BRIDGE])).stdout.trim();
  await removeBridge(BRIDGE);
  await removeBridgeRules(BRIDGE);
  const rules = (await rulesMentioning(BRIDGE, SUBNET_PREFIX)).map((r) => r.rule);
  assert.deepEqual(leftovers, [], 'the daemon left things behind');
  assert.equal(ports, '', `veths still attached to ${BRIDGE}`);
  assert.deepEqual(rules, [], `iptables rules for ${SUBNET_PREFIX}0/24 left behind`);
});





function why(args: string[], r: RunResult): string {
  const log = d.logs().split('\n').filter((l) => !/level=debug/.test(l) || / → [45]\d\d/.test(l)).slice(-10).join('\n');
  return `docker ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log:\n${log}`;
}

/** Runs the docker CLI, bounded: a CLI that hangs (e.g. waiting for a removal that never comes) gives status null. */
function dk(args: string[]): Promise<RunResult> {
  return d.docker(args, { timeoutMs: 20_000 });
}

async function ok(args: string[]): Promise<RunResult> {
  const r = await dk(args);
  assert.equal(r.status, 0, why(args, r));
  return r;
}

/** Runs docker expecting a failure with `status` and stderr matching every pattern. */
async function fails(args: string[], status: number, ...patterns: RegExp[]): Promise<RunResult> {
  const r = await dk(args);
  assert.equal(r.status, status, why(args, r));
  for (const p of patterns) assert.match(r.stderr, p, why(args, r));
  return r;
}

async function containerIds(): Promise<string[]> {
  return (await ok(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean).sort();
}

/** How many create requests the daemon has logged (to prove the CLI refused an input before calling it). */
function createRequests(): number {
  return d.logs().split('\n').filter((l) => /POST \S*\/containers\/create/.test(l)).length;
}

/** A raw API request over the daemon's socket. */
function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) as Record<string, unknown> : {} }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('run of an unknown image: "Unable to find image", a pull error, exit 125, no container', async () => {
  const before = await containerIds();
  const r = await fails(['run', '--network', 'none', 'nosuchimage'], 125, /Unable to find image 'nosuchimage:latest' locally/, /Error response from daemon: .+/);
  assert.doesNotMatch(r.stderr, /^\{/m, 'errors must be text, not raw JSON');
  assert.deepEqual(await containerIds(), before);
});

test('a container name already in use: 409 Conflict naming the holder, exit 125, no second container', async () => {
  const id = (await ok(['run', '-d', '--name', 'bad-dup', '--network', 'none', 'busybox', 'sleep', '60'])).stdout.trim();
  const before = await containerIds();
  await fails(['run', '-d', '--name', 'bad-dup', '--network', 'none', 'busybox', 'true'], 125, /Conflict\. The container name "\/bad-dup" is already in use/, new RegExp(id));
  assert.deepEqual(await containerIds(), before);
  const raw = await api('POST', '/containers/create?name=bad-dup', { Image: 'busybox' });
  assert.equal(raw.status, 409);
  assert.match(String(raw.json.message), /already in use/);
});

test('--memory abc is refused by the CLI itself (no request reaches the daemon)', async () => {
  const creates = createRequests();
  await fails(['run', '--memory', 'abc', 'busybox'], 125, /invalid argument "abc" for "-m, --memory" flag/);
  assert.equal(createRequests(), creates);
});

test('--memory 1k: the daemon refuses it at create ("Minimum memory limit allowed is 6MB"), no container', async () => {
  const before = await containerIds();
  await fails(['run', '--rm', '--network', 'none', '--memory', '1k', 'busybox'], 125, /Minimum memory limit allowed is 6MB/);
  assert.deepEqual(await containerIds(), before);
});

test('--restart sometimes: refused at create with the valid policies named, no container', async () => {
  const before = await containerIds();
  await fails(['run', '-d', '--network', 'none', '--restart', 'sometimes', 'busybox'], 125, /sometimes/, /restart policy/i);
  assert.deepEqual(await containerIds(), before);
});

test('rm of a running container without -f: refused naming force, the container keeps running', async () => {
  await ok(['run', '-d', '--name', 'bad-running', '--network', 'none', 'busybox', 'sleep', '60']);
  await fails(['rm', 'bad-running'], 1, /container is running/, /force/);
  assert.equal((await ok(['inspect', '-f', '{{.State.Running}}', 'bad-running'])).stdout, 'true\n');
});

test('volume rm of a volume in use: refused naming the container, the volume stays', async () => {
  const id = (await ok(['run', '-d', '--name', 'bad-vol-user', '--network', 'none', '-v', 'bad-vol:/v', 'busybox', 'sleep', '60'])).stdout.trim();
  try {
    await fails(['volume', 'rm', 'bad-vol'], 1, /volume is in use/, new RegExp(id.slice(0, 12)));
    assert.match((await ok(['volume', 'ls', '-q'])).stdout, /^bad-vol$/m);
  } finally {
    await dk(['rm', '-f', 'bad-vol-user']);
    await dk(['volume', 'rm', 'bad-vol']);
  }
});

test('run busybox nosuchcmd: exit 127 with "executable file not found"', async () => {
  await fails(['run', '--name', 'bad-cmd', '--network', 'none', 'busybox', 'nosuchcmd'], 127, /executable file not found in \$PATH/, /nosuchcmd/);
  assert.equal((await ok(['ps', '-q', '--filter', 'name=bad-cmd'])).stdout, '', 'nothing may be running');
});

test('run --rm with a start failure: the CLI returns (the daemon removes the container) and nothing is left', async () => {
  const before = await containerIds();
  await fails(['run', '--rm', '--network', 'none', 'busybox', 'nosuchcmd'], 127, /executable file not found/);
  assert.deepEqual(await containerIds(), before, 'an AutoRemove container whose start failed must be removed');
});

test('--user nosuchuser: a clear error naming the user, exit 125, nothing running', async () => {
  await fails(['run', '--name', 'bad-user', '--network', 'none', '--user', 'nosuchuser', 'busybox', 'id'], 125, /nosuchuser/, /unable to find user|no matching entries/i);
  assert.equal((await ok(['ps', '-q', '--filter', 'name=bad-user'])).stdout, '');
});

test('bad --security-opt values: an unknown option and a missing seccomp profile', async () => {
  const before = await containerIds();
  await fails(['run', '--network', 'none', '--security-opt', 'bogus=1', 'busybox', 'true'], 125, /security-opt/, /bogus/);
  await fails(['run', '--network', 'none', '--security-opt', 'seccomp=/nonexistent/profile.json', 'busybox', 'true'], 125, /\/nonexistent\/profile\.json/);
  assert.deepEqual(await containerIds(), before);
});

test('--cap-add FLY: refused at create ("unknown capability"), exit 125, no container', async () => {
  const before = await containerIds();
  await fails(['run', '--network', 'none', '--cap-add', 'FLY', 'busybox', 'true'], 125, /unknown capability/i, /FLY/);
  assert.deepEqual(await containerIds(), before);
});

test('exec into a stopped container: "is not running"', async () => {
  await ok(['create', '--name', 'bad-stopped', '--network', 'none', 'busybox', 'true']);
  await fails(['exec', 'bad-stopped', 'true'], 1, /is not running/);
  await ok(['start', '-a', 'bad-stopped']);
  await fails(['exec', 'bad-stopped', 'true'], 1, /is not running/);
});

test('stop and kill of a stopped container: stop succeeds without changing anything, kill is refused', async () => {
  await fails(['run', '--name', 'bad-exited', '--network', 'none', 'busybox', 'sh', '-c', 'exit 3'], 3);
  const state = (await ok(['inspect', '-f', '{{json .State}}', 'bad-exited'])).stdout;
  assert.equal((await ok(['stop', 'bad-exited'])).stdout, 'bad-exited\n');
  assert.equal((await ok(['inspect', '-f', '{{json .State}}', 'bad-exited'])).stdout, state, 'stop of a stopped container changed its state');
  await fails(['kill', 'bad-exited'], 1, /is not running/);
});

test('operations on a container that does not exist name it', async () => {
  await fails(['start', 'bad-nosuch'], 1, /No such container: bad-nosuch/);
  await fails(['logs', 'bad-nosuch'], 1, /No such container: bad-nosuch/);
  await fails(['rm', 'bad-nosuch'], 1, /No such container: bad-nosuch/);
  await fails(['exec', 'bad-nosuch', 'true'], 1, /No such container: bad-nosuch/);
});

test('network rm bridge (and host, none) is refused: pre-defined networks stay', async () => {
  for (const n of ['bridge', 'host', 'none']) await fails(['network', 'rm', n], 1, /pre-defined network/, new RegExp(n));
  const names = (await ok(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(names, ['bridge', 'host', 'none']);
});

test('--mount type=bind with a missing source: refused at create, no container', async () => {
  const before = await containerIds();
  await fails(['run', '--rm', '--network', 'none', '--mount', 'type=bind,source=/nonexistent/bad-src,target=/x', 'busybox', 'true'], 125,
    /bind source path does not exist: \/nonexistent\/bad-src/);
  assert.deepEqual(await containerIds(), before);
});
