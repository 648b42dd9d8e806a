// Detaching after the namespace is gone and the daemon restarted (a fresh manager reading the cache): the lease and
// the portmap rules are released (there is no per-container MASQUERADE chain any more, so no stand-in namespace);
// the network's own rules go with the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NetworkManager, isNetnsMounted, removeNetns } from '../../../src/network/index.js';
import { NetHarness, iptablesRules, leases, leftovers, mentioning, mountsUnder, portsOf, rulesOfNetwork } from './harness.js';

const h = new NetHarness();
const id = (c: string) => `${c}6${h.tag}${'0'.repeat(56)}`;

before(() => h.start());
after(() => h.cleanup());

test('DEL after the namespace was removed, from a restarted manager, releases lease and iptables rules', async () => {
  const rulesBefore = await iptablesRules();
  const m = h.manager(206);
  const bridge = h.bridgeName('r');
  const net = m.create(`itrestart-${h.tag}`, { subnet: h.subnet(6), options: { 'com.docker.network.bridge.name': bridge } });
  const ns = await h.netns('gone');
  const ep = await m.attachContainer({ containerId: id('a'), netnsPath: ns, network: net.Name, portMappings: [{ hostPort: 0, containerPort: 80 }] });
  const hostPort = ep.portMappings[0]!.hostPort;
  assert.ok(rulesOfNetwork(await iptablesRules(), net.Id).some((l) => l.includes('-s 10.123.6.0/24 ') && l.endsWith('-j MASQUERADE')), 'the network masquerades while attached');
  assert.ok((await iptablesRules()).some((l) => l.includes(`--dport ${hostPort} `) && l.includes(`DNAT --to-destination ${ep.IPAddress}:80`)), 'portmap rules exist');
  assert.deepEqual(leases(h.root, net.Name), [ep.IPAddress]);

  // The container and its namespace vanish (killed, host restarted …); its veth goes with the namespace.
  await removeNetns(ns);
  assert.equal(isNetnsMounted(ns), false);
  assert.deepEqual(await portsOf(bridge), []);

  const restarted = new NetworkManager({ root: h.root, defaultBridgeName: m.get('bridge').bridgeName!, defaultSubnet: '10.123.206.0/24' });
  assert.equal(restarted.attachments({ containerId: id('a') }).length, 1, 'the attachment is known from the cache');
  assert.equal(await restarted.detachContainer({ containerId: id('a'), network: net.Name }), true);

  assert.deepEqual(leases(h.root, net.Name), [], 'the lease is released');
  assert.deepEqual(mentioning(await iptablesRules(), [id('a'), `${ep.IPAddress}/32`, `${ep.IPAddress}:80`, `--dport ${hostPort} `]), [], 'no rule is left');
  assert.deepEqual(restarted.attachments(), []);
  const cacheDir = path.join(h.root, 'network', 'cache');
  assert.deepEqual(fs.readdirSync(cacheDir), [], 'no stand-in namespace file or record left');
  assert.deepEqual(mountsUnder(h.root), [], 'no namespace mount left');
  await restarted.remove(net.Name);
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, bridge, '10.123.6.']), [], 'iptables is as before the network');
});
