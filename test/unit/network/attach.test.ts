// Attach/detach/check orchestration through NetworkManager with recording doubles for the plugins, namespaces,
// links, host ports and iptables: what is cached, reserved, released, which per-network rules exist when, and how
// DEL proceeds when the namespace is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetworkManager, isNetworkError, type CniExec, type CniInvocation, type NetnsOps } from '../../../src/network/index.js';
import type { LinkOps } from '../../../src/network/links.js';
import { FakeIptables } from './fake-iptables.js';

interface World {
  m: NetworkManager;
  root: string;
  calls: CniInvocation[];
  netnsLog: string[];
  mounted: Set<string>;
  removedLinks: string[];
  ipt: FakeIptables;
}

/** A manager whose effects are recorded; the fake bridge plugin hands out 10.7.0.<n>. */
function world(t: { after: (fn: () => void) => void }, o: { failOn?: string; root?: string; ipt?: FakeIptables } = {}): World {
  const root = o.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netattach-'));
  if (!o.root) t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const calls: CniInvocation[] = [];
  const netnsLog: string[] = [];
  const mounted = new Set<string>(['/ns/a', '/ns/b']);
  const removedLinks: string[] = [];
  let n = 1;
  const exec: CniExec = async (inv) => {
    calls.push(inv);
    if (inv.command === 'ADD' && inv.plugin.type === o.failOn) throw new Error(`${o.failOn} failed`);
    if (inv.command !== 'ADD') return undefined;
    if (inv.plugin.type === 'bridge') {
      n++;
      return {
        cniVersion: '1.0.0',
        interfaces: [{ name: String(inv.plugin.bridge) }, { name: `veth${n}` }, { name: inv.runtime.ifName, mac: `02:00:00:00:00:0${n}`, sandbox: inv.runtime.netns }],
        ips: [{ interface: 2, address: `10.7.0.${n}/24`, gateway: '10.7.0.1' }],
      };
    }
    return inv.stdin.prevResult;
  };
  const netns: NetnsOps = {
    create: async (p, setup = []) => { netnsLog.push(`create ${path.basename(p)} ${setup.join('; ')}`); mounted.add(p); },
    remove: async (p) => { netnsLog.push(`remove ${path.basename(p)}`); mounted.delete(p); },
    isMounted: (p) => mounted.has(p),
  };
  const links: LinkOps = { exists: () => true, remove: async (name) => { removedLinks.push(name); } };
  const ipt = o.ipt ?? new FakeIptables();
  const m = new NetworkManager({ root, exec, netns, links, iptables: ipt, portProbe: async () => true, defaultSubnet: '10.99.0.0/24', hostRoutes: () => [] });
  return { m, root, calls, netnsLog, mounted, removedLinks, ipt };
}

const C1 = 'c1'.padEnd(64, '0');
const C2 = 'c2'.padEnd(64, '0');
const steps = (w: World) => w.calls.map((c) => `${c.command} ${c.plugin.type}`);
/** The host rules carrying a network's comment. */
const rulesOf = (w: World, networkId: string) => [...w.ipt.lines('nat'), ...w.ipt.lines('filter')].filter((l) => l.includes(`berth network ${networkId}"`));

test('attach returns the endpoint, caches the exact config and result, and reserves the ports', async (t) => {
  const w = world(t);
  const net = w.m.create('web', { subnet: '10.7.0.0/24' });
  const ep = await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }], aliases: ['db'] });
  assert.deepEqual({ ...ep, EndpointID: '' }, {
    NetworkID: net.Id, EndpointID: '', IPAddress: '10.7.0.2', IPPrefixLen: 24, Gateway: '10.7.0.1', MacAddress: '02:00:00:00:00:02',
    portMappings: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
  });
  assert.deepEqual(steps(w), ['ADD bridge', 'ADD portmap']);
  assert.equal(w.calls[0]!.stdin.ipMasq, false, 'no per-container MASQUERADE chain');
  assert.equal(rulesOf(w, net.Id).length, 7, 'the network\'s MASQUERADE, forward and isolation rules were installed first');
  assert.equal(w.ipt.scripts.length, 1);
  assert.deepEqual(w.calls[1]!.stdin.runtimeConfig, { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }] });
  assert.equal(w.calls[0]!.runtime.netns, '/ns/a');
  assert.equal((w.calls[0]!.stdin.ipam as { dataDir: string }).dataDir, path.join(w.root, 'network', 'ipam'));

  const [rec] = w.m.attachments({ containerId: C1 });
  assert.equal(rec!.state, 'attached');
  assert.deepEqual(rec!.aliases, ['db']);
  assert.deepEqual(rec!.confList!.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(w.m.endpoint(C1, 'web'), ep);

  // A second container cannot take 8080, and without ports there is no portmap step.
  await assert.rejects(w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] }), /port is already allocated/);
  w.calls.length = 0;
  const saves = w.ipt.saves;
  await w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: net.Id });
  assert.deepEqual(steps(w), ['ADD bridge']);
  assert.equal(w.ipt.saves, saves, 'a further container on the network runs no iptables process');
});

test('host, none and an internal network: no MASQUERADE; detaching the last container keeps the network\'s rules', async (t) => {
  const w = world(t);
  await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'none' });
  assert.deepEqual(w.ipt.scripts, [], 'none needs no rules');
  const net = w.m.create('private', { subnet: '10.7.0.0/24', internal: true });
  await w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'private' });
  assert.deepEqual(w.ipt.lines('nat'), []);
  assert.deepEqual(rulesOf(w, net.Id).map((l) => l.split(' -m comment')[0]), ['-A BERTH-FORWARD ! -d 10.7.0.0/24 -i br-' + net.Id.slice(0, 12), '-A BERTH-FORWARD ! -s 10.7.0.0/24 -o br-' + net.Id.slice(0, 12), '-A BERTH-FORWARD -i br-' + net.Id.slice(0, 12) + ' -o br-' + net.Id.slice(0, 12)]);
  await w.m.detachAll(C2);
  assert.equal(rulesOf(w, net.Id).length, 3, 'rules belong to the network, not to its containers');
});

test('attach refusals: twice on one network, interface clash, host/none exclusivity, unknown network', async (t) => {
  const w = world(t);
  w.m.create('web', { subnet: '10.7.0.0/24' });
  w.m.create('other', { subnet: '10.8.0.0/24' });
  await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web' });
  const kind = (k: string, re: RegExp) => (e: unknown) => isNetworkError(e, k as never) && re.test((e as Error).message);
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web' }), kind('Conflict', /endpoint with name c10000000000 already exists in network web/));
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'other' }), kind('Conflict', /already has interface eth0/));
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'host' }), kind('FailedPrecondition', /host\/none networks cannot be combined/));
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'nope' }), kind('NotFound', /network nope not found/));
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'other', ifName: 'way-too-long-name' }), kind('InvalidArgument', /invalid interface name/));
  assert.equal((await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'other', ifName: 'eth1' })).IPAddress, '10.7.0.3');
});

test('host and none need no plugin but count as endpoints', async (t) => {
  const w = world(t);
  const host = await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'host', portMappings: [{ hostPort: 80, containerPort: 80 }] });
  const none = await w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'none' });
  assert.deepEqual(w.calls, []);
  for (const ep of [host, none]) {
    assert.equal(ep.IPAddress, '');
    assert.deepEqual(ep.portMappings, []);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
  }
  await assert.rejects(w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'bridge', ifName: 'eth1' }), /cannot be connected to bridge/);
  assert.equal(await w.m.detachContainer({ containerId: C1, network: 'host' }), true);
  assert.deepEqual(w.calls, []);
});

test('a failed ADD leaves no record and no reserved port (and the list was rolled back)', async (t) => {
  const w = world(t, { failOn: 'portmap' });
  w.m.create('web', { subnet: '10.7.0.0/24' });
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] }), /portmap failed/);
  assert.deepEqual(steps(w), ['ADD bridge', 'ADD portmap', 'DEL portmap', 'DEL bridge']);
  assert.deepEqual(w.m.attachments(), []);
  assert.deepEqual(w.m.ports.heldBy(`${C1}:${w.m.get('web').Id}`), []);
});

test('rules that cannot be installed fail the attach before any plugin runs, naming the network', async (t) => {
  const w = world(t);
  w.m.create('web', { subnet: '10.7.0.0/24' });
  w.ipt.failNext = 3;
  await assert.rejects(w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] }), /^NetworkError: network web: installing its NAT\/forward rules failed/);
  assert.deepEqual(w.calls, []);
  assert.deepEqual(w.m.attachments(), []);
  assert.equal((await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] })).portMappings[0]!.hostPort, 8080, 'nothing stayed reserved');
});

test('detach runs DEL in reverse with the cached result, frees the ports, and is idempotent', async (t) => {
  const w = world(t);
  w.m.create('web', { subnet: '10.7.0.0/24' });
  await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] });
  const cached = w.m.attachments()[0]!.result;
  w.calls.length = 0;
  assert.equal(await w.m.detachContainer({ containerId: C1, network: 'web' }), true);
  assert.deepEqual(steps(w), ['DEL portmap', 'DEL bridge']);
  assert.ok(w.calls.every((c) => c.runtime.netns === '/ns/a' && JSON.stringify(c.stdin.prevResult) === JSON.stringify(cached)));
  assert.deepEqual(w.calls[0]!.stdin.runtimeConfig, { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }] });
  assert.deepEqual(w.m.attachments(), []);
  assert.equal(await w.m.detachContainer({ containerId: C1, network: 'web' }), false);
  assert.equal((await w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] })).portMappings[0]!.hostPort, 8080);
});

test('after a restart with the namespace gone, DEL runs without a namespace; the network\'s rules are re-verified once', async (t) => {
  const first = world(t);
  first.m.create('web', { subnet: '10.7.0.0/24' });
  await first.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', ifName: 'eth3', portMappings: [{ hostPort: 8080, containerPort: 80 }] });
  const w = world(t, { root: first.root, ipt: first.ipt }); // a new manager: state comes from disk (and the host) only
  w.mounted.delete('/ns/a');
  await assert.rejects(w.m.attachContainer({ containerId: C2, netnsPath: '/ns/b', network: 'web', portMappings: [{ hostPort: 8080, containerPort: 80 }] }), /port is already allocated/, 'ports are re-reserved from the cache');
  await assert.rejects(w.m.checkContainer({ containerId: C1, network: 'web' }), /network namespace \/ns\/a is gone/);
  assert.equal(await w.m.detachContainer({ containerId: C1, network: 'web' }), true);
  assert.deepEqual(w.netnsLog, [], 'no MASQUERADE chain per container: no stand-in namespace needed');
  assert.deepEqual(steps(w), ['DEL portmap', 'DEL bridge']);
  assert.ok(w.calls.every((c) => c.runtime.netns === '' && c.runtime.ifName === 'eth3'));
  assert.deepEqual(w.m.attachments(), []);
  assert.equal(first.ipt.scripts.length, 1, 'the new manager found the rules in place and rewrote nothing');
});

test('an attachment cached with ipMasq (before per-network NAT) is still deleted in a stand-in namespace holding its address', async (t) => {
  const first = world(t);
  const net = first.m.create('web', { subnet: '10.7.0.0/24' });
  await first.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web', ifName: 'eth3', portMappings: [{ hostPort: 8080, containerPort: 80 }] });
  const file = path.join(first.root, 'network', 'cache', `${C1}_${net.Id}.json`);
  const rec = JSON.parse(fs.readFileSync(file, 'utf8'));
  rec.confList.plugins[0].ipMasq = true;
  rec.confList.plugins.push({ type: 'firewall', backend: 'iptables' });
  fs.writeFileSync(file, JSON.stringify(rec));
  const w = world(t, { root: first.root, ipt: first.ipt });
  w.mounted.delete('/ns/a');
  assert.equal(await w.m.detachContainer({ containerId: C1, network: 'web' }), true);
  assert.equal(w.netnsLog.length, 2);
  assert.match(w.netnsLog[0]!, /^create \.del-c10000000000-[0-9a-f]{8} link add eth3 type veth peer name berthdel0; addr add 10\.7\.0\.2\/24 dev eth3$/);
  assert.match(w.netnsLog[1]!, /^remove \.del-c10000000000-/);
  assert.deepEqual(steps(w), ['DEL firewall', 'DEL portmap', 'DEL bridge']);
  assert.ok(w.calls.every((c) => c.runtime.netns.includes('.del-c10000000000-') && c.runtime.ifName === 'eth3'));
  assert.deepEqual(w.m.attachments(), []);
});

test('restoreRules re-installs the rules of networks with attachments (host rules flushed meanwhile)', async (t) => {
  const first = world(t);
  const web = first.m.create('web', { subnet: '10.7.0.0/24' });
  const idle = first.m.create('idle', { subnet: '10.8.0.0/24' });
  await first.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web' });
  const flushed = new FakeIptables();
  const w = world(t, { root: first.root, ipt: flushed });
  await w.m.restoreRules();
  assert.equal(rulesOf(w, web.Id).length, 7);
  assert.deepEqual(rulesOf(w, idle.Id), [], 'a network nobody is attached to gets its rules at its first attach');
});

test('CHECK runs in order with the cached result; remove deletes rules and bridge, and refuses while attached', async (t) => {
  const w = world(t);
  const net = w.m.create('web', { subnet: '10.7.0.0/24' });
  await w.m.attachContainer({ containerId: C1, netnsPath: '/ns/a', network: 'web' });
  w.calls.length = 0;
  await w.m.checkContainer({ containerId: C1, network: 'web' });
  assert.deepEqual(steps(w), ['CHECK bridge']);
  await assert.rejects(w.m.checkContainer({ containerId: C2, network: 'web' }), (e: unknown) => isNetworkError(e, 'NotFound'));
  await assert.rejects(w.m.remove('web'), /has active endpoints \(c10000000000\)/);
  await w.m.detachAll(C1);
  await assert.rejects(w.m.remove('web', () => ['stopped-one']), /active endpoints \(stopped-one\)/);
  fs.mkdirSync(path.join(w.root, 'network', 'ipam', 'web'), { recursive: true });
  assert.equal(rulesOf(w, net.Id).length, 7);
  await w.m.remove('web');
  assert.deepEqual(w.removedLinks, [net.bridgeName]);
  assert.deepEqual([w.ipt.chains('nat'), w.ipt.chains('filter'), w.ipt.lines('nat'), w.ipt.lines('filter')], [[], [], [], []], 'rules, jumps and chains are gone with the last network');
  assert.equal(fs.existsSync(path.join(w.root, 'network', 'ipam', 'web')), false, 'the lease directory goes with the network');
});
