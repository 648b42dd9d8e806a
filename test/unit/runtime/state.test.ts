import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveStatus } from '../../../src/runtime/state/status.js';
import { StateStore, validateId } from '../../../src/runtime/state/store.js';
import { readProcStat, isSameLiveProcess } from '../../../src/common/process-probe.js';
import { writePidFile } from '../../../src/runtime/lifecycle/pid-file.js';
import { rfc3339Nano } from '../../../src/runtime/lifecycle/context.js';

const probe = (o: Partial<{ alive: boolean; frozen: boolean; fifo: boolean; creating: boolean }>) => ({
  alive: o.alive ?? true, creating: o.creating ?? false, frozen: () => o.frozen ?? false, fifoExists: () => o.fifo ?? false,
});

test('status derivation follows runc: stopped, paused, created, running', () => {
  assert.equal(deriveStatus(probe({ alive: false, fifo: true })), 'stopped');
  assert.equal(deriveStatus(probe({ frozen: true, fifo: true })), 'paused');
  assert.equal(deriveStatus(probe({ fifo: true })), 'created');
  assert.equal(deriveStatus(probe({})), 'running');
  assert.equal(deriveStatus(probe({ creating: true })), 'creating');
});

test('ids are validated like runc', () => {
  for (const ok of ['a', 'my-ctr_1.2+x']) validateId(ok);
  for (const bad of ['', '..', 'a/b', 'a b', 'x\n']) assert.throws(() => validateId(bad), /container id/);
});

test('store: reserve refuses duplicates; write is atomic JSON; list and remove', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-store-'));
  const store = new StateStore(root);
  store.reserve('a');
  assert.throws(() => store.reserve('a'), /"a" already exists/);
  assert.deepEqual(store.list(), [], 'a reserved id without state is not listed');
  const st = { id: 'a', bundle: '/b', rootfs: '/b/rootfs', created: 'now', owner: 'root', pid: 1, pidStartTime: '1', config: { ociVersion: '1.2.0' }, cgroupPath: '/berth/a', namespaces: {} };
  store.write(st);
  assert.deepEqual(store.read('a'), st);
  assert.deepEqual(fs.readdirSync(store.dir('a')), ['state.json']);
  assert.deepEqual(store.list(), ['a']);
  assert.throws(() => store.read('b'), /"b" does not exist/);
  store.remove('a');
  assert.deepEqual(store.list(), []);
  fs.rmSync(root, { recursive: true });
});

test('process probe reads our own start time and rejects a wrong one', () => {
  const st = readProcStat(process.pid)!;
  assert.match(st.startTime, /^\d+$/);
  assert.ok(isSameLiveProcess(process.pid, st.startTime));
  assert.ok(!isSameLiveProcess(process.pid, '1'));
  assert.equal(readProcStat(2 ** 22 + 1), null);
});

test('pid file: digits only, no newline, atomic', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pid-'));
  writePidFile(path.join(dir, 'p'), 1234);
  assert.equal(fs.readFileSync(path.join(dir, 'p'), 'utf8'), '1234');
  assert.deepEqual(fs.readdirSync(dir), ['p']);
  fs.rmSync(dir, { recursive: true });
});

test('created timestamps are RFC3339 with nanoseconds', () => {
  assert.match(rfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});
