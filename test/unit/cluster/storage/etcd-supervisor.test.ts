import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcdSupervisor } from '../../../../src/cluster/storage/etcd-supervisor.js';
import type { EmbeddedEtcd, EmbeddedEtcdOptions, EtcdExit } from '../../../../src/cluster/storage/embedded-etcd.js';

/** Fake members: each start() call is recorded; tests make members exit and starts fail. */
function fakeStarter() {
  const calls: EmbeddedEtcdOptions[] = [];
  const members: Array<EmbeddedEtcd & { die(exit: EtcdExit): void; stopped: boolean }> = [];
  let failures = 0;
  let pid = 100;
  const start = async (opts: EmbeddedEtcdOptions): Promise<EmbeddedEtcd> => {
    calls.push(opts);
    if (failures > 0) {
      failures--;
      throw new Error('etcd could not start: client port 127.0.0.1:2379 is already in use');
    }
    let die!: (e: EtcdExit) => void;
    const exited = new Promise<EtcdExit>((r) => (die = r));
    const m = {
      endpoints: [`http://127.0.0.1:${opts.clientPort ?? 2379}`],
      pid: ++pid,
      clientPort: opts.clientPort ?? 2379,
      peerPort: opts.peerPort ?? 2380,
      logFile: '/dev/null',
      exited,
      stopped: false,
      die,
      async stop() {
        m.stopped = true;
        die({ code: 0, signal: null });
      },
    };
    members.push(m);
    return m;
  };
  return { start, calls, members, failNext: (n: number) => (failures = n) };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond());
};

test('restarts a member that died, on the ports chosen at first start, with backoff on failed starts', async () => {
  const f = fakeStarter();
  const logs: string[] = [];
  const sup = await startEtcdSupervisor({ embedded: { dataDir: '/d' }, start: f.start, initialBackoffMs: 1, maxBackoffMs: 4, log: (m) => logs.push(m), probe: async () => true });
  assert.deepEqual(sup.health(), { state: 'running', endpoints: ['http://127.0.0.1:2379'], pid: 101, restarts: 0 });
  f.failNext(2);
  f.members[0]!.die({ code: null, signal: 'SIGKILL' });
  await until(() => sup.health().restarts === 1);
  await sup.running();
  const h = sup.health();
  assert.equal(h.state, 'running');
  assert.equal(h.pid, 102);
  assert.deepEqual(h.lastExit, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(f.calls.slice(1).map((c) => [c.dataDir, c.clientPort, c.peerPort]), Array(3).fill(['/d', 2379, 2380]));
  assert.ok(logs.some((l) => /restart failed: etcd could not start/.test(l)));
  assert.equal(await sup.check(), true);
  await sup.stop();
  assert.equal(f.members[1]!.stopped, true);
  assert.equal(sup.health().state, 'stopped');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(f.calls.length, 4); // a stop is not a death: no restart
});

test('running() waits for the restart; stop() during restarts ends them', async () => {
  const f = fakeStarter();
  const sup = await startEtcdSupervisor({ embedded: { dataDir: '/d' }, start: f.start, initialBackoffMs: 1, maxBackoffMs: 1 });
  f.failNext(1_000_000);
  f.members[0]!.die({ code: 1, signal: null });
  await until(() => sup.health().state === 'restarting' && f.calls.length > 2);
  const waiting = sup.running();
  assert.match(sup.health().lastError ?? '', /already in use/);
  assert.equal(await sup.check(), false);
  await sup.stop();
  await assert.rejects(waiting, /stopped/);
  const n = f.calls.length;
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(f.calls.length <= n + 1);
});

test('external endpoints: nothing is started; health is any member healthy', async () => {
  const healthy = new Set(['http://b:2379']);
  const sup = await startEtcdSupervisor({ endpoints: ['http://a:2379', 'http://b:2379'], probe: async (e) => healthy.has(e), start: () => assert.fail('must not start etcd') });
  assert.equal(sup.health().state, 'external');
  assert.equal(await sup.check(), true);
  healthy.clear();
  assert.equal(await sup.check(), false);
  assert.match(sup.health().lastError ?? '', /no etcd endpoint is healthy/);
  await sup.running();
  await sup.stop();
});
