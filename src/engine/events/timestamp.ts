// `since`/`until` as the docker CLI sends them ("1700000000.123456789", seconds with optional nanoseconds;
// it converts "10m" and RFC 3339 itself), with RFC 3339 also accepted from other clients.
import { EngineError } from '../errors.js';

/** A timestamp parameter as nanoseconds since the epoch. */
export function parseTimestampNano(name: string, value: string): bigint {
  const v = value.trim();
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (m) {
    const frac = (m[2] ?? '').padEnd(9, '0');
    return BigInt(m[1]!) * 1_000_000_000n + BigInt(frac || '0');
  }
  const ms = Date.parse(v);
  if (!Number.isNaN(ms)) {
    // Date keeps milliseconds only; take the sub-millisecond digits from the text when present.
    const sub = /\.\d{3}(\d{1,6})/.exec(v)?.[1]?.padEnd(6, '0') ?? '0';
    return BigInt(ms) * 1_000_000n + BigInt(sub);
  }
  throw new EngineError(`invalid value for ${name}: "${value}" (use unix seconds like 1700000000.5, or RFC 3339)`, 'InvalidArgument');
}
