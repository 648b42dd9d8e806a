// Two namespaces on a user-defined bridge network: distinct addresses in its subnet, they reach each other and
// the gateway, CHECK passes; detaching leaves no veth, lease or per-container rule, and removing the network
// leaves no rule of the network and no bridge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isNetworkError, removeBridgeRules, type NetworkManager } from '../../../src/network/index.js';
import { NetHarness, inNetns, iptablesRules, leases, leftovers, mentioning, portsOf, rulesOfNetwork } from './harness.js';

const h = new NetHarness();
let m: NetworkManager;
let SUBNET = '';
const A = `a1${h.tag}${'0'.repeat(56)}`;
const B = `b1${h.tag}${'0'.repeat(56)}`;

before(async () => {
  await h.start();
  m = h.manager(201);
  SUBNET = h.subnet(1);
});
after(() => h.cleanup());

test('two containers on a bridge network get distinct addresses, ping each other, and leave nothing behind', async () => {
  const bridge = h.bridgeName('u');
  const rulesBefore = await iptablesRules();
  const net = m.create(`itnet-${h.tag}`, { subnet: SUBNET, options: { 'com.docker.network.bridge.name': bridge } });
  assert.equal(net.bridgeName, bridge);
  const nsA = await h.netns('a');
  const nsB = await h.netns('b');

  const t0 = performance.now();
  const a = await m.attachContainer({ containerId: A, netnsPath: nsA, network: net.Name });
  console.log(`first ADD (network rules + bridge) took ${(performance.now() - t0).toFixed(1)} ms`);
  const b = await m.attachContainer({ containerId: B, netnsPath: nsB, network: net.Id.slice(0, 10) });

  for (const ep of [a, b]) {
    assert.match(ep.IPAddress, /^10\.123\.1\.\d+$/);
    assert.equal(ep.IPPrefixLen, 24);
    assert.equal(ep.Gateway, '10.123.1.1');
    assert.match(ep.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.equal(ep.NetworkID, net.Id);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
  }
  assert.notEqual(a.IPAddress, b.IPAddress);
  assert.deepEqual(leases(h.root, net.Name).sort(), [a.IPAddress, b.IPAddress].sort());
  assert.equal((await portsOf(bridge)).length, 2, 'one host veth per container on the bridge');

  // eth0 inside carries the address; the default route goes through the gateway.
  const addr = await inNetns(nsA, ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
  assert.match(addr.stdout, new RegExp(`inet ${a.IPAddress.replace(/\./g, '\\.')}/24`));
  assert.match((await inNetns(nsA, ['ip', 'route'])).stdout, /default via 10\.123\.1\.1 dev eth0/);

  for (const [ns, ip] of [[nsA, b.IPAddress], [nsB, a.IPAddress], [nsA, '10.123.1.1']] as const) {
    const p = await inNetns(ns, ['busybox', 'ping', '-c1', '-W2', ip]);
    assert.equal(p.code, 0, `ping ${ip} from ${ns}: ${p.stdout}${p.stderr}`);
  }
  await m.checkContainer({ containerId: A, network: net.Name });

  // Removal is refused while containers are attached.
  await assert.rejects(m.remove(net.Name), (e: unknown) => isNetworkError(e, 'FailedPrecondition') && /active endpoints/.test((e as Error).message));

  assert.equal(await m.detachContainer({ containerId: A, network: net.Name }), true);
  assert.equal(await m.detachContainer({ containerId: B, network: net.Id }), true);
  assert.equal(await m.detachContainer({ containerId: B, network: net.Id }), false, 'a second DEL is a no-op');

  assert.deepEqual(await portsOf(bridge), [], 'no veth left on the bridge');
  assert.deepEqual(leases(h.root, net.Name), [], 'no IPAM lease left');
  const added = (await iptablesRules()).filter((l) => !rulesBefore.includes(l));
  assert.deepEqual(mentioning(added, [A, B, A.slice(0, 12), B.slice(0, 12), `${a.IPAddress}/`, `${b.IPAddress}/`]), [], 'no iptables rule for the containers');
  assert.equal(rulesOfNetwork(added, net.Id).length, 7, 'the network\'s own rules (NAT, forward, isolation) stay until it is removed');
  assert.equal((await inNetns(nsA, ['ip', '-o', 'link', 'show', 'eth0'])).code, 1, 'eth0 is gone from the namespace');

  await m.remove(net.Name);
  assert.equal(fs.existsSync(`/sys/class/net/${bridge}`), false, 'the bridge device is deleted with the network');
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, bridge, '10.123.1.']), [], 'iptables is as before the network');
  assert.equal(m.store.find(net.Name), undefined);
});

test('a static address (--ip) is honoured, and one outside the subnet is refused', async () => {
  const net = m.create(`itstatic-${h.tag}`, { subnet: h.subnet(3), options: { 'com.docker.network.bridge.name': h.bridgeName('s') } });
  const ns = await h.netns('s');
  const ep = await m.attachContainer({ containerId: A, netnsPath: ns, network: net.Name, ipAddress: '10.123.3.77' });
  assert.equal(ep.IPAddress, '10.123.3.77');
  await assert.rejects(
    m.attachContainer({ containerId: B, netnsPath: ns, network: net.Name, ipAddress: '10.9.9.9', ifName: 'eth1' }),
    (e: unknown) => isNetworkError(e, 'InvalidArgument') && /inside 10\.123\.3\.0\/24/.test((e as Error).message),
  );
  await m.detachContainer({ containerId: A, network: net.Name });
  assert.deepEqual(leases(h.root, net.Name), []);
  await m.remove(net.Name);
});

test('the predefined bridge network keeps its rules when its containers are gone (as dockerd); removeBridgeRules clears them', async () => {
  const rulesBefore = await iptablesRules();
  const net = m.get('bridge');
  const ns = await h.netns('d');
  const ep = await m.attachContainer({ containerId: A, netnsPath: ns, network: 'bridge' });
  assert.equal(ep.Gateway, '10.123.201.1');
  await m.detachContainer({ containerId: A, network: 'bridge' });
  assert.equal(rulesOfNetwork(await iptablesRules(), net.Id).length, 7, 'a network that is never removed keeps its rules');
  await removeBridgeRules(net.bridgeName!);
  assert.deepEqual(leftovers(rulesBefore, await iptablesRules(), [net.Id, net.bridgeName!, '10.123.201.']), [], 'iptables is as before');
});
