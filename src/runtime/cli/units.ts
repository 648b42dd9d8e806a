// Byte sizes as runc update and docker take them: 1024, 512k, 100m, 1g (binary units), -1 for unlimited.

/** Parses a size with an optional b/k/m/g/t suffix into bytes. */
export function parseBytes(input: string, flag: string): number {
  const m = /^(-1|\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(input.trim());
  if (!m) throw new Error(`--${flag}: invalid size "${input}" (use bytes or a number with k, m, g or t, e.g. 64m)`);
  if (m[1] === '-1') return -1;
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()]!;
  return Math.round(Number(m[1]) * mult);
}

/** Parses a Go-style duration (500ms, 5s, 1m) into milliseconds. */
export function parseDuration(input: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(input.trim());
  if (!m) throw new Error(`--${flag}: invalid duration "${input}" (use e.g. 500ms, 5s, 1m)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms']!;
}

/** Integer flag with a clear error. */
export function parseIntFlag(input: string, flag: string): number {
  if (!/^-?\d+$/.test(input.trim())) throw new Error(`--${flag}: "${input}" is not an integer`);
  return Number(input);
}
