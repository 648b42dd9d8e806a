// NAT to the outside: with ipMasq a container's traffic leaving the host carries the host's address (proved with
// an "outside" namespace that has no route back to the container subnet), the nat table holds a MASQUERADE rule
// for the container while attached and none after; an internal network has no MASQUERADE and no default route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { NetworkManager } from '../../../src/network/index.js';
import { NetHarness, inNetns, iptablesRules, mentioning, run } from './harness.js';

const h = new NetHarness();
let m: NetworkManager;
let outsideNs: string;
let hostVeth: string;
let server: ChildProcess | undefined;
const id = (c: string) => `${c}4${h.tag}${'0'.repeat(56)}`;

// The outside world: a namespace behind a veth pair 10.123.9.1 (host) — 10.123.9.2 (outside), no route to 10.123.4/24.
before(async () => {
  await h.start();
  m = h.manager(204);
  h.subnet(9);
  outsideNs = await h.netns('outside');
  hostVeth = h.bridgeName('x'); // removed at cleanup like the bridges
  const peer = `btxp${h.tag}`;
  for (const args of [
    ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', peer],
    ['link', 'set', peer, 'netns', outsideNs],
    ['addr', 'add', '10.123.9.1/30', 'dev', hostVeth],
    ['link', 'set', hostVeth, 'up'],
  ]) assert.equal((await run('ip', args)).code, 0, `ip ${args.join(' ')}`);
  for (const args of [['addr', 'add', '10.123.9.2/30', 'dev', peer], ['link', 'set', peer, 'up']]) {
    assert.equal((await inNetns(outsideNs, ['ip', ...args])).code, 0);
  }
  // Tells each client the address it came from.
  const py = 'import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(("10.123.9.2",7777))\ns.listen(8)\nwhile True:\n c,a=s.accept()\n c.sendall((a[0]+"\\n").encode())\n c.close()\n';
  server = spawn('nsenter', [`--net=${outsideNs}`, 'python3', '-c', py], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const r = await inNetns(outsideNs, ['cat', '/proc/net/tcp']);
    if (r.stdout.includes(':1E61 00000000:0000 0A')) break;
    await new Promise((res) => setTimeout(res, 50));
  }
});
after(async () => {
  server?.kill('SIGKILL');
  await h.cleanup();
});

test('with ipMasq, traffic to the outside leaves with the host address; the MASQUERADE rule lives exactly while attached', async () => {
  const net = m.create(`itnat-${h.tag}`, { subnet: h.subnet(4), options: { 'com.docker.network.bridge.name': h.bridgeName('n') } });
  const ns = await h.netns('c');
  const ep = await m.attachContainer({ containerId: id('a'), netnsPath: ns, network: net.Name });

  const nat = (await iptablesRules()).filter((l) => l.includes(id('a')));
  const jump = nat.find((l) => l.startsWith(`-A POSTROUTING -s ${ep.IPAddress}/32 `));
  assert.ok(jump, `POSTROUTING sends ${ep.IPAddress} to its masquerade chain:\n${nat.join('\n')}`);
  const chain = /-j (CNI-\S+)/.exec(jump)![1]!;
  assert.ok(nat.some((l) => l.startsWith(`-A ${chain} -d 10.123.4.0/24 `) && l.endsWith('-j ACCEPT')), 'traffic inside the subnet is not masqueraded');
  assert.ok(nat.some((l) => l.startsWith(`-A ${chain} ! -d 224.0.0.0/4 `) && l.endsWith('-j MASQUERADE')), 'everything else is');

  const seen = await inNetns(ns, ['busybox', 'nc', '-w', '3', '10.123.9.2', '7777']);
  assert.equal(seen.stdout.trim(), '10.123.9.1', `the outside sees the host's address, not ${ep.IPAddress}: ${seen.stderr}`);

  await m.detachContainer({ containerId: id('a'), network: net.Name });
  assert.deepEqual(mentioning(await iptablesRules(), [id('a'), chain, `${ep.IPAddress}/32`]), [], 'no MASQUERADE left');
  await m.remove(net.Name);
});

test('an internal network has no MASQUERADE rule and no default route: the outside is unreachable', async () => {
  const net = m.create(`itinternal-${h.tag}`, { subnet: h.subnet(5), internal: true, options: { 'com.docker.network.bridge.name': h.bridgeName('i') } });
  const ns = await h.netns('i');
  const ns2 = await h.netns('i2');
  const ep = await m.attachContainer({ containerId: id('b'), netnsPath: ns, network: net.Name, portMappings: [{ hostPort: 0, containerPort: 80 }] });
  const ep2 = await m.attachContainer({ containerId: id('c'), netnsPath: ns2, network: net.Name });
  assert.deepEqual(ep.portMappings, [], 'internal networks publish no ports');
  assert.deepEqual(mentioning(await iptablesRules(), ['MASQUERADE']).filter((l) => l.includes(id('b'))), []);
  assert.doesNotMatch((await inNetns(ns, ['ip', 'route'])).stdout, /default/);
  assert.notEqual((await inNetns(ns, ['busybox', 'nc', '-w', '2', '10.123.9.2', '7777'])).code, 0);
  assert.equal((await inNetns(ns, ['busybox', 'ping', '-c1', '-W2', ep2.IPAddress])).code, 0, 'members still reach each other');
  await m.detachAll(id('b'));
  await m.detachAll(id('c'));
  await m.remove(net.Name);
});
