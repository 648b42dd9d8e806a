import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCertsDirs, defaultInsecureRegistries, isListedInsecure, isLoopbackHost, loadHostConfig, splitHostPort } from '../../../../src/image/registry/host-config.js';

test('loopback hosts may use plain HTTP; others only when listed (host, host:port or CIDR)', () => {
  for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['10.0.0.1:5000', 'registry:5000', 'docker.io', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  assert.ok(isListedInsecure('registry:5000', ['registry:5000']));
  assert.ok(isListedInsecure('registry:5000', ['registry']));
  assert.ok(isListedInsecure('10.1.2.3:5000', ['10.0.0.0/8']));
  assert.ok(isListedInsecure('reg.example:443', ['http://reg.example:443/']));
  assert.ok(!isListedInsecure('registry:5001', ['registry:5000']));
  assert.ok(!isListedInsecure('11.1.2.3', ['10.0.0.0/8']));
  assert.deepEqual(splitHostPort('[::1]:5000'), { hostname: '::1', port: '5000' });
  assert.deepEqual(splitHostPort('host'), { hostname: 'host' });
});

test('defaults come from the environment', () => {
  assert.deepEqual(defaultCertsDirs({}), ['/etc/berth/certs.d', '/etc/docker/certs.d']);
  assert.deepEqual(defaultCertsDirs({ BERTH_CERTS_DIR: '/x' }), ['/x']);
  assert.deepEqual(defaultInsecureRegistries({ BERTH_INSECURE_REGISTRIES: 'a:1, b ,,' }), ['a:1', 'b']);
  assert.deepEqual(defaultInsecureRegistries({}), []);
});

test('certs.d: *.crt are CAs from every directory; client.cert/key; listed hosts skip verification', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-certsd-'));
  try {
    const a = path.join(root, 'a', 'reg:5000');
    const b = path.join(root, 'b', 'reg:5000');
    fs.mkdirSync(a, { recursive: true });
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(path.join(a, 'ca.crt'), 'CA-A');
    fs.writeFileSync(path.join(b, 'extra.crt'), 'CA-B');
    fs.writeFileSync(path.join(a, 'client.cert'), 'CERT');
    fs.writeFileSync(path.join(a, 'client.key'), 'KEY');
    const cfg = loadHostConfig('reg:5000', { certsDirs: [path.join(root, 'a'), path.join(root, 'b')], insecureRegistries: [] });
    assert.deepEqual(cfg, { insecure: false, ca: ['CA-A', 'CA-B'], cert: 'CERT', key: 'KEY' });
    assert.deepEqual(loadHostConfig('127.0.0.1:5000', { certsDirs: [root], insecureRegistries: [] }), { insecure: true, ca: [] });
    assert.deepEqual(loadHostConfig('other:1', { certsDirs: [root], insecureRegistries: ['other:1'] }), { insecure: true, ca: [], skipVerify: true });
    fs.rmSync(path.join(a, 'client.key'));
    assert.throws(() => loadHostConfig('reg:5000', { certsDirs: [path.join(root, 'a')], insecureRegistries: [] }), /client\.cert: client certificate without its key/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
