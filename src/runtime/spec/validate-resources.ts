// Sanity checks on linux.resources (also the body of `update --resources`): catch values the kernel
// would refuse with a bare EINVAL, and say which field and what range instead.
import type { LinuxResources } from './types.js';
import { SpecError } from './errors.js';

/** Throws a SpecError (fields under `field`, e.g. `linux.resources`) for impossible resource values. */
export function validateResources(r: LinuxResources, field: string): void {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new SpecError(field, 'must be an object');
  validateMemory(r, `${field}.memory`);
  validateCpu(r, `${field}.cpu`);
  if (r.pids !== undefined) limit(r.pids.limit, `${field}.pids.limit`, 'the maximum number of tasks');
  validateBlockIO(r, `${field}.blockIO`);
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const f = `${field}.hugepageLimits[${i}]`;
    if (typeof h.pageSize !== 'string' || !/^\d+(?:[KMG]B)$/.test(h.pageSize)) {
      throw new SpecError(`${f}.pageSize`, `invalid page size ${JSON.stringify(h.pageSize)} (write it like "2MB" or "1GB")`);
    }
    nonNegative(h.limit, `${f}.limit`);
  });
  (r.devices ?? []).forEach((d, i) => {
    const f = `${field}.devices[${i}]`;
    if (typeof d.allow !== 'boolean') throw new SpecError(`${f}.allow`, 'must be true or false');
    if (d.type !== undefined && !['a', 'c', 'b'].includes(d.type)) {
      throw new SpecError(`${f}.type`, `unknown device rule type ${JSON.stringify(d.type)} (use a, c or b)`);
    }
    if (d.access !== undefined && !/^[rwm]*$/.test(d.access)) {
      throw new SpecError(`${f}.access`, `invalid access ${JSON.stringify(d.access)} (use a combination of r, w, m)`);
    }
    for (const k of ['major', 'minor'] as const) {
      const v = d[k];
      // -1 is the "any number" wildcard runtimes write for `*`.
      if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= -1)) {
        throw new SpecError(`${f}.${k}`, `must be a device number or -1 for any (got ${JSON.stringify(v)})`);
      }
    }
  });
}

function validateMemory(r: LinuxResources, field: string): void {
  const m = r.memory;
  if (m === undefined) return;
  limit(m.limit, `${field}.limit`, 'bytes');
  limit(m.reservation, `${field}.reservation`, 'bytes');
  limit(m.swap, `${field}.swap`, 'bytes of memory+swap');
  // In runtime-spec, swap is the memory+swap total, so it cannot be below the memory limit.
  if (m.limit !== undefined && m.swap !== undefined && m.limit > 0 && m.swap > 0 && m.swap < m.limit) {
    throw new SpecError(`${field}.swap`,
      `memory+swap limit ${m.swap} is below the memory limit ${m.limit} (swap counts memory too: set it ≥ limit, or -1 for unlimited)`);
  }
  if (m.swappiness !== undefined && !(Number.isInteger(m.swappiness) && m.swappiness >= 0 && m.swappiness <= 100)) {
    throw new SpecError(`${field}.swappiness`, `must be an integer from 0 to 100 (got ${m.swappiness})`);
  }
}

function validateCpu(r: LinuxResources, field: string): void {
  const c = r.cpu;
  if (c === undefined) return;
  // 0 means "not set" throughout, as in runc.
  if (c.shares !== undefined && c.shares !== 0 && !(Number.isInteger(c.shares) && c.shares >= 2 && c.shares <= 262144)) {
    throw new SpecError(`${field}.shares`, `must be from 2 to 262144 (got ${c.shares}; 1024 is the default weight)`);
  }
  if (c.period !== undefined && c.period !== 0 && !(Number.isInteger(c.period) && c.period >= 1000 && c.period <= 1000000)) {
    throw new SpecError(`${field}.period`, `must be from 1000 to 1000000 microseconds (got ${c.period})`);
  }
  if (c.quota !== undefined && c.quota !== 0 && c.quota !== -1 && !(Number.isInteger(c.quota) && c.quota >= 1000)) {
    throw new SpecError(`${field}.quota`, `must be at least 1000 microseconds per period, or -1 for unlimited (got ${c.quota})`);
  }
  if (c.burst !== undefined && c.burst > 0) {
    if (!c.quota || c.quota < 0) {
      throw new SpecError(`${field}.burst`, 'needs a cpu quota (set cpu.quota, or remove burst)');
    }
    if (c.burst > c.quota) {
      throw new SpecError(`${field}.burst`, `burst ${c.burst} exceeds quota ${c.quota} (set burst ≤ quota)`);
    }
  }
  if (c.realtimeRuntime !== undefined && c.realtimePeriod !== undefined && c.realtimePeriod > 0 &&
      c.realtimeRuntime > c.realtimePeriod) {
    throw new SpecError(`${field}.realtimeRuntime`, `exceeds realtimePeriod ${c.realtimePeriod} (set runtime ≤ period)`);
  }
  if (c.idle !== undefined && c.idle !== 0 && c.idle !== 1) throw new SpecError(`${field}.idle`, 'must be 0 or 1');
  if (c.cpus !== undefined) cpuList(c.cpus, `${field}.cpus`);
  if (c.mems !== undefined) cpuList(c.mems, `${field}.mems`);
}

function validateBlockIO(r: LinuxResources, field: string): void {
  const b = r.blockIO;
  if (b === undefined) return;
  weight(b.weight, `${field}.weight`);
  weight(b.leafWeight, `${field}.leafWeight`);
  (b.weightDevice ?? []).forEach((d, i) => {
    weight(d.weight, `${field}.weightDevice[${i}].weight`);
    weight(d.leafWeight, `${field}.weightDevice[${i}].leafWeight`);
  });
  for (const k of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const) {
    (b[k] ?? []).forEach((d, i) => nonNegative(d.rate, `${field}.${k}[${i}].rate`));
  }
}

/** Checks a cpuset list such as `0-2,4` (empty means "inherit"). */
export function cpuList(value: string, field: string): void {
  if (typeof value !== 'string') throw new SpecError(field, 'must be a string like "0-2,4"');
  if (value === '') return;
  for (const part of value.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      throw new SpecError(field, `invalid list ${JSON.stringify(value)} (write numbers and ascending ranges, e.g. "0-2,4")`);
    }
  }
}

function limit(v: number | undefined, field: string, unit: string): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < -1) {
    throw new SpecError(field, `must be a positive number of ${unit}, or -1 for unlimited (got ${JSON.stringify(v)})`);
  }
}

function nonNegative(v: number | undefined, field: string): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
    throw new SpecError(field, `must be a non-negative integer (got ${JSON.stringify(v)})`);
  }
}

function weight(v: number | undefined, field: string): void {
  if (v !== undefined && v !== 0 && !(Number.isInteger(v) && v >= 10 && v <= 1000)) {
    throw new SpecError(field, `must be from 10 to 1000 (got ${v})`);
  }
}
