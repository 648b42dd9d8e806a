// Parsers for the few text formats cgroup files use, and the empty stats record they fill in.
import type { CgroupStats } from './driver.js';

/** Values at or above this are the kernel's "no limit" sentinels (v1 reports 2^63 - 4096 for memory). */
const UNLIMITED_FROM = 2 ** 62;

/** A single number; "max" and v1's huge sentinels become -1 (unlimited); empty text becomes 0. */
export function parseValue(text: string | undefined): number {
  const t = (text ?? '').trim();
  if (t === '') return 0;
  if (t === 'max') return -1;
  const n = Number(t);
  if (!Number.isFinite(n)) return 0;
  return n >= UNLIMITED_FROM ? -1 : n;
}

/** "key value" lines (cpu.stat, memory.stat, memory.events, memory.oom_control) → map. */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = parseValue(v);
  }
  return out;
}

/** "8:0 rbytes=1 wbytes=2" lines (io.stat) → one map per line. */
export function parseNestedKeyed(text: string | undefined): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (const line of (text ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/).slice(1);
    if (fields.length === 0) continue;
    const row: Record<string, number> = {};
    for (const f of fields) {
      const eq = f.indexOf('=');
      if (eq > 0) row[f.slice(0, eq)] = parseValue(f.slice(eq + 1));
    }
    out.push(row);
  }
  return out;
}

/** cgroup.procs → pids. */
export function parsePids(text: string): number[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map(Number).filter(Number.isInteger);
}

/** Stats with every counter at zero, for controllers a hierarchy does not have. */
export function emptyStats(): CgroupStats {
  return {
    cpu: { usageNanos: 0, userNanos: 0, systemNanos: 0, throttledPeriods: 0, throttledNanos: 0 },
    memory: { usage: 0, limit: 0, maxUsage: 0, swapUsage: 0, cache: 0, oomKills: 0 },
    pids: { current: 0, limit: 0 },
    blkio: { readBytes: 0, writeBytes: 0 },
    hugetlb: {},
  };
}
