import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contains, formatCidr, formatIPv4, overlaps, parseCidr, parseIPv4 } from '../../../src/network/ipv4.js';
import { defaultPools, pickFreeSubnet, resolveSubnet } from '../../../src/network/subnets.js';
import { parseProcNetRoute } from '../../../src/network/host-routes.js';
import { isNetworkError } from '../../../src/network/errors.js';

const cidr = (s: string) => parseCidr(s)!;

test('IPv4 parsing and formatting round-trip; malformed addresses are rejected', () => {
  assert.equal(formatIPv4(parseIPv4('172.17.0.1')!), '172.17.0.1');
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', '']) assert.equal(parseIPv4(bad), null, bad);
  assert.equal(parseCidr('10.0.0.0/33'), null);
  assert.equal(parseCidr('10.0.0.0'), null);
  assert.equal(formatCidr(cidr('10.1.2.3/16')), '10.1.0.0/16');
});

test('overlap and containment', () => {
  assert.equal(overlaps(cidr('172.17.0.0/16'), cidr('172.17.5.0/24')), true);
  assert.equal(overlaps(cidr('172.17.0.0/16'), cidr('172.18.0.0/16')), false);
  assert.equal(overlaps(cidr('10.0.0.0/8'), cidr('10.255.255.255/32')), true);
  assert.equal(contains(cidr('192.168.0.0/20'), parseIPv4('192.168.15.255')!), true);
  assert.equal(contains(cidr('192.168.0.0/20'), parseIPv4('192.168.16.0')!), false);
});

test('the first free pool skips used subnets and host routes, 172.18/16 upward then 192.168/20s', () => {
  assert.equal(formatCidr(pickFreeSubnet([])!), '172.18.0.0/16');
  assert.equal(formatCidr(pickFreeSubnet([cidr('172.18.0.0/16'), cidr('172.19.3.0/24')])!), '172.20.0.0/16');
  const all172 = defaultPools().filter((p) => p.prefix === 16);
  assert.equal(all172.length, 14);
  assert.equal(formatCidr(pickFreeSubnet([...all172, cidr('192.168.0.0/24')])!), '192.168.16.0/20');
  assert.equal(pickFreeSubnet([cidr('0.0.0.0/1'), cidr('128.0.0.0/1')]), null);
});

test('resolveSubnet: default gateway is the first host; bad subnets and gateways name the fix', () => {
  const r = resolveSubnet('n', '10.9.0.0/16');
  assert.equal(formatIPv4(r.gateway), '10.9.0.1');
  assert.equal(formatIPv4(resolveSubnet('n', '10.9.0.0/16', '10.9.255.254').gateway), '10.9.255.254');
  const cases: [string, string | undefined, RegExp][] = [
    ['10.9.1.0/16', undefined, /it should be 10\.9\.0\.0\/16/],
    ['10.9.0.0/31', undefined, /too small/],
    ['nonsense', undefined, /invalid subnet/],
    ['10.9.0.0/16', '10.10.0.1', /not a host address of subnet/],
    ['10.9.0.0/16', '10.9.0.0', /not a host address/],
    ['10.9.0.0/16', '10.9.255.255', /not a host address/],
    ['10.9.0.0/16', 'x', /invalid gateway/],
  ];
  for (const [s, g, re] of cases) {
    assert.throws(() => resolveSubnet('n', s, g), (e: unknown) => isNetworkError(e, 'InvalidArgument') && re.test((e as Error).message), `${s} ${g}`);
  }
});

test('/proc/net/route parsing: little-endian hex, prefix from the mask, default route left out', () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    '',
  ].join('\n');
  const routes = parseProcNetRoute(text).map((r) => `${r.dev} ${formatCidr(r.dst)}`);
  assert.deepEqual(routes, ['eth0 192.0.2.0/24', 'docker0 172.17.0.0/16']);
});
