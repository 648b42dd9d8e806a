// HEALTHCHECK NONE | HEALTHCHECK [--interval=D --timeout=D --start-period=D --start-interval=D --retries=N] CMD …
// → Docker's HealthConfig (durations in nanoseconds; zero means "the daemon's default" and is left out).

import { SyntaxProblem } from './errors.js';
import { parseGoDuration } from './duration.js';
import type { HealthConfig } from './types.js';

const MIN_INTERVAL_NS = 1_000_000; // 1ms, Docker's minimum for any non-zero interval

/** `args` is [TYPE, ...command]; `json` says whether the command was an exec-form array. */
export function buildHealthcheck(args: readonly string[], json: boolean, flags: ReadonlyMap<string, string>): HealthConfig {
  if (args.length === 0) throw new SyntaxProblem('HEALTHCHECK requires at least one argument');
  const type = args[0]!.toUpperCase();
  const command = args.slice(1);
  if (type === 'NONE') {
    if (command.length !== 0) throw new SyntaxProblem('HEALTHCHECK NONE takes no arguments');
    return { test: ['NONE'] };
  }
  if (type !== 'CMD') throw new SyntaxProblem(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  if (command.length === 0) throw new SyntaxProblem('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = { test: json ? ['CMD', ...command] : ['CMD-SHELL', command.join(' ')] };
  for (const [flag, field] of [
    ['interval', 'interval'], ['timeout', 'timeout'], ['start-period', 'startPeriod'], ['start-interval', 'startInterval'],
  ] as const) {
    const value = flags.get(flag);
    if (value === undefined || value === '') continue;
    const ns = parseGoDuration(value);
    if (ns !== 0 && ns < MIN_INTERVAL_NS) throw new SyntaxProblem(`Interval "${flag}" cannot be less than 1ms`);
    if (ns !== 0) health[field] = ns;
  }
  const retries = flags.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?\d+$/.test(retries) || Math.abs(Number(retries)) > 2 ** 31 - 1) {
      throw new SyntaxProblem(`invalid --retries value "${retries}" (use a whole number)`);
    }
    const n = Number(retries);
    if (n < 0) throw new SyntaxProblem(`--retries cannot be negative (${n})`);
    if (n !== 0) health.retries = n;
  }
  return health;
}
