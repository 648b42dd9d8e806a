// When and how long to wait before retrying a registry request: exponential backoff with jitter on network
// errors, 5xx and 429, honouring Retry-After; never on other 4xx.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Delay before the first retry; doubled each time. */
  baseDelayMs: number;
  /** Upper bound of a computed delay and of a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 10_000 };

/** True for statuses worth retrying: 408, 429 and 5xx except 501 (not implemented) and 505. */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/** Backoff for a 0-based retry number: base·2^n capped at max, scaled by a jitter in [0.5, 1]. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(raw * (0.5 + random() / 2));
}

/** Milliseconds a Retry-After header asks for (delta-seconds or HTTP date); undefined when absent/invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The delay before retry number `retry`: the server's Retry-After when given (capped), else backoff. */
export function retryDelay(retry: number, policy: RetryPolicy, retryAfter?: string | string[], random?: () => number, now?: number): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, policy.maxDelayMs);
  return backoffDelay(retry, policy, random);
}
