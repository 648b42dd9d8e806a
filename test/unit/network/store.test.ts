import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetworkStore, isPredefined, rfc3339Nano } from '../../../src/network/store.js';
import { isNetworkError } from '../../../src/network/errors.js';
import { parseCidr } from '../../../src/network/ipv4.js';
import type { HostRoute } from '../../../src/network/host-routes.js';

function tmpRoot(t: { after: (fn: () => void) => void }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netstore-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}
const routes = (...r: [string, string][]): (() => HostRoute[]) => () => r.map(([dev, c]) => ({ dev, dst: parseCidr(c)! }));
const kind = (k: string, re: RegExp) => (e: unknown) => isNetworkError(e, k as never) && re.test((e as Error).message);

test('predefined networks are created once, in Docker shape, with stable persisted ids', (t) => {
  const root = tmpRoot(t);
  const s = new NetworkStore({ root, hostRoutes: routes() });
  const [bridge, host, none] = s.list();
  assert.deepEqual([bridge!.Name, host!.Name, none!.Name], ['bridge', 'host', 'none']);
  assert.deepEqual([bridge!.Driver, host!.Driver, none!.Driver], ['bridge', 'host', 'null']);
  assert.deepEqual(bridge!.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] });
  assert.equal(bridge!.bridgeName, 'berth0');
  assert.equal(bridge!.Options['com.docker.network.bridge.name'], 'berth0');
  assert.equal(bridge!.Options['com.docker.network.bridge.default_bridge'], 'true');
  assert.deepEqual(host!.IPAM.Config, []);
  assert.equal(host!.bridgeName, undefined);
  for (const n of [bridge!, host!, none!]) {
    assert.match(n.Id, /^[0-9a-f]{64}$/);
    assert.equal(n.Scope, 'local');
    assert.equal(n.EnableIPv6, false);
    assert.equal(n.Attachable, false);
    assert.equal(n.Internal, false);
    assert.match(n.Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(isPredefined(n));
    assert.ok(fs.existsSync(path.join(root, 'network', 'networks', `${n.Id}.json`)));
  }
  const again = new NetworkStore({ root, hostRoutes: routes() });
  assert.deepEqual(again.list().map((n) => n.Id), [bridge!.Id, host!.Id, none!.Id], 'ids survive reopening');
});

test('the default bridge follows its options, keeps its id, and avoids a foreign route on 172.17/16 (docker0)', (t) => {
  const root = tmpRoot(t);
  const first = new NetworkStore({ root, hostRoutes: routes(['docker0', '172.17.0.0/16'], ['eth0', '172.18.0.0/24']) });
  const b = first.get('bridge');
  assert.deepEqual(b.IPAM.Config, [{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }], 'docker0 has 172.17, a host route 172.18');
  // Our own bridge's route does not count as foreign; the persisted choice sticks.
  const second = new NetworkStore({ root, hostRoutes: routes(['berth0', '172.19.0.0/16']) });
  assert.equal(second.get('bridge').IPAM.Config[0]!.Subnet, '172.19.0.0/16');
  const custom = new NetworkStore({ root, defaultBridgeName: 'btest0', defaultSubnet: '10.123.250.0/24', hostRoutes: routes() });
  const c = custom.get('bridge');
  assert.equal(c.Id, b.Id);
  assert.equal(c.bridgeName, 'btest0');
  assert.deepEqual(c.IPAM.Config, [{ Subnet: '10.123.250.0/24', Gateway: '10.123.250.1' }]);
});

test('create allocates free /16s from 172.18 upward, skipping store networks and host routes', (t) => {
  const s = new NetworkStore({ root: tmpRoot(t), hostRoutes: routes(['eth1', '172.19.4.0/24']) });
  const a = s.create('a');
  const b = s.create('b', { labels: { x: 'y' }, internal: true });
  assert.equal(a.IPAM.Config[0]!.Subnet, '172.18.0.0/16');
  assert.equal(a.IPAM.Config[0]!.Gateway, '172.18.0.1');
  assert.equal(b.IPAM.Config[0]!.Subnet, '172.20.0.0/16', '172.19 is a host route');
  assert.equal(b.Internal, true);
  assert.deepEqual(b.Labels, { x: 'y' });
  assert.equal(a.bridgeName, `br-${a.Id.slice(0, 12)}`);
  assert.equal(a.Driver, 'bridge');
  const c = s.create('c', { subnet: '10.50.0.0/24', gateway: '10.50.0.254', options: { 'com.docker.network.bridge.name': 'mybr0' } });
  assert.deepEqual(c.IPAM.Config, [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }]);
  assert.equal(c.bridgeName, 'mybr0');
});

test('create rules: unique names, no overlapping explicit subnets, bridge driver only, valid names', (t) => {
  const s = new NetworkStore({ root: tmpRoot(t), hostRoutes: routes() });
  s.create('web', { subnet: '10.1.0.0/16' });
  assert.throws(() => s.create('web'), kind('Conflict', /^network with name web already exists$/));
  assert.throws(() => s.create('bridge'), kind('Conflict', /already exists/));
  assert.throws(() => s.create('x', { subnet: '10.1.2.0/24' }), kind('Conflict', /overlaps with network web/));
  assert.throws(() => s.create('x', { gateway: '10.1.0.1' }), kind('InvalidArgument', /needs a subnet/));
  assert.throws(() => s.create('x', { driver: 'host' }), kind('FailedPrecondition', /only one instance of "host"/));
  assert.throws(() => s.create('x', { driver: 'overlay' }), kind('NotFound', /plugin "overlay" not found/));
  assert.throws(() => s.create('bad name'), kind('InvalidArgument', /invalid network name/));
  assert.throws(() => s.create('y', { options: { 'com.docker.network.bridge.name': 'berth0' } }), kind('Conflict', /bridge name berth0 is already used/));
  assert.throws(() => s.create('y', { options: { 'com.docker.network.bridge.name': 'a-very-long-bridge-name' } }), kind('InvalidArgument', /not a valid interface name/));
  assert.deepEqual(s.list().map((n) => n.Name), ['bridge', 'host', 'none', 'web']);
});

test('lookup by full id, name, and unique id prefix; ambiguity and absence are errors', (t) => {
  const s = new NetworkStore({ root: tmpRoot(t), hostRoutes: routes() });
  const n = s.create('lookup');
  assert.equal(s.get(n.Id).Name, 'lookup');
  assert.equal(s.get('lookup').Id, n.Id);
  assert.equal(s.get(n.Id.slice(0, 12)).Id, n.Id);
  assert.equal(s.find('nope'), undefined);
  assert.throws(() => s.get('nope'), kind('NotFound', /^network nope not found$/));
  // 14 /16s of 172.18-31 and 16 /20s of 192.168 exist to allocate from (this one took 172.18): then the pools run out.
  for (let i = 1; i < 30; i++) s.create(`n${i}`);
  assert.throws(() => s.create('n30'), kind('FailedPrecondition', /non-overlapping IPv4 address pool.*give --subnet/));
  // Ids start with one of 16 hex digits: among 33 networks some first digit is shared, and that prefix is ambiguous.
  const counts = new Map<string, number>();
  for (const x of s.list()) counts.set(x.Id[0]!, (counts.get(x.Id[0]!) ?? 0) + 1);
  const shared = [...counts].find(([, c]) => c > 1)![0];
  assert.throws(() => s.get(shared), kind('InvalidArgument', /is ambiguous/));
});

test('remove refuses predefined networks and networks with attached containers', (t) => {
  const root = tmpRoot(t);
  const s = new NetworkStore({ root, hostRoutes: routes() });
  for (const name of ['bridge', 'host', 'none']) {
    assert.throws(() => s.remove(name), kind('FailedPrecondition', new RegExp(`^${name} is a pre-defined network and cannot be removed$`)));
  }
  const n = s.create('busy');
  assert.throws(() => s.remove('busy', 2), kind('FailedPrecondition', /has active endpoints/));
  assert.throws(() => s.remove('busy', () => ['c1', 'c2']), kind('FailedPrecondition', /active endpoints \(c1, c2\)/));
  assert.equal(s.remove('busy', () => 0).Id, n.Id);
  assert.equal(s.find('busy'), undefined);
  assert.equal(fs.existsSync(path.join(root, 'network', 'networks', `${n.Id}.json`)), false);
  assert.throws(() => s.remove('busy'), kind('NotFound', /not found/));
});

test('rfc3339Nano has nine fractional digits', () => {
  assert.equal(rfc3339Nano(new Date('2024-05-06T07:08:09.123Z'), 456789), '2024-05-06T07:08:09.123456789Z');
  assert.equal(rfc3339Nano(new Date('2024-05-06T07:08:09.000Z'), 5), '2024-05-06T07:08:09.000000005Z');
});
