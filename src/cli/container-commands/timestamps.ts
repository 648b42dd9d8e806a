// docker's --since/--until values (GetTimestamp): a Go duration relative to now ("10m", "1h30m"), an RFC 3339
// date or time (local time when it has no zone), or unix seconds passed through ("1700000000.5").
import { UsageError } from '../../common/args.js';
import { parseGoDuration } from './units.js';

/** The unix-seconds string the API expects for a user's time value. */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (value !== '0') {
    try {
      const ns = parseGoDuration(value);
      return String(Math.trunc((now - ns / 1e6) / 1000));
    } catch {
      /* not a duration */
    }
  }
  if (value.includes('-')) {
    const ms = parseDate(value);
    if (ms === undefined) throw new UsageError(`parsing time "${value}": cannot parse as RFC 3339 ("2006-01-02T15:04:05Z07:00"), a date ("2006-01-02") or a duration ("10m")`);
    const frac = /\.(\d{1,9})/.exec(value)?.[1]?.padEnd(9, '0') ?? '000000000';
    return `${Math.floor(ms / 1000)}.${frac}`;
  }
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  throw new UsageError(`failed to parse value as time or duration: "${value}"`);
}

/** Parses docker's accepted date forms; undefined when none fits. */
function parseDate(value: string): number | undefined {
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value.slice(10));
  let text = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00';
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(text.replace(/([zZ]|[+-]\d{2}:?\d{2})$/, ''))) text = text.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})/, '$1:00');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  // Date.parse reads a zone-less date-time as local time, as docker does.
  const ms = Date.parse(zoned ? text : text.replace(/([zZ]|[+-]\d{2}:?\d{2})$/, ''));
  return Number.isNaN(ms) ? undefined : ms;
}
