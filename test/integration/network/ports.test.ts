// Published ports through the portmap plugin: a server inside the namespace answers on the host's loopback and
// primary address; a port held by another container or by a host process is refused with Docker's error and
// nothing is left behind; reservations survive a restart of the layer (a new manager on the same root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { NetworkManager, isNetworkError, type NetworkResource } from '../../../src/network/index.js';
import { NetHarness, fetchTcp, iptablesRules, leases, mentioning, portsOf, primaryIPv4 } from './harness.js';

const h = new NetHarness();
let m: NetworkManager;
let netw: NetworkResource;
let bridge: string;
const id = (c: string) => `${c}2${h.tag}${'0'.repeat(56)}`;
// The network's own rules (installed at its first attach, whichever test comes first) are not a container's leftovers.
const notNetworkRules = (lines: string[]) => lines.filter((l) => !l.includes(`--comment "berth network ${netw.Id}"`));

before(async () => {
  await h.start();
  m = h.manager(202);
  bridge = h.bridgeName('p');
  netw = m.create(`itports-${h.tag}`, { subnet: h.subnet(2), options: { 'com.docker.network.bridge.name': bridge } });
});
after(() => h.cleanup());

test('a published port answers from the host on 127.0.0.1 and on the primary address', async () => {
  const ns = await h.netns('web');
  const ep = await m.attachContainer({ containerId: id('a'), netnsPath: ns, network: netw.Name, portMappings: [{ hostPort: 0, containerPort: 80 }] });
  assert.equal(ep.portMappings.length, 1);
  const hostPort = ep.portMappings[0]!.hostPort;
  assert.ok(hostPort >= 32768 && hostPort <= 60999, `random host port ${hostPort} is in Docker's range`);
  assert.deepEqual(ep.portMappings[0], { hostIP: '', hostPort, containerPort: 80, protocol: 'tcp' });
  await h.serveHi(ns, 80);
  assert.equal((await fetchTcp('127.0.0.1', hostPort)).trim(), 'hi');
  assert.equal((await fetchTcp(primaryIPv4(), hostPort)).trim(), 'hi');

  // Another container asking for the same host port gets Docker's error; nothing of it remains.
  const ns2 = await h.netns('web2');
  const before = await iptablesRules();
  await assert.rejects(
    m.attachContainer({ containerId: id('b'), netnsPath: ns2, network: netw.Name, portMappings: [{ hostPort, containerPort: 8080 }] }),
    (e: unknown) => isNetworkError(e, 'Conflict') && (e as Error).message.startsWith(`Bind for 0.0.0.0:${hostPort} failed: port is already allocated`),
  );
  assert.deepEqual(m.attachments({ containerId: id('b') }), []);
  // Other users of the host (a running Berth) may add rules meanwhile: look for ours only.
  assert.deepEqual(mentioning(notNetworkRules((await iptablesRules()).filter((l) => !before.includes(l))), [id('b'), '10.123.2.']), [], 'no rule of the failed attach');

  // A restarted layer (new manager, same root) still knows the port is taken.
  const again = new NetworkManager({ root: h.root, defaultBridgeName: m.get('bridge').bridgeName!, defaultSubnet: '10.123.202.0/24' });
  await assert.rejects(
    again.attachContainer({ containerId: id('b'), netnsPath: ns2, network: netw.Name, portMappings: [{ hostIP: '127.0.0.1', hostPort, containerPort: 80 }] }),
    /port is already allocated/,
  );

  await m.detachContainer({ containerId: id('a'), network: netw.Name });
  assert.deepEqual(mentioning(await iptablesRules(), [id('a'), `${ep.IPAddress}/`, `${ep.IPAddress}:`, `--dport ${hostPort} `]), [], 'portmap rules are gone after DEL');
  await assert.rejects(fetchTcp('127.0.0.1', hostPort, 1500), 'the port no longer forwards');
});

test('a host port already used by a host process is refused, leaving nothing behind', async () => {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen({ host: '0.0.0.0', port: 0 }, r));
  const taken = (listener.address() as net.AddressInfo).port;
  try {
    const ns = await h.netns('busy');
    const rulesBefore = await iptablesRules();
    await assert.rejects(
      m.attachContainer({ containerId: id('c'), netnsPath: ns, network: netw.Name, portMappings: [{ hostPort: taken, containerPort: 80 }] }),
      (e: unknown) => isNetworkError(e, 'Conflict') && (e as Error).message.startsWith(`Bind for 0.0.0.0:${taken} failed: port is already allocated`),
    );
    // Nothing of the failed attach remains; the same number over udp is free.
    assert.deepEqual(m.attachments({ containerId: id('c') }), []);
    assert.deepEqual(leases(h.root, netw.Name), [], 'no lease');
    assert.deepEqual(await portsOf(bridge), [], 'no veth');
    assert.deepEqual(mentioning(notNetworkRules((await iptablesRules()).filter((l) => !rulesBefore.includes(l))), [id('c'), '10.123.2.', `--dport ${taken} `]), [], 'no rule');
    const udp = await m.attachContainer({ containerId: id('c'), netnsPath: ns, network: netw.Name, portMappings: [{ hostPort: taken, containerPort: 53, protocol: 'udp' }] });
    assert.deepEqual(udp.portMappings, [{ hostIP: '', hostPort: taken, containerPort: 53, protocol: 'udp' }]);
    await m.detachContainer({ containerId: id('c'), network: netw.Name });
  } finally {
    await new Promise((r) => listener.close(r));
  }
});

test('a port published on 127.0.0.1 only does not answer on the primary address', async () => {
  const ns = await h.netns('lo-only');
  const ep = await m.attachContainer({ containerId: id('d'), netnsPath: ns, network: netw.Name, portMappings: [{ hostIP: '127.0.0.1', hostPort: 0, containerPort: 80 }] });
  const port = ep.portMappings[0]!.hostPort;
  await h.serveHi(ns, 80);
  assert.equal((await fetchTcp('127.0.0.1', port)).trim(), 'hi');
  await assert.rejects(fetchTcp(primaryIPv4(), port, 1500));
  await m.detachContainer({ containerId: id('d'), network: netw.Name });
});
