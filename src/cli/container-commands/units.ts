// Docker's value syntaxes for container flags, with its error messages: sizes (go-units RAMInBytes:
// 512m, 1g, 1.5GiB), CPUs as a decimal (NanoCPUs), Go durations (30s, 1m30s) and the human-readable forms
// the CLI prints (HumanDuration, HumanSize, BytesSize).
import { UsageError } from '../../common/args.js';

const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** A flag's label as docker's errors show it: `-m, --memory`. */
export function flagLabel(name: string, short?: string): string {
  return short ? `-${short}, --${name}` : `--${name}`;
}

/** go-units RAMInBytes: "512m" → 536870912 (binary multiples, case-insensitive, optional "b"/"ib"). */
export function parseRamBytes(value: string, flag: string): number {
  const m = SIZE_RE.exec(value);
  if (!m) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid size: '${value}'`);
  const n = Number.parseFloat(m[1]!);
  if (!Number.isFinite(n)) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid size: '${value}'`);
  return Math.trunc(n * (m[2] ? BINARY[m[2].toLowerCase()]! : 1));
}

/** --memory-swap: a size, or -1 for unlimited swap. */
export function parseSwapBytes(value: string, flag: string): number {
  return value === '-1' ? -1 : parseRamBytes(value, flag);
}

/** --cpus: a decimal number of CPUs as nano-CPUs ("1.5" → 1500000000). */
export function parseNanoCpus(value: string): number {
  if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) && !/^\d+\/\d+$/.test(value)) {
    throw new UsageError(`invalid argument "${value}" for "--cpus" flag: failed to parse ${value} as a rational number`);
  }
  const [a, b] = value.includes('/') ? value.split('/').map(Number) : [Number(value), 1];
  const nano = (a! / b!) * 1e9;
  // big.Rat in docker: more than nine decimals cannot be a whole number of nano-CPUs.
  const decimals = /\.(\d*?)0*$/.exec(value.trim())?.[1]?.length ?? 0;
  if ((!/e/i.test(value) && decimals > 9) || Math.abs(nano - Math.round(nano)) > 1e-3) {
    throw new UsageError(`invalid argument "${value}" for "--cpus" flag: value is too precise`);
  }
  return Math.round(nano);
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds ("1m30s" → 90000000000; "0" → 0). */
export function parseGoDuration(value: string, flag?: string): number {
  const fail = (): never => {
    const base = `time: invalid duration "${value}"`;
    throw new UsageError(flag ? `invalid argument "${value}" for "${flag}" flag: ${base}` : base);
  };
  let s = value;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (!s) fail();
  let total = 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < s.length && (m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    at = re.lastIndex;
  }
  if (at !== s.length) fail();
  return sign * Math.round(total);
}

/** go-units HumanDuration ("Less than a second", "About a minute", "3 hours", "2 weeks"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** Go's `%.<precision>g`: shortest digits up to `precision` significant ones, exponent form for large values. */
export function goG(x: number, precision: number): string {
  if (x === 0) return '0';
  const s = x.toPrecision(precision);
  const [mant, exp] = s.split('e');
  const trim = (t: string) => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  if (exp === undefined) return trim(mant!);
  const e = Number(exp);
  return `${trim(mant!)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(bytes: number, base: number, units: string[], precision: number): string {
  let v = bytes;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${goG(v, precision)}${units[i]}`;
}

/** go-units HumanSizeWithPrecision (decimal: 1.23MB); docker's HumanSize is precision 4. */
export function humanSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, precision);
}

/** go-units BytesSize (binary: 2.555MiB). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}
