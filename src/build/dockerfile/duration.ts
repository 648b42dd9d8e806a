// Go's time.ParseDuration, which HEALTHCHECK's --interval/--timeout/--start-period/--start-interval use:
// a sequence of decimal numbers with units (ns, us, µs, ms, s, m, h), optionally signed; "0" needs no unit.

import { SyntaxProblem } from './errors.js';

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NS = (1n << 63n) - 1n;

/** Parses a Go duration string into nanoseconds. */
export function parseGoDuration(text: string): number {
  const invalid = (): SyntaxProblem => new SyntaxProblem(`time: invalid duration "${text}"`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = num[1]!;
    const frac = num[2] ?? '';
    if (whole === '' && frac === '') throw invalid(); // no digits at all (".s" or a unit alone)
    s = s.slice(num[0].length);
    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new SyntaxProblem(`time: missing unit in duration "${text}"`);
    const unitName = unitMatch[0];
    const unit = UNIT_NS[unitName];
    if (unit === undefined) throw new SyntaxProblem(`time: unknown unit "${unitName}" in duration "${text}"`);
    s = s.slice(unitName.length);
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    if (frac !== '') value += (BigInt(frac) * unit) / 10n ** BigInt(frac.length); // Go truncates the fraction
    total += value;
    if (total > MAX_NS + (negative ? 1n : 0n)) throw invalid();
  }
  return Number(negative ? -total : total);
}
