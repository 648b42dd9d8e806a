// Ages and durations the way kubectl prints them (`5s`, `3m2s`, `4h`, `2d3h`, `3y`): the server fills Table
// cells with these, so `kubectl get` output looks the same as against Kubernetes.

/** A duration in kubectl's short human form; negative durations within a second's skew count as 0s. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${Math.trunc(days / 365)}y` : `${Math.trunc(days / 365)}y${d}d`;
  }
  return `${Math.trunc(days / 365)}y`;
}

/** The age of an RFC 3339 timestamp at `now`: `<unknown>` when absent or unparsable. */
export function ageOf(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** Like ageOf, but `<none>` for a missing timestamp (columns such as Last Schedule). */
export function ageOrNone(timestamp: unknown, now: Date): string {
  return typeof timestamp === 'string' && timestamp !== '' ? ageOf(timestamp, now) : '<none>';
}

/** An RFC 3339 timestamp at second precision, as Kubernetes writes metav1.Time (`2024-05-01T10:00:00Z`). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An RFC 3339 timestamp at microsecond precision, as Kubernetes writes metav1.MicroTime. */
export function rfc3339Micro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
