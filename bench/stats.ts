// Summary statistics for benchmarks: median, min, max over samples in milliseconds.
export interface Summary { median: number; min: number; max: number; n: number }

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

export const fmt = (ms: number) => ms.toFixed(1);
