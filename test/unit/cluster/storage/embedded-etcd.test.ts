import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { etcdArgs, explainStartFailure, findEtcdUsing, logTail } from '../../../../src/cluster/storage/embedded-etcd.js';

test('etcdArgs: a loopback-only single member, auto-compaction off, bounded snapshots, progress notifications', () => {
  const args = etcdArgs({ name: 'berth', dataDir: '/s/etcd', clientPort: 2479, peerPort: 2480, progressNotifyIntervalMs: 5000 });
  assert.ok(args.includes('--data-dir=/s/etcd'));
  assert.ok(args.includes('--listen-client-urls=http://127.0.0.1:2479'));
  assert.ok(args.includes('--listen-peer-urls=http://127.0.0.1:2480'));
  assert.ok(args.includes('--initial-cluster=berth=http://127.0.0.1:2480'));
  assert.ok(args.includes('--auto-compaction-retention=0'));
  assert.ok(args.includes('--snapshot-count=10000'));
  assert.ok(args.includes('--experimental-watch-progress-notify-interval=5s'));
  assert.ok(args.every((a) => !/0\.0\.0\.0|localhost/.test(a)));
});

test('explainStartFailure names the port in use, or the data dir', () => {
  const o = { clientPort: 2479, peerPort: 2480, dataDir: '/s/etcd' };
  assert.equal(explainStartFailure('... "error":"listen tcp 127.0.0.1:2479: bind: address already in use"', o), 'etcd could not start: client port 127.0.0.1:2479 is already in use');
  assert.equal(explainStartFailure('listen tcp 127.0.0.1:2480: bind: address already in use', o), 'etcd could not start: peer port 127.0.0.1:2480 is already in use');
  assert.match(explainStartFailure('open /s/etcd/member: permission denied', o), /permission denied on its data dir \/s\/etcd/);
  assert.equal(explainStartFailure('something else', o), 'etcd could not start');
});

test('findEtcdUsing finds etcd processes by exact --data-dir; logTail reads only what follows an offset', () => {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-proc-'));
  try {
    const fake = (pid: string, argv: string[]) => {
      fs.mkdirSync(path.join(proc, pid));
      fs.writeFileSync(path.join(proc, pid, 'cmdline'), argv.join('\0') + '\0');
    };
    fake('10', ['/usr/bin/etcd', '--name=berth', '--data-dir=/s/etcd']);
    fake('11', ['/usr/bin/etcd', '--data-dir=/s/etcd2']);
    fake('12', ['/usr/bin/vim', '--data-dir=/s/etcd']);
    fs.mkdirSync(path.join(proc, 'self'));
    assert.deepEqual(findEtcdUsing('/s/etcd', proc), [10]);

    const log = path.join(proc, 'etcd.log');
    fs.writeFileSync(log, 'old run\n');
    const from = fs.statSync(log).size;
    fs.appendFileSync(log, 'line 1\nline 2\nline 3\n');
    assert.equal(logTail(log, from, 2), 'line 2\nline 3');
    assert.equal(logTail(path.join(proc, 'missing')), '');
  } finally {
    fs.rmSync(proc, { recursive: true, force: true });
  }
});
