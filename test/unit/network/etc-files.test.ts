import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameFile, hostsFile, peersFor, resolvConf, type NetworkMember } from '../../../src/network/etc-files.js';

const DEFAULTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

test('hosts: Docker\'s defaults, --add-host entries, own address and name, then peers', () => {
  assert.equal(hostsFile({
    hostname: 'abc123def456', ip: '172.18.0.2', extraHosts: ['db:10.0.0.5', 'v6:fd00::1', 'gw=host-gateway'], hostGateway: '172.18.0.1',
    peers: [{ ip: '172.18.0.3', names: ['web', 'www', '0123456789ab'] }],
  }), `${DEFAULTS}10.0.0.5\tdb\nfd00::1\tv6\n172.18.0.1\tgw\n172.18.0.2\tabc123def456\n172.18.0.3\tweb www 0123456789ab\n`);
  assert.equal(hostsFile({ hostname: 'h', domainname: 'example.org', ip: '10.0.0.2' }), `${DEFAULTS}10.0.0.2\th.example.org h\n`);
  assert.equal(hostsFile({ hostname: 'h' }), DEFAULTS, 'no own entry without an address (none/host)');
  assert.throws(() => hostsFile({ hostname: 'h', extraHosts: ['nocolon'] }), /invalid extra host "nocolon"/);
  assert.throws(() => hostsFile({ hostname: 'h', extraHosts: ['gw:host-gateway'] }), /no host-gateway address/);
  assert.equal(hostnameFile('abc'), 'abc\n');
});

test('resolv.conf: host loopback and IPv6 nameservers are dropped; Google DNS when none remain', () => {
  const host = '# generated\nsearch corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver fd00::53\noptions edns0\n';
  assert.equal(resolvConf(host), '# generated\nsearch corp.example\nnameserver 10.0.0.2\noptions edns0\n');
  assert.equal(resolvConf(host, { ipv6: true }), '# generated\nsearch corp.example\nnameserver 10.0.0.2\nnameserver fd00::53\noptions edns0\n');
  assert.equal(resolvConf('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n'), 'options edns0 trust-ad\nsearch .\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(resolvConf(''), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test('resolv.conf: --dns, --dns-search and --dns-option replace the host\'s settings', () => {
  const host = 'search corp.example\nnameserver 10.0.0.2\noptions edns0\n';
  assert.equal(resolvConf(host, { dns: ['1.1.1.1'] }), 'search corp.example\nnameserver 1.1.1.1\noptions edns0\n');
  assert.equal(resolvConf(host, { dnsSearch: ['a.test', 'b.test'], dnsOptions: ['ndots:2'] }), 'search a.test b.test\nnameserver 10.0.0.2\noptions ndots:2\n');
  assert.equal(resolvConf(host, { dnsSearch: ['.'] }), 'nameserver 10.0.0.2\noptions edns0\n', '"." clears the search list');
  assert.equal(resolvConf('nameserver 127.0.0.1\n', { dnsOptions: ['ndots:1'] }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\noptions ndots:1\n');
});

test('peersFor: members sharing a user-defined network, by name, aliases and short id, one line per shared network', () => {
  const id = (c: string) => c.repeat(64);
  const members: NetworkMember[] = [
    { containerId: id('a'), name: '/web', networks: [{ networkId: 'n1', networkName: 'front', ip: '10.1.0.2' }, { networkId: 'b', networkName: 'bridge', ip: '172.17.0.2' }] },
    { containerId: id('b'), name: '/api', networks: [{ networkId: 'n1', networkName: 'front', ip: '10.1.0.3', aliases: ['backend', 'api'] }, { networkId: 'n2', networkName: 'back', ip: '10.2.0.3' }] },
    { containerId: id('c'), name: 'db', networks: [{ networkId: 'n2', networkName: 'back', ip: '10.2.0.4' }] },
    { containerId: id('d'), name: 'legacy', networks: [{ networkId: 'b', networkName: 'bridge', ip: '172.17.0.5' }] },
  ];
  assert.deepEqual(peersFor(id('a'), members), [{ ip: '10.1.0.3', names: ['api', 'backend', 'bbbbbbbbbbbb'] }], 'the default bridge gives no names');
  assert.deepEqual(peersFor(id('b'), members), [
    { ip: '10.1.0.2', names: ['web', 'aaaaaaaaaaaa'] },
    { ip: '10.2.0.4', names: ['db', 'cccccccccccc'] },
  ]);
  assert.deepEqual(peersFor(id('d'), members), []);
  assert.deepEqual(peersFor('unknown', members), []);
});
