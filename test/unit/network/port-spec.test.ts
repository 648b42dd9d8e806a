import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortBindings, parsePublishSpec } from '../../../src/network/port-spec.js';
import { isNetworkError } from '../../../src/network/errors.js';

test('-p forms become Docker PortBindings as the docker CLI sends them', () => {
  assert.deepEqual(parsePublishSpec('8080:80'), { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(parsePublishSpec('127.0.0.1:8080:80/udp'), { '80/udp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(parsePublishSpec('80'), { '80/tcp': [{ HostIp: '', HostPort: '' }] });
  assert.deepEqual(parsePublishSpec('127.0.0.1::80'), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.deepEqual(parsePublishSpec('8000-8001:80-81/tcp'), {
    '80/tcp': [{ HostIp: '', HostPort: '8000' }],
    '81/tcp': [{ HostIp: '', HostPort: '8001' }],
  });
  assert.deepEqual(parsePublishSpec('8000-8010:80'), { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] });
  assert.deepEqual(parsePublishSpec('90-91'), { '90/tcp': [{ HostIp: '', HostPort: '' }], '91/tcp': [{ HostIp: '', HostPort: '' }] });
  assert.deepEqual(parsePublishSpec('[0.0.0.0]:53:53/UDP'), { '53/udp': [{ HostIp: '0.0.0.0', HostPort: '53' }] });
});

test('bad -p values are InvalidArgument errors that quote the spec', () => {
  for (const [spec, re] of [
    ['8000-8002:80-81', /differ in size/],
    ['70000:80', /out of range/],
    ['8080:0', /out of range/],
    ['8080:80/sctp', /protocol "sctp"/],
    ['::1:8080:80', /too many colons/],
    ['abc:80', /invalid host port/],
    ['8081-8080:80', /end is before the start/],
    ['[::1]:8080:80', /not an IPv4 address/],
  ] as const) {
    assert.throws(() => parsePublishSpec(spec), (e: unknown) => isNetworkError(e, 'InvalidArgument') && e.message.includes(`"${spec}"`) && re.test(e.message), spec);
  }
});

test('PortBindings become publish requests: random, fixed, ranges, host addresses, protocols', () => {
  assert.deepEqual(parsePortBindings({
    '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
    '53/udp': [{ HostIp: '0.0.0.0', HostPort: '' }],
    '443': [{ HostPort: '0' }],
    '22/tcp': null,
    '7/tcp': [{ HostPort: '7000-7010' }],
  }), [
    { hostIP: '', hostPort: 0, containerPort: 443, protocol: 'tcp' }, // integer-like keys come first in JS objects
    { hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIP: '127.0.0.1', hostPort: 9090, containerPort: 80, protocol: 'tcp' },
    { hostIP: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
    { hostIP: '', hostPort: 0, containerPort: 22, protocol: 'tcp' },
    { hostIP: '', hostPort: 7000, hostPortEnd: 7010, containerPort: 7, protocol: 'tcp' },
  ]);
  assert.deepEqual(parsePortBindings(undefined), []);
  assert.deepEqual(parsePortBindings(parsePublishSpec('127.0.0.1:8080:80/udp')), [{ hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
  assert.throws(() => parsePortBindings({ 'x/tcp': [] }), /invalid port "x\/tcp"/);
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostPort: 'y' }] }), /invalid host port/);
});
