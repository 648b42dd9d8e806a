import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay } from '../../../../src/image/registry/retry.js';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

test('retryable statuses: 5xx (not 501/505), 429, 408; never other 4xx', () => {
  for (const s of [500, 502, 503, 504, 429, 408]) assert.ok(isRetryableStatus(s), String(s));
  for (const s of [200, 201, 400, 401, 403, 404, 405, 409, 416, 501, 505]) assert.ok(!isRetryableStatus(s), String(s));
  assert.equal(DEFAULT_RETRY_POLICY.retries, 3);
});

test('exponential backoff, capped, with jitter in [0.5, 1]', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([0, 1, 2].map((n) => backoffDelay(n, policy, () => 0)), [50, 100, 200]);
});

test('Retry-After: seconds or HTTP date, capped by the policy; absent → backoff', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(retryDelay(0, policy, '0'), 0);
  assert.equal(retryDelay(0, policy, '1'), 1000);
  assert.equal(retryDelay(0, policy, '3600'), 1000, 'capped');
  assert.equal(retryDelay(2, policy, undefined, () => 1), 400);
});
