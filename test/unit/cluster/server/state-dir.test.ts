import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultStateDir, isServerProcess, mergeConfig, readConfig, statePaths, writeConfig } from '../../../../src/cluster/server/state-dir.js';
import { configFromFlags } from '../../../../src/cluster/cli/main.js';
import { parseArgs } from '../../../../src/common/args.js';

test('state dir: $BERTH_ROOT/cluster, else /var/lib/berth/cluster', () => {
  assert.equal(defaultStateDir({ BERTH_ROOT: '/tmp/x' }), '/tmp/x/cluster');
  assert.equal(defaultStateDir({}), '/var/lib/berth/cluster');
  assert.equal(statePaths('/s').tokensFile, '/s/tokens.csv');
});

test('config: saved settings persist, given ones override, an empty endpoint list means embedded', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-state-'));
  try {
    const p = statePaths(dir);
    assert.deepEqual(readConfig(p), {});
    writeConfig(p, { port: 7443, etcdClientPort: 1234 });
    assert.equal(fs.statSync(p.configFile).mode & 0o777, 0o600);
    assert.deepEqual(mergeConfig(readConfig(p), { port: undefined, serviceClusterIpRange: '10.0.0.0/16' }), { port: 7443, etcdClientPort: 1234, serviceClusterIpRange: '10.0.0.0/16' });
    assert.deepEqual(mergeConfig({ etcdEndpoints: ['http://a:1'] }, { etcdEndpoints: [] }), {});
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('flags are validated and normalised', () => {
  const flags = (argv: string[]) =>
    configFromFlags(parseArgs(argv, ['port', 'bind-address', 'etcd-endpoints', 'service-cluster-ip-range', 'service-node-port-range'].map((name) => ({ name, kind: 'string' as const }))).flags);
  assert.deepEqual(flags(['--port', '7443', '--etcd-endpoints', 'http://a:1, http://b:2', '--service-cluster-ip-range=10.0.5.0/16', '--service-node-port-range', '31000+99']), {
    port: 7443,
    etcdEndpoints: ['http://a:1', 'http://b:2'],
    serviceClusterIpRange: '10.0.0.0/16',
    serviceNodePortRange: '31000-31099',
  });
  assert.throws(() => flags(['--port', '70000']), /invalid --port/);
  assert.throws(() => flags(['--etcd-endpoints', 'a:1']), /invalid etcd endpoint/);
  assert.throws(() => flags(['--service-cluster-ip-range', 'x']), /invalid CIDR/);
});

test('a pid only counts as the server when its command line is `serve --state-dir <dir>`', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-proc-'));
  try {
    const proc = (pid: number, argv: string[], state = 'S') => {
      fs.mkdirSync(path.join(dir, String(pid)));
      fs.writeFileSync(path.join(dir, String(pid), 'cmdline'), argv.join('\0') + '\0');
      fs.writeFileSync(path.join(dir, String(pid), 'stat'), `${pid} (node) ${state} 1 1`);
    };
    proc(10, ['node', 'berth.cjs', 'cluster', 'serve', '--state-dir', '/s/']);
    proc(11, ['node', 'berth.cjs', 'cluster', 'serve', '--state-dir', '/other']);
    proc(12, ['bash']);
    proc(13, ['node', 'x', 'serve', '--state-dir=/s'], 'Z');
    assert.equal(isServerProcess(10, '/s', dir), true);
    assert.equal(isServerProcess(11, '/s', dir), false);
    assert.equal(isServerProcess(12, '/s', dir), false);
    assert.equal(isServerProcess(13, '/s', dir), false, 'a zombie has exited');
    assert.equal(isServerProcess(99, '/s', dir), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
