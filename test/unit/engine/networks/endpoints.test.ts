// A container's endpoints on several networks without a kernel: create's normalization of EndpointsConfig, the
// combinations Docker refuses (with its texts), what a stopped container keeps, attach order and interface names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attachOrder, combinationError, configOnly, createEndpoints, endpointKey, nextIfName, stoppedEndpoints, NETWORK_CONFLICT, type NetRef,
} from '../../../../src/engine/networks/endpoints.js';
import { isEngineError } from '../../../../src/engine/errors.js';
import type { ContainerRecord, EndpointSettings } from '../../../../src/engine/containers/types.js';
import { bridgeConfList } from '../../../../src/network/cni/conflist.js';
import type { NetworkResource } from '../../../../src/network/types.js';

const nets: NetRef[] = [
  { Id: 'b'.repeat(64), Name: 'bridge', Driver: 'bridge' },
  { Id: 'h'.repeat(64), Name: 'host', Driver: 'host' },
  { Id: 'n'.repeat(64), Name: 'none', Driver: 'null' },
  { Id: 'a'.repeat(64), Name: 'front', Driver: 'bridge' },
  { Id: 'c'.repeat(64), Name: 'back', Driver: 'bridge' },
];
const find = (ref: string) => nets.find((n) => n.Name === ref || n.Id === ref || (ref.length >= 3 && n.Id.startsWith(ref)));
const net = (name: string) => find(name)!;

const running: EndpointSettings = {
  IPAMConfig: { IPv4Address: '10.1.0.9' }, Links: null, Aliases: ['web'], MacAddress: '02:42:0a:01:00:09', NetworkID: 'a'.repeat(64),
  EndpointID: 'e'.repeat(64), Gateway: '10.1.0.1', IPAddress: '10.1.0.9', IPPrefixLen: 24, IPv6Gateway: '', GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0, DNSNames: ['app', 'web', '0123456789ab'],
};

test('a stopped container keeps NetworkID, Aliases and IPAMConfig; the runtime fields are emptied (as Docker shows them)', () => {
  assert.deepEqual(configOnly(running), {
    IPAMConfig: { IPv4Address: '10.1.0.9' }, Links: null, Aliases: ['web'], MacAddress: '', NetworkID: 'a'.repeat(64), EndpointID: '',
    Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  });
  assert.equal(configOnly({ Aliases: [] }).Aliases, null);
  const kept = stoppedEndpoints({ front: running, back: { NetworkID: 'c'.repeat(64), IPAddress: '10.2.0.3' } });
  assert.deepEqual(Object.keys(kept), ['front', 'back'], 'order (eth0 first) is kept');
  assert.equal(kept.back!.IPAddress, '');
  assert.deepEqual(kept.front!.Aliases, ['web']);
});

test('create: EndpointsConfig keyed by name, "default" and ids resolved, NetworkMode first and added when missing', () => {
  assert.deepEqual(createEndpoints('bridge', {}, find), { bridge: configOnly({ NetworkID: 'b'.repeat(64) }) });
  const two = createEndpoints('front', { back: { Aliases: ['db'] }, front: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.1.0.9' } } }, find);
  assert.deepEqual(Object.keys(two), ['front', 'back']);
  assert.deepEqual(two.front!.Aliases, ['web']);
  assert.deepEqual(two.front!.IPAMConfig, { IPv4Address: '10.1.0.9' });
  assert.equal(two.back!.NetworkID, 'c'.repeat(64));
  // The docker CLI sends "default" when no --network was given; ids and id prefixes name networks too.
  assert.deepEqual(Object.keys(createEndpoints('bridge', { default: {} }, find)), ['bridge']);
  assert.deepEqual(Object.keys(createEndpoints('aaaa', { ccc: {} }, find)), ['front', 'back']);
  assert.deepEqual(createEndpoints('container:abc', {}, find), {});
  assert.deepEqual(createEndpoints('container:abc', { 'container:abc': {} }, find), {});
});

test('create refuses unknown networks (404) and combinations Docker refuses (400, its texts)', () => {
  const fails = (kind: string, re: RegExp | string) => (e: unknown) => isEngineError(e, kind as never) && (typeof re === 'string' ? (e as Error).message === re : re.test((e as Error).message));
  assert.throws(() => createEndpoints('nope', {}, find), fails('NotFound', 'network nope not found'));
  assert.throws(() => createEndpoints('front', { gone: {} }, find), fails('NotFound', 'network gone not found'));
  assert.throws(() => createEndpoints('host', { back: {} }, find), fails('InvalidArgument', NETWORK_CONFLICT.shared));
  assert.throws(() => createEndpoints('none', { back: {} }, find), fails('InvalidArgument', NETWORK_CONFLICT.none));
  assert.throws(() => createEndpoints('front', { host: {} }, find), fails('InvalidArgument', NETWORK_CONFLICT.host));
  assert.throws(() => createEndpoints('container:x', { back: {} }, find), fails('InvalidArgument', NETWORK_CONFLICT.shared));
});

test('connect combinations: bridges mix; host, none and container: modes stay alone', () => {
  assert.equal(combinationError('front', [net('front')], net('back')), undefined);
  assert.equal(combinationError('front', [net('front')], net('bridge')), undefined);
  assert.equal(combinationError('front', [net('front')], net('front')), undefined, 'the same network is no combination (already-connected is checked apart)');
  assert.equal(combinationError('front', [], net('back')), undefined);
  assert.equal(combinationError('front', [net('front')], net('host')), NETWORK_CONFLICT.host);
  assert.equal(combinationError('host', [net('host')], net('back')), NETWORK_CONFLICT.shared);
  assert.equal(combinationError('none', [net('none')], net('back')), NETWORK_CONFLICT.none);
  assert.equal(combinationError('front', [net('front')], net('none')), NETWORK_CONFLICT.none);
  assert.equal(combinationError('container:x', [], net('back')), NETWORK_CONFLICT.shared);
});

test('attach order: the NetworkMode network first (eth0), then the others as connected; legacy records get NetworkMode', () => {
  const rec = (Networks: Record<string, EndpointSettings>) => ({ Networks } as unknown as ContainerRecord);
  assert.deepEqual(attachOrder(rec({ back: { NetworkID: 'c'.repeat(64) }, front: { NetworkID: 'a'.repeat(64) } }), net('front')).map(([n]) => n), ['front', 'back']);
  assert.deepEqual(attachOrder(rec({}), net('front')), [['front', { NetworkID: 'a'.repeat(64) }]]);
  // Keyed by id or "default" in records made before create normalized them.
  assert.deepEqual(attachOrder(rec({ back: {}, ['a'.repeat(64)]: {} }), net('front')).map(([n]) => n), ['a'.repeat(64), 'back']);
  assert.deepEqual(attachOrder(rec({ back: {}, default: {} }), net('front')).map(([n]) => n), ['default', 'back']);
  // NetworkMode's network disconnected: the others keep their order.
  assert.deepEqual(attachOrder(rec({ back: {}, bridge: {} }), net('front')).map(([n]) => n), ['back', 'bridge']);
});

test('interface names: the lowest free ethN; endpoint lookup by name, then by NetworkID', () => {
  assert.equal(nextIfName([]), 'eth0');
  assert.equal(nextIfName(['eth0']), 'eth1');
  assert.equal(nextIfName(['eth0', 'eth2']), 'eth1');
  assert.equal(nextIfName(['eth1', 'eth0', 'eth2']), 'eth3');
  assert.equal(endpointKey({ front: {} }, net('front')), 'front');
  assert.equal(endpointKey({ old: { NetworkID: 'c'.repeat(64) } }, net('back')), 'old');
  assert.equal(endpointKey({ front: {} }, net('back')), undefined);
});

test('a second network gets no default route (one per container, through eth0); the first keeps it', () => {
  const n: NetworkResource = {
    Name: 'back', Id: 'c'.repeat(64), Created: '', Driver: 'bridge', Scope: 'local', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.2.0.0/24', Gateway: '10.2.0.1' }] },
    Internal: false, Attachable: false, Options: {}, Labels: {}, bridgeName: 'br-cccccccccccc',
  };
  const routes = (o: { defaultRoute?: boolean }) => (bridgeConfList(n, { ipamDataDir: '/d', portmap: false, ...o }).plugins[0]!.ipam as { routes: unknown[] }).routes;
  assert.deepEqual(routes({}), [{ dst: '0.0.0.0/0' }]);
  assert.deepEqual(routes({ defaultRoute: true }), [{ dst: '0.0.0.0/0' }]);
  assert.deepEqual(routes({ defaultRoute: false }), []);
});
