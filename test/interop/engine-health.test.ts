// Health checks through the docker CLI: starting → unhealthy after Retries failures → healthy once the probe
// passes, with the streak, the last results, `docker ps` status and health_status events; system df lists
// containers and volumes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EngineDaemon, run } from '../fixtures/engine-daemon.js';

let d: EngineDaemon;

before(async () => {
  d = await EngineDaemon.start();
});

after(async () => {
  assert.deepEqual(await d.stop(), []);
});

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a HEALTHCHECK goes unhealthy after its retries and healthy when the probe passes', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const run = await d.docker(['run', '-d', '--network', 'none', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '100ms', '--health-retries', '2', 'busybox', 'sleep', '60']);
  assert.equal(run.status, 0, run.stderr);
  const status = async () => (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'hc'])).stdout.trim();
  await waitFor('unhealthy', async () => (await status()) === 'unhealthy');
  const ps = await d.docker(['ps', '--format', '{{.Status}}', '--filter', 'name=hc']);
  assert.match(ps.stdout, /\(unhealthy\)/);
  assert.equal((await d.docker(['exec', 'hc', 'touch', '/tmp/ok'])).status, 0);
  await waitFor('healthy', async () => (await status()) === 'healthy');
  const health = JSON.parse((await d.docker(['inspect', '-f', '{{json .State.Health}}', 'hc'])).stdout) as { FailingStreak: number; Log: { ExitCode: number }[] };
  assert.equal(health.FailingStreak, 0);
  assert.ok(health.Log.length <= 5 && health.Log.at(-1)!.ExitCode === 0);
  assert.ok(health.Log.some((l) => l.ExitCode === 1));
  const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=hc', '--format', '{{.Action}}']);
  assert.match(ev.stdout, /health_status: unhealthy/);
  assert.match(ev.stdout, /health_status: healthy/);
  assert.equal((await d.docker(['rm', '-f', 'hc'])).status, 0);
});

test('system df lists images, containers and volumes', async () => {
  assert.equal((await d.docker(['volume', 'create', 'dfvol'])).status, 0);
  const c = await d.docker(['create', '--network', 'none', '--name', 'dfc', '-v', 'dfvol:/data', 'busybox', 'true']);
  assert.equal(c.status, 0, c.stderr);
  const df = await d.docker(['system', 'df', '-v', '--format', 'json']);
  assert.equal(df.status, 0, df.stderr);
  assert.match(df.stdout, /dfc/);
  assert.match(df.stdout, /dfvol/);
  assert.equal((await d.docker(['rm', '-v', 'dfc'])).status, 0);
  assert.equal((await d.docker(['volume', 'rm', 'dfvol'])).status, 0);
});

test('an export whose reader stops early leaves no tar behind; event times are exact nanoseconds', async () => {
  assert.equal((await d.docker(['run', '-d', '--network', 'none', '--name', 'exp', 'busybox', 'sleep', '60'])).status, 0);
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await run('sh', ['-c', `DOCKER_HOST=unix://${d.socket} docker export exp | head -c 100 | wc -c`]);
  assert.equal(r.stdout.trim(), '100');
  const daemonPid = d.pid!;
  for (let i = 0; i < 50; i++) {
    const kids = spawnSync('pgrep', ['-P', String(daemonPid), '-x', 'tar'], { encoding: 'utf8' }).stdout.trim();
    if (!kids) break;
    assert.ok(i < 49, `tar still running under the daemon: ${kids}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--format', '{{json .}}', '--filter', 'container=exp']);
  const nanos = ev.stdout.trim().split('\n').map((line) => BigInt(/"timeNano":(\d+)/.exec(line)![1]!));
  assert.ok(nanos.length >= 2, ev.stdout);
  // A double near 1.8e18 can only hold multiples of 256: exact clock values almost never all are.
  assert.ok(nanos.some((n) => n % 256n !== 0n), `timeNano values were rounded: ${nanos.join(' ')}`);
  assert.equal((await d.docker(['rm', '-f', 'exp'])).status, 0);
});
