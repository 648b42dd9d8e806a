// NAT and forwarding per network: the first attachment installs the network's MASQUERADE rule and FORWARD accepts
// in Berth's chains (nothing per container), traffic leaving the host carries the host's address (proved with an
// "outside" namespace that has no route back to the container subnet), a FORWARD policy of DROP (as dockerd sets)
// breaks neither container→outside, container↔container nor published ports, internal networks get no MASQUERADE,
// and removing a network leaves iptables as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkManager, hostIptables, type IptablesOps } from '../../../src/network/index.js';
import { BERTH_JUMPS, NetHarness, inNetns, iptablesRules, leftovers, mentioning, rulesOfNetwork, run } from './harness.js';

const h = new NetHarness();
let m: NetworkManager;
let outsideNs: string;
const id = (c: string) => `${c}4${h.tag}${'0'.repeat(56)}`;

// The outside world: a namespace behind a veth pair 10.123.9.1 (host) — 10.123.9.2 (outside), no route to the
// container subnets (one test adds one explicitly).
before(async () => {
  await h.start();
  m = h.manager(204);
  h.subnet(9);
  outsideNs = await h.netns('outside');
  const hostVeth = h.bridgeName('x'); // removed at cleanup like the bridges
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
  await h.servePeerAddress(outsideNs, '10.123.9.2', 7777);
});
after(() => h.cleanup());

/** The address a server at host:port saw this namespace's connection come from. */
async function seenFrom(ns: string, host: string, port = 7777): Promise<string> {
  const r = await inNetns(ns, ['busybox', 'nc', '-w', '3', host, String(port)]);
  return r.stdout.trim() || `(no answer: ${r.stderr.trim()})`;
}

test('a network\'s MASQUERADE and forward rules are installed once, for all its containers, and live exactly as long as the network', async () => {
  const rulesBefore = await iptablesRules();
  const bridge = h.bridgeName('n');
  const net = m.create(`itnat-${h.tag}`, { subnet: h.subnet(4), options: { 'com.docker.network.bridge.name': bridge } });
  const nsA = await h.netns('a');
  const nsB = await h.netns('b');
  const a = await m.attachContainer({ containerId: id('a'), netnsPath: nsA, network: net.Name });

  const C = `-m comment --comment "berth network ${net.Id}"`;
  const expected = [
    `-A BERTH-POSTROUTING -s 10.123.4.0/24 ! -o ${bridge} ${C} -j MASQUERADE`,
    `-A BERTH-FORWARD -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED ${C} -j ACCEPT`,
    `-A BERTH-FORWARD -o ${bridge} -m conntrack --ctstate DNAT ${C} -j ACCEPT`,
    `-A BERTH-FORWARD -i ${bridge} ! -o ${bridge} ${C} -j ACCEPT`,
    `-A BERTH-FORWARD -i ${bridge} -o ${bridge} ${C} -j ACCEPT`,
    `-A BERTH-ISOLATION-1 -i ${bridge} ! -o ${bridge} -m conntrack ! --ctstate DNAT ${C} -j BERTH-ISOLATION-2`,
    `-A BERTH-ISOLATION-2 -o ${bridge} ${C} -j DROP`,
  ];
  let rules = await iptablesRules();
  assert.deepEqual(rulesOfNetwork(rules, net.Id).sort(), [...expected].sort());
  for (const j of BERTH_JUMPS) assert.equal(rules.filter((l) => l === j).length, 1, `exactly one jump: ${j}`);
  assert.deepEqual(mentioning(rules, [id('a'), `${a.IPAddress}/32`]), [], 'no rule or chain per container');

  // Leaving the host, the container's traffic carries the host's address; inside the subnet it keeps its own.
  assert.equal(await seenFrom(nsA, '10.123.9.2'), '10.123.9.1', `the outside sees the host's address, not ${a.IPAddress}`);
  const b = await m.attachContainer({ containerId: id('b'), netnsPath: nsB, network: net.Name });
  await h.servePeerAddress(nsB, b.IPAddress, 7778);
  assert.equal(await seenFrom(nsA, b.IPAddress, 7778), a.IPAddress, 'bridge-local traffic is not masqueraded');

  // A restarted layer (new manager, same root) re-verifies the rules once, finds them exact and rewrites nothing.
  const restores: string[] = [];
  const spy: IptablesOps = { save: hostIptables.save, restore: async (s) => { restores.push(s); await hostIptables.restore(s); } };
  const again = new NetworkManager({ root: h.root, defaultBridgeName: m.get('bridge').bridgeName!, defaultSubnet: '10.123.204.0/24', iptables: spy });
  const nsC = await h.netns('c');
  await again.attachContainer({ containerId: id('c'), netnsPath: nsC, network: net.Name });
  assert.deepEqual(restores, [], 'iptables-save prints the rules exactly as Berth writes them');
  rules = await iptablesRules();
  assert.deepEqual(rulesOfNetwork(rules, net.Id).sort(), [...expected].sort(), 'three containers, still one set of rules');

  for (const c of ['a', 'b']) await m.detachAll(id(c));
  await again.detachAll(id('c'));
  assert.deepEqual(rulesOfNetwork(await iptablesRules(), net.Id).sort(), [...expected].sort(), 'the rules belong to the network, not its containers');

  await m.remove(net.Name);
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, bridge, '10.123.4.']), [], 'iptables is as before the network');
});

test('an internal network has no MASQUERADE, no way out and no default route; its members reach each other', async () => {
  const rulesBefore = await iptablesRules();
  const bridge = h.bridgeName('i');
  const net = m.create(`itinternal-${h.tag}`, { subnet: h.subnet(5), internal: true, options: { 'com.docker.network.bridge.name': bridge } });
  const ns = await h.netns('i');
  const ns2 = await h.netns('i2');
  const ep = await m.attachContainer({ containerId: id('i'), netnsPath: ns, network: net.Name, portMappings: [{ hostPort: 0, containerPort: 80 }] });
  const ep2 = await m.attachContainer({ containerId: id('j'), netnsPath: ns2, network: net.Name });
  assert.deepEqual(ep.portMappings, [], 'internal networks publish no ports');

  const C = `-m comment --comment "berth network ${net.Id}"`;
  assert.deepEqual(rulesOfNetwork(await iptablesRules(), net.Id).sort(), [
    `-A BERTH-FORWARD ! -s 10.123.5.0/24 -o ${bridge} ${C} -j DROP`,
    `-A BERTH-FORWARD ! -d 10.123.5.0/24 -i ${bridge} ${C} -j DROP`,
    `-A BERTH-FORWARD -i ${bridge} -o ${bridge} ${C} -j ACCEPT`,
  ].sort(), 'no MASQUERADE and no outbound ACCEPT: only bridge-local traffic');
  assert.deepEqual(mentioning(await iptablesRules(), ['MASQUERADE']).filter((l) => l.includes(net.Id) || l.includes('10.123.5.')), []);
  assert.doesNotMatch((await inNetns(ns, ['ip', 'route'])).stdout, /default/);
  assert.notEqual((await inNetns(ns, ['busybox', 'nc', '-w', '2', '10.123.9.2', '7777'])).code, 0);
  assert.equal((await inNetns(ns, ['busybox', 'ping', '-c1', '-W2', ep2.IPAddress])).code, 0, 'members still reach each other');
  await m.detachAll(id('i'));
  await m.detachAll(id('j'));
  await m.remove(net.Name);
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, bridge, '10.123.5.']), [], 'iptables is as before the network');
});

test('with the FORWARD policy DROP (as dockerd sets it), containers still reach the outside and each other, and published ports answer', async () => {
  const rulesBefore = await iptablesRules();
  const bridge = h.bridgeName('f');
  const net = m.create(`itdrop-${h.tag}`, { subnet: h.subnet(7), options: { 'com.docker.network.bridge.name': bridge } });
  const nsA = await h.netns('fa');
  const nsB = await h.netns('fb');
  await m.attachContainer({ containerId: id('f'), netnsPath: nsA, network: net.Name });
  const b = await m.attachContainer({ containerId: id('g'), netnsPath: nsB, network: net.Name, portMappings: [{ hostPort: 0, containerPort: 80 }] });
  const hostPort = b.portMappings[0]!.hostPort;
  await h.serveHi(nsB, 80);
  // The outside can route to the subnet directly: the control that shows DROP is in force for what Berth does not accept.
  assert.equal((await inNetns(outsideNs, ['ip', 'route', 'add', '10.123.7.0/24', 'via', '10.123.9.1'])).code, 0);
  const direct = () => inNetns(outsideNs, ['busybox', 'nc', '-w', '2', b.IPAddress, '80']);
  assert.equal((await direct()).stdout.trim(), 'hi', 'with the policy as it was, the outside reaches the container directly');

  await h.setForwardPolicy('DROP');
  try {
    assert.equal(await seenFrom(nsA, '10.123.9.2'), '10.123.9.1', 'container → outside, masqueraded');
    const ping = await inNetns(nsA, ['busybox', 'ping', '-c1', '-W2', b.IPAddress]);
    assert.equal(ping.code, 0, `container → container across the bridge: ${ping.stdout}${ping.stderr}`);
    const viaPort = await inNetns(outsideNs, ['busybox', 'nc', '-w', '3', '10.123.9.1', String(hostPort)]);
    assert.equal(viaPort.stdout.trim(), 'hi', `outside → published port ${hostPort}: ${viaPort.stderr}`);
    assert.notEqual((await direct()).stdout.trim(), 'hi', 'an unpublished connection from outside is dropped');
  } finally {
    await h.restoreForwardPolicy();
  }

  await m.detachAll(id('f'));
  await m.detachAll(id('g'));
  await m.remove(net.Name);
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, bridge, '10.123.7.', `--dport ${hostPort} `]), [], 'iptables is as before the network');
});
