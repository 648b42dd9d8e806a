// One json-file log entry (Docker's on-disk format) and its timestamp.

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** The bytes as the container wrote them (with the trailing \n, except in a split long line's parts). */
  line: Buffer;
  /** RFC 3339 with nanoseconds, as written. */
  time: string;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Unix seconds (fractional) of an RFC 3339 time, or NaN; keeps the sub-millisecond digits Date drops. */
export function timeSeconds(time: string): number {
  const m = RFC3339.exec(time);
  if (!m) return NaN;
  return Date.parse(`${m[1]}${m[3]}`) / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0);
}

/** Parses one line of a json-file log; undefined for a line that is not an entry (a torn or foreign line). */
export function parseEntry(text: string): LogEntry | undefined {
  let raw: { log?: unknown; stream?: unknown; time?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object') return undefined;
  const { stream, time } = raw;
  if ((stream !== 'stdout' && stream !== 'stderr') || typeof time !== 'string') return undefined;
  // Docker omits "log" for an empty message (omitempty).
  return { stream, time, line: Buffer.from(typeof raw.log === 'string' ? raw.log : '', 'utf8') };
}
