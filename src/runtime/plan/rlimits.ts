// setrlimit(2) resource names and their Linux numbers (asm-generic/resource.h).

/** RLIMIT_* name → resource number. */
export const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

/** The resource number of an RLIMIT_* name, or undefined if unknown. */
export function rlimitNumber(type: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(RLIMITS, type) ? RLIMITS[type] : undefined;
}

// JSON numbers are doubles: a uint64 RLIM_INFINITY (2^64-1) arrives rounded up to 2^64.
const UINT64_LIMIT = 2 ** 64 - 1;

/**
 * A config rlimit value as the plan's bigint: -1n (RLIM_INFINITY) for -1 or anything at or above 2^64-1,
 * since config.json writers emit RLIM_INFINITY as the uint64 maximum.
 */
export function rlimitValue(value: number): bigint {
  if (value === -1 || value >= UINT64_LIMIT) return -1n;
  return BigInt(Math.trunc(value));
}
