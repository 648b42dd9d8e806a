import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressAt, bigIntToIp, cidrContains, dynamicOffsets, ipToBigInt, isAssignable, kubernetesServiceIP, parseCidr, usableOffsets } from '../../../../src/cluster/admission/cidr.js';
import { parsePortRange, portInRange } from '../../../../src/cluster/admission/port-range.js';

test('IPv4 and IPv6 addresses convert to numbers and back', () => {
  assert.equal(ipToBigInt('10.96.0.1'), (10n << 24n) | (96n << 16n) | 1n);
  assert.equal(bigIntToIp(ipToBigInt('192.168.255.254'), 4), '192.168.255.254');
  assert.equal(bigIntToIp(ipToBigInt('fd00::1'), 6), 'fd00::1');
  assert.equal(bigIntToIp(ipToBigInt('2001:db8:0:0:1:0:0:1'), 6), '2001:db8::1:0:0:1');
  assert.equal(bigIntToIp(ipToBigInt('::ffff:10.0.0.1'), 6), '::ffff:a00:1');
  assert.throws(() => ipToBigInt('10.0.0'), /invalid IP/);
});

test('the default range 10.96.0.0/12: size, first address for kubernetes, boundaries', () => {
  const c = parseCidr('10.96.0.0/12');
  assert.equal(c.size, 1n << 20n);
  assert.equal(kubernetesServiceIP(c), '10.96.0.1');
  assert.deepEqual(usableOffsets(c), { first: 1n, last: (1n << 20n) - 2n });
  assert.equal(addressAt(c, usableOffsets(c).last), '10.111.255.254');
  assert.ok(isAssignable(c, '10.100.3.4'));
  assert.ok(!isAssignable(c, '10.96.0.0'), 'network address');
  assert.ok(!isAssignable(c, '10.111.255.255'), 'last address');
  assert.ok(!isAssignable(c, '10.112.0.1'), 'outside');
  assert.ok(!isAssignable(c, 'fd00::1'), 'other family');
  assert.deepEqual(dynamicOffsets(c), { first: 2n, last: (1n << 20n) - 2n, count: (1n << 20n) - 3n });
});

test('host bits are masked; tiny ranges and bad input are refused', () => {
  assert.equal(parseCidr('10.96.7.9/12').text, '10.96.0.0/12');
  assert.ok(cidrContains(parseCidr('fd00:10::/108'), 'fd00:10::5'));
  assert.throws(() => usableOffsets(parseCidr('10.0.0.0/31')), /too small/);
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix/);
  assert.throws(() => parseCidr('banana'), /invalid CIDR/);
});

test('node port ranges: a-b, a+n, single port', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768, text: '30000-32767' });
  assert.deepEqual(parsePortRange('30000+9'), { base: 30000, size: 10, text: '30000-30009' });
  assert.equal(parsePortRange('31000').size, 1);
  assert.throws(() => parsePortRange('32767-30000'));
  assert.throws(() => parsePortRange('0-10'));
  const r = parsePortRange('30000-30002');
  assert.ok(portInRange(r, 30002));
  assert.ok(!portInRange(r, 30003));
  assert.ok(!portInRange(r, 30000.5));
});
