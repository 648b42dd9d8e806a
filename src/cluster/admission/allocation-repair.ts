// Keeps the allocation keys honest, like kube-apiserver's repair loops: every Service's IP and node ports
// are recorded as taken (after a restore, or keys lost some other way), and keys whose Service no longer
// uses them (it was deleted while the API server was down, an update dropped them, a create failed after
// taking them) are freed. Young keys are left alone: their Service may still be on its way to etcd.
import type { KubeObject } from '../resources/types.js';
import type { Allocation, AllocationKind, AllocationStore } from './allocation-store.js';
import { serviceClusterIP, serviceNodePorts } from './service-allocator.js';

export interface RepairPlan {
  /** Values in use with no key: to record. */
  missing: Array<{ kind: AllocationKind; value: string; service: string }>;
  /** Keys nobody uses: to free. */
  stale: Allocation[];
}

/** Compares Services with allocation keys. graceMs: how old an unused key must be before it is freed. */
export function planRepair(services: KubeObject[], allocations: Allocation[], now: Date, graceMs: number): RepairPlan {
  const used = new Map<string, string>(); // kind:value → holder
  for (const svc of services) {
    const holder = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const ip = serviceClusterIP(svc);
    if (ip) used.set(`serviceips:${ip}`, holder);
    for (const p of serviceNodePorts(svc)) used.set(`nodeports:${p}`, holder);
  }
  const recorded = new Set(allocations.map((a) => `${a.kind}:${a.value}`));
  const missing: RepairPlan['missing'] = [];
  for (const [key, service] of used) {
    if (recorded.has(key)) continue;
    const colon = key.indexOf(':');
    missing.push({ kind: key.slice(0, colon) as AllocationKind, value: key.slice(colon + 1), service });
  }
  const stale = allocations.filter((a) => {
    if (used.get(`${a.kind}:${a.value}`) === a.record.service) return false;
    const claimed = Date.parse(a.record.claimedAt);
    return !Number.isFinite(claimed) || now.getTime() - claimed >= graceMs;
  });
  return { missing, stale };
}

export interface RepairOptions {
  allocations: AllocationStore;
  /** Every Service in every namespace. */
  listServices: () => Promise<KubeObject[]>;
  /** Allowed in-range check: values outside the configured ranges are not recorded (default: all). */
  inRange?: (kind: AllocationKind, value: string) => boolean;
  graceMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

/** One repair pass; returns what it changed. */
export async function repairAllocations(opts: RepairOptions): Promise<{ recorded: number; freed: number }> {
  // Allocations first, Services second: a key taken in between belongs to a Service the list then shows
  // (or is young), so it is never mistaken for stale.
  const allocations = [...(await opts.allocations.list('serviceips')), ...(await opts.allocations.list('nodeports'))];
  const services = await opts.listServices();
  const plan = planRepair(services, allocations, (opts.now ?? (() => new Date()))(), opts.graceMs ?? 60_000);
  let recorded = 0;
  let freed = 0;
  for (const m of plan.missing) {
    if (opts.inRange && !opts.inRange(m.kind, m.value)) continue;
    if (await opts.allocations.claim(m.kind, m.value, m.service)) recorded++;
    else opts.log?.(`${m.kind} ${m.value} of Service ${m.service} is also recorded for another Service`);
  }
  for (const s of plan.stale) {
    if (await opts.allocations.release(s.kind, s.value, s.record.service, s.modRevision)) freed++;
  }
  return { recorded, freed };
}

/** Runs repairAllocations now and every intervalMs (default 3 minutes); returns stop. */
export function startAllocationRepair(opts: RepairOptions & { intervalMs?: number }): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    repairAllocations(opts)
      .then((r) => {
        if (r.recorded || r.freed) opts.log?.(`service allocations repaired: ${r.recorded} recorded, ${r.freed} freed`);
      })
      .catch((err) => opts.log?.(`service allocation repair failed: ${(err as Error).message}`))
      .finally(() => (running = false));
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? 180_000);
  timer.unref();
  return () => clearInterval(timer);
}
