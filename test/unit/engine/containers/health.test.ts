import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthTiming, probeArgv, recordResult } from '../../../../src/engine/containers/health.js';
import type { ContainerRecord } from '../../../../src/engine/containers/types.js';

test('probe argv from Healthcheck.Test forms', () => {
  assert.deepEqual(probeArgv(['CMD', 'curl', '-f', 'http://x']), ['curl', '-f', 'http://x']);
  assert.deepEqual(probeArgv(['CMD-SHELL', 'test -e /ok']), ['/bin/sh', '-c', 'test -e /ok']);
  assert.equal(probeArgv(['NONE']), undefined);
  assert.equal(probeArgv([]), undefined);
});

test('Docker defaults for unset timings (nanoseconds in, ms out)', () => {
  assert.deepEqual(healthTiming({}), { interval: 30000, timeout: 30000, startPeriod: 0, retries: 3 });
  assert.deepEqual(healthTiming({ Interval: 2e8, Retries: 1 }), { interval: 200, timeout: 30000, startPeriod: 0, retries: 1 });
});

test('streaks: failures in the start period do not count; retries failures make it unhealthy; a success resets', () => {
  const rec = { State: { Health: { Status: 'starting', FailingStreak: 0, Log: [] } } } as unknown as ContainerRecord;
  const r = (exitCode: number) => ({ exitCode, output: '', start: 's', end: 'e' });
  assert.equal(recordResult(rec, r(1), true, 2), 'starting');
  assert.equal(rec.State.Health!.FailingStreak, 0);
  assert.equal(recordResult(rec, r(1), false, 2), 'starting');
  assert.equal(recordResult(rec, r(1), false, 2), 'unhealthy');
  assert.equal(recordResult(rec, r(0), false, 2), 'healthy');
  assert.equal(rec.State.Health!.FailingStreak, 0);
  for (let i = 0; i < 7; i++) recordResult(rec, r(0), false, 2);
  assert.equal(rec.State.Health!.Log.length, 5);
});
