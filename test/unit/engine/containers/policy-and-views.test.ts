import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nextDelay, restartOnDaemonStart, shouldRestart, validateRestartPolicy } from '../../../../src/engine/containers/restart-policy.js';
import { humanDuration, statusText, portList, matchesFilters } from '../../../../src/engine/containers/view.js';
import { parseBind } from '../../../../src/engine/containers/mounts.js';
import { resolveUser } from '../../../../src/engine/containers/user.js';
import { checkName, newContainerId, generateName } from '../../../../src/engine/containers/names.js';
import { ContainerStore } from '../../../../src/engine/containers/store.js';
import type { ContainerRecord } from '../../../../src/engine/containers/types.js';

const facts = (exitCode: number, restartCount = 0, manualStop = false) => ({ exitCode, restartCount, manualStop, ranMs: 1000 });

test('restart policies decide as Docker does', () => {
  assert.equal(shouldRestart({ Name: 'no' }, facts(1)), false);
  assert.equal(shouldRestart({ Name: 'always' }, facts(0)), true);
  assert.equal(shouldRestart({ Name: 'always' }, facts(0, 0, true)), false);
  assert.equal(shouldRestart({ Name: 'on-failure' }, facts(0)), false);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, facts(1, 1)), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, facts(1, 2)), false);
  assert.equal(restartOnDaemonStart({ Name: 'unless-stopped' }, true), false);
  assert.equal(restartOnDaemonStart({ Name: 'always' }, true), true);
  assert.throws(() => validateRestartPolicy({ RestartPolicy: { Name: 'sometimes' as never } }), /unknown policy/);
  assert.throws(() => validateRestartPolicy({ RestartPolicy: { Name: 'always' }, AutoRemove: true }), /--restart and --rm/);
});

test('restart backoff doubles to a minute and resets after a 10 s run', () => {
  assert.equal(nextDelay(0, 0), 100);
  assert.equal(nextDelay(100, 50), 200);
  assert.equal(nextDelay(40_000, 50), 60_000);
  assert.equal(nextDelay(6400, 12_000), 100);
});

const rec = (over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  Id: 'abc123def4567890'.padEnd(64, '0'), Name: '/web', Created: '2026-01-01T00:00:00Z', Path: 'sh', Args: [], Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {} }, Labels: { tier: 'front' } },
  HostConfig: {}, Image: 'sha256:aa', ImageName: 'busybox', RestartCount: 0, Mounts: [], Networks: {}, Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
  SnapshotKey: 'k', ExecIDs: [],
  State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 1, ExitCode: 0, Error: '', StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
  ...over,
});

test('docker ps status texts and durations', () => {
  const now = Date.parse('2026-01-01T00:00:05Z');
  assert.equal(statusText(rec(), now), 'Up 5 seconds');
  assert.equal(statusText(rec({ State: { ...rec().State, Status: 'exited', Running: false, ExitCode: 3, FinishedAt: '2026-01-01T00:00:00Z' } }), now + 120_000), 'Exited (3) 2 minutes ago');
  assert.equal(statusText(rec({ State: { ...rec().State, Status: 'created', Running: false } }), now), 'Created');
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(3 * 3600_000), '3 hours');
});

test('ports: published bindings then exposed ports', () => {
  assert.deepEqual(portList(rec()), [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }]);
});

test('list filters', () => {
  const none = () => undefined;
  const ids = () => [];
  assert.equal(matchesFilters(rec(), new Map([['label', ['tier=front']]]), none, ids), true);
  assert.equal(matchesFilters(rec(), new Map([['label', ['tier=back']]]), none, ids), false);
  assert.equal(matchesFilters(rec(), new Map([['status', ['exited']]]), none, ids), false);
  assert.equal(matchesFilters(rec(), new Map([['name', ['we']]]), none, ids), true);
  assert.throws(() => matchesFilters(rec(), new Map([['status', ['sleeping']]]), none, ids), /invalid filter/);
  assert.throws(() => matchesFilters(rec(), new Map([['colour', ['x']]]), none, ids), /invalid filter 'colour'/);
});

test('-v specifications', () => {
  assert.deepEqual(parseBind('/src:/dst:ro'), { source: '/src', destination: '/dst', rw: false, propagation: '', mode: 'ro' });
  assert.deepEqual(parseBind('data:/var/lib/data'), { source: 'data', destination: '/var/lib/data', rw: true, propagation: '', mode: '' });
  assert.equal(parseBind('/anon').source, '');
  assert.equal(parseBind('/a:/b:rshared').propagation, 'rshared');
  assert.throws(() => parseBind('/a:relative:ro'), /absolute path/);
  assert.throws(() => parseBind('/a:/b:bogus'), /invalid mode: bogus/);
  assert.throws(() => parseBind('/a:/'), /can't be '\/'/);
});

test('--user resolves names and groups from the container files', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-user-'));
  try {
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1000::/home/web:/bin/sh\n');
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nweb:x:1000:\nstaff:x:50:web\n');
    assert.deepEqual(resolveUser(root, 'web'), { uid: 1000, gid: 1000, additionalGids: [50], home: '/home/web' });
    assert.deepEqual(resolveUser(root, '1000:staff'), { uid: 1000, gid: 50, additionalGids: [], home: '/home/web' });
    assert.deepEqual(resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
    assert.equal(resolveUser(root, '').home, '/root');
    assert.throws(() => resolveUser(root, 'nobody2'), /unable to find user nobody2: no matching entries in passwd file/);
    assert.throws(() => resolveUser(root, 'web:nogroup'), /unable to find group nogroup/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('names and ids', () => {
  assert.match(newContainerId(), /^[0-9a-f]{64}$/);
  assert.match(generateName(() => false), /^[a-z]+_[a-z]+$/);
  assert.equal(checkName('/web-1'), 'web-1');
  assert.throws(() => checkName('bad name'), /Invalid container name/);
});

test('the store resolves ids, names and unique prefixes; names conflict with 409 wording', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cstore-'));
  try {
    const store = new ContainerStore(dir);
    const a = rec({ Id: 'aa11'.padEnd(64, '1'), Name: '/one' });
    const b = rec({ Id: 'aa22'.padEnd(64, '2'), Name: '/two' });
    store.add(a);
    store.add(b);
    assert.equal(store.get('one').Id, a.Id);
    assert.equal(store.get('aa2').Id, b.Id);
    assert.throws(() => store.get('aa'), /multiple IDs/);
    assert.throws(() => store.get('zz'), /No such container: zz/);
    assert.throws(() => store.add(rec({ Id: 'bb'.padEnd(64, '3'), Name: '/one' })), /The container name "\/one" is already in use/);
    // A second store over the same directory sees the records (daemon restart).
    assert.equal(new ContainerStore(dir).get('two').Id, b.Id);
    store.remove(a);
    assert.equal(new ContainerStore(dir).find('one'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
