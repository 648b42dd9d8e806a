// Limits bite: OOM kill under a memory limit, half a core under a 50% quota, the pids limit, live update.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Harness, v1Mount } from './harness.js';

const h = new Harness();
after(() => h.cleanup());

const MiB = 1024 * 1024;

test('a memory hog is OOM-killed under a small memory limit and the runtime says so', () => {
  // dd allocates its 256 MiB block and fills it: far over the limit.
  const bundle = h.bundle(['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=256M count=1 2>/dev/null && echo survived'], (s) => {
    s.linux!.resources = { memory: { limit: 32 * MiB, swap: 32 * MiB } };
  });
  const r = h.cli(['run', '-b', bundle, 'oom1']);
  assert.doesNotMatch(r.stdout, /survived/);
  assert.match(r.stderr, /OOM killer/);
});

test('a busy loop under a 50% CPU quota gets about half a core', async () => {
  const bundle = h.bundle(['sh', '-c', 'while :; do :; done'], (s) => {
    s.linux!.resources = { cpu: { quota: 50000, period: 100000 } };
  });
  h.ok(['run', '-d', '-b', bundle, 'cpu1']);
  const before = JSON.parse(h.ok(['events', '--stats', 'cpu1'])).data.cpu.usage.total as number;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 2000));
  const after = JSON.parse(h.ok(['events', '--stats', 'cpu1'])).data.cpu.usage.total as number;
  const elapsed = Number(process.hrtime.bigint() - t0);
  const share = (after - before) / elapsed;
  h.ok(['delete', '--force', 'cpu1']);
  assert.ok(share > 0.35 && share < 0.65, `got ${share.toFixed(2)} of a core under a 50% quota`);
});

test('a fork bomb stops at the pids limit', async () => {
  // The bombing subshell dies when a fork fails; pid 1 stays so the survivors can be counted.
  const bundle = h.bundle(['sh', '-c', '(for i in $(seq 1 60); do sleep 30 & done) 2>/dev/null; sleep 30'], (s) => {
    s.linux!.resources = { pids: { limit: 16 } };
  });
  h.ok(['run', '-d', '-b', bundle, 'fork1']);
  const current = () => Number(fs.readFileSync(path.join(v1Mount('pids')!, h.cgroupParent, 'fork1', 'pids.current'), 'utf8'));
  // The loop forks 60 sleeps; once the count stops at the limit the rest were refused.
  for (let i = 0; i < 200 && current() < 16; i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 200));
  const n = current();
  h.ok(['delete', '--force', 'fork1']);
  assert.ok(n <= 16 && n >= 12, `pids.current is ${n} under a limit of 16 after 60 forks`);
});

test('update changes a live limit', () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '60'], (s) => {
    s.linux!.resources = { memory: { limit: 64 * MiB }, pids: { limit: 100 } };
  }), 'up1']);
  const mem = v1Mount('memory');
  const pids = v1Mount('pids');
  assert.ok(mem && pids, 'this host has v1 memory and pids controllers');
  const memFile = path.join(mem, h.cgroupParent, 'up1/memory.limit_in_bytes');
  assert.equal(Number(fs.readFileSync(memFile, 'utf8')), 64 * MiB);
  h.ok(['update', '--memory', '128m', '--pids-limit', '50', 'up1']);
  assert.equal(Number(fs.readFileSync(memFile, 'utf8')), 128 * MiB);
  assert.equal(fs.readFileSync(path.join(pids, h.cgroupParent, 'up1/pids.max'), 'utf8').trim(), '50');
  h.ok(['update', '--resources', '-', 'up1'], { input: JSON.stringify({ cpu: { quota: 20000, period: 100000 } }) });
  const cpu = v1Mount('cpu')!;
  assert.equal(fs.readFileSync(path.join(cpu, h.cgroupParent, 'up1/cpu.cfs_quota_us'), 'utf8').trim(), '20000');
  h.ok(['delete', '--force', 'up1']);
});

test('events streams stats every interval, reports an OOM kill, and ends when the container stops', () => {
  const bundle = h.bundle(['sh', '-c', 'sleep 1; dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null; sleep 1'], (s) => {
    s.linux!.resources = { memory: { limit: 32 * MiB, swap: 32 * MiB } };
  });
  h.ok(['run', '-d', '-b', bundle, 'ev2']);
  const r = h.cli(['events', '--interval', '300ms', 'ev2'], { timeoutMs: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string });
  assert.ok(events.filter((e) => e.type === 'stats').length >= 3, `only ${events.length} events`);
  assert.deepEqual(events.filter((e) => e.type === 'oom'), [{ type: 'oom', id: 'ev2' }]);
  h.ok(['delete', 'ev2']);
});
