// --filter key=value flags as the docker CLI sends them: the `filters` query parameter holding
// {"key":{"value":true}} (what dockerd's filters.FromJSON reads and Berth's router accepts).
import { UsageError } from '../../common/args.js';

/** The `filters` query value for repeated --filter flags (undefined when there are none). */
export function filtersQuery(values: string[]): string | undefined {
  if (!values.length) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value): ${v}`);
    const key = v.slice(0, eq).trim().toLowerCase();
    (out[key] ??= {})[v.slice(eq + 1)] = true;
  }
  return JSON.stringify(out);
}
