// Admission for Services: gives each one a cluster IP from the service range and, for NodePort and
// LoadBalancer types, node ports from the node-port range — or checks and takes the ones it asked for
// (422 like Kubernetes when out of range or already allocated). Headless (`clusterIP: None`) and
// ExternalName Services get no IP. Values are taken in etcd with create-if-absent (allocation-store.ts), so
// concurrent creates never share one. On update, allocated values carry over unless changed; values an
// update stops using, and values of a write that failed, are freed only after checking that the live
// Service really does not use them (a periodic repair catches anything left over).
import { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import { ApiError, type AdmissionContext, type AdmissionPlugin } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';
import { invalid, invalidMessage } from '../resources/validation/field.js';
import { AllocationStore, type AllocationKind } from './allocation-store.js';
import { addressAt, dynamicOffsets, isAssignable, kubernetesServiceIP, parseCidr, type Cidr } from './cidr.js';
import { parsePortRange, portInRange, type PortRange } from './port-range.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface ServiceAllocatorOptions {
  allocations: AllocationStore;
  serviceCidr?: string;
  nodePortRange?: string;
  /** Reads the live Service (set once the API handler exists); without it, releases are unconditional. */
  lookupService?: (namespace: string, name: string) => Promise<KubeObject | undefined>;
  /** Random integer in [0, n) (injectable for tests). */
  random?: (n: number) => number;
  /** Delay before checking values an update dropped (default 2 s: the update has landed by then). */
  verifyDelayMs?: number;
  log?: (message: string) => void;
}

interface Taken {
  kind: AllocationKind;
  value: string;
}

const isService = (ctx: AdmissionContext) => ctx.info.group === '' && ctx.info.resource === 'services';
const holderOf = (obj: KubeObject) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
const ATTEMPTS = 8;

/** The cluster IP a Service spec uses, if any ('' and 'None' are none). */
export function serviceClusterIP(svc: KubeObject | undefined): string | undefined {
  const spec = svc?.spec;
  if (!spec || spec.type === 'ExternalName') return undefined;
  const ip = (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) || spec.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None' ? ip : undefined;
}

/** The node ports a Service spec uses. */
export function serviceNodePorts(svc: KubeObject | undefined): number[] {
  const spec = svc?.spec;
  if (!spec || !Array.isArray(spec.ports)) return [];
  const ports: unknown[] = spec.ports.map((p: KubeObject) => p?.nodePort);
  return [...new Set(ports.filter((n): n is number => typeof n === 'number' && n > 0))];
}

/** Whether a Service of this spec gets node ports. */
export function wantsNodePorts(spec: KubeObject): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** The ServiceIPAllocator / NodePortAllocator admission plugin. */
export class ServiceAllocator implements AdmissionPlugin {
  readonly name = 'ServiceAllocator';
  readonly cidr: Cidr;
  readonly ports: PortRange;
  lookupService: ((namespace: string, name: string) => Promise<KubeObject | undefined>) | undefined;
  private readonly allocations: AllocationStore;
  private readonly random: (n: number) => number;
  private readonly pending = new WeakMap<KubeObject, Taken[]>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: ServiceAllocatorOptions) {
    this.allocations = opts.allocations;
    this.cidr = parseCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    dynamicOffsets(this.cidr); // fails early on a range too small to use
    this.ports = parsePortRange(opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    this.lookupService = opts.lookupService;
    this.random = opts.random ?? ((n) => (n <= 2 ** 47 ? randomInt(n) : Math.floor(Math.random() * n)));
  }

  /** The address the `kubernetes` Service gets. */
  kubernetesIP(): string {
    return kubernetesServiceIP(this.cidr);
  }

  async admit(ctx: AdmissionContext, obj: KubeObject, old: KubeObject | undefined): Promise<void> {
    if (!isService(ctx) || ctx.subresource || ctx.operation === 'DELETE') return;
    obj.spec ??= {};
    const taken: Taken[] = [];
    try {
      await this.assignClusterIP(ctx, obj, old, taken);
      await this.assignNodePorts(ctx, obj, old, taken);
    } catch (err) {
      await this.freeUnconditionally(holderOf(obj), taken);
      throw err;
    }
    if (taken.length) this.pending.set(obj, taken);
    // The handler does not report failed updates: check later what the update dropped and what it took.
    if (ctx.operation === 'UPDATE' && old && !ctx.dryRun) this.verifyLater(old, obj, taken);
  }

  async release(ctx: AdmissionContext, obj: KubeObject): Promise<void> {
    if (!isService(ctx) || ctx.subresource || ctx.dryRun) return;
    const holder = holderOf(obj);
    if (ctx.operation === 'DELETE') {
      await this.freeUnconditionally(holder, this.valuesOf(obj));
      return;
    }
    // A failed create/update: free what admit took, unless the live object uses it after all.
    await this.freeUnused(holder, this.pending.get(obj) ?? this.valuesOf(obj));
    this.pending.delete(obj);
  }

  /** Stops pending delayed checks (server shutdown). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private valuesOf(svc: KubeObject): Taken[] {
    const out: Taken[] = [];
    const ip = serviceClusterIP(svc);
    if (ip) out.push({ kind: 'serviceips', value: ip });
    for (const p of serviceNodePorts(svc)) out.push({ kind: 'nodeports', value: String(p) });
    return out;
  }

  private async assignClusterIP(ctx: AdmissionContext, obj: KubeObject, old: KubeObject | undefined, taken: Taken[]): Promise<void> {
    const spec = obj.spec;
    if (spec.type === 'ExternalName') {
      // An ExternalName Service has no cluster IP: one left over from its previous type is dropped.
      if (old && serviceClusterIP(old) && (spec.clusterIP === serviceClusterIP(old) || spec.clusterIP === undefined)) {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      }
      return;
    }
    const oldIP = serviceClusterIP(old);
    const given = (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) || spec.clusterIP;
    const requested: string | undefined = typeof given === 'string' && given !== '' ? given : oldIP;
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    if (requested && isIP(requested) === 0) return; // not an address: validation reports it
    const holder = holderOf(obj);
    let ip: string;
    if (requested) {
      if (requested !== oldIP) {
        if (!isAssignable(this.cidr, requested)) {
          throw this.invalid(obj, 'spec.clusterIPs[0]', requested, `provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`);
        }
        if (!(await this.take(ctx, 'serviceips', requested, holder, taken))) {
          throw this.invalid(obj, 'spec.clusterIPs[0]', requested, 'provided IP is already allocated');
        }
      }
      ip = requested;
    } else {
      ip = await this.allocateIP(ctx, holder, taken);
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private async assignNodePorts(ctx: AdmissionContext, obj: KubeObject, old: KubeObject | undefined, taken: Taken[]): Promise<void> {
    const spec = obj.spec;
    const ports: KubeObject[] = Array.isArray(spec.ports) ? spec.ports : [];
    const oldPorts: KubeObject[] = Array.isArray(old?.spec?.ports) ? old!.spec.ports : [];
    const oldHeld = new Set(serviceNodePorts(old));
    const oldFor = (p: KubeObject) =>
      oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && typeof o.nodePort === 'number')?.nodePort as number | undefined;
    if (!wantsNodePorts(spec)) {
      // Leaving NodePort/LoadBalancer drops the node ports the Service had (Kubernetes does the same).
      for (const p of ports) if (p.nodePort !== undefined && p.nodePort === oldFor(p)) delete p.nodePort;
      return;
    }
    const holder = holderOf(obj);
    const mine = new Set<number>(); // a node port may serve two protocols of one Service
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      if (!p.nodePort && old) {
        const carried = oldFor(p);
        if (carried !== undefined) p.nodePort = carried;
      }
      if (p.nodePort) {
        const n = p.nodePort;
        if (typeof n !== 'number') continue; // validation reports it
        if (mine.has(n) || oldHeld.has(n)) {
          mine.add(n);
          continue;
        }
        if (!portInRange(this.ports, n)) {
          throw this.invalid(obj, `spec.ports[${i}].nodePort`, n, `provided port is not in the valid range. The range of valid ports is ${this.ports.text}`);
        }
        if (!(await this.take(ctx, 'nodeports', String(n), holder, taken))) {
          throw this.invalid(obj, `spec.ports[${i}].nodePort`, n, 'provided port is already allocated');
        }
        mine.add(n);
      } else {
        p.nodePort = await this.allocatePort(ctx, holder, taken, mine);
        mine.add(p.nodePort);
      }
    }
  }

  /**
   * Takes a specific value (a dry run only checks it is free). A value this Service's name already holds
   * counts as taken by it: an update retried after losing a race, or an earlier failed attempt, must not be
   * refused by its own reservation (names are unique, so no other Service can hold it under that name).
   */
  private async take(ctx: AdmissionContext, kind: AllocationKind, value: string, holder: string, taken: Taken[]): Promise<boolean> {
    if (!ctx.dryRun && (await this.allocations.claim(kind, value, holder))) {
      taken.push({ kind, value });
      return true;
    }
    const current = await this.allocations.get(kind, value);
    return !current || current.record.service === holder;
  }

  private async allocateIP(ctx: AdmissionContext, holder: string, taken: Taken[]): Promise<string> {
    const { first, count } = dynamicOffsets(this.cidr);
    for (let i = 0; i < ATTEMPTS; i++) {
      const ip = addressAt(this.cidr, first + BigInt(this.random(Number(count > BigInt(2 ** 47) ? BigInt(2 ** 47) : count))));
      if (await this.take(ctx, 'serviceips', ip, holder, taken)) return ip;
    }
    // Random probes keep hitting taken addresses: the range is nearly full, so look at what is free.
    const used = new Set((await this.allocations.list('serviceips')).map((a) => a.value));
    for (let off = 0n; off < count; off++) {
      const ip = addressAt(this.cidr, first + off);
      if (!used.has(ip) && (await this.take(ctx, 'serviceips', ip, holder, taken))) return ip;
    }
    throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  private async allocatePort(ctx: AdmissionContext, holder: string, taken: Taken[], mine: Set<number>): Promise<number> {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = this.ports.base + this.random(this.ports.size);
      if (!mine.has(port) && (await this.take(ctx, 'nodeports', String(port), holder, taken))) return port;
    }
    const used = new Set((await this.allocations.list('nodeports')).map((a) => Number(a.value)));
    const free: number[] = [];
    for (let port = this.ports.base; port < this.ports.base + this.ports.size; port++) if (!used.has(port) && !mine.has(port)) free.push(port);
    while (free.length) {
      const port = free.splice(this.random(free.length), 1)[0]!;
      if (await this.take(ctx, 'nodeports', String(port), holder, taken)) return port;
    }
    throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }

  private invalid(obj: KubeObject, field: string, value: string | number, detail: string): ApiError {
    const cause = invalid(field, value, detail);
    const name = String(obj.metadata?.name ?? '');
    return new ApiError(422, 'Invalid', invalidMessage({ group: '', kind: 'Service' }, name, [cause]), {
      name,
      group: '',
      kind: 'Service',
      causes: [cause],
    });
  }

  private async freeUnconditionally(holder: string, values: Taken[]): Promise<void> {
    for (const v of values) await this.allocations.release(v.kind, v.value, holder);
  }

  /** Frees values the live Service (if any) does not use. */
  private async freeUnused(holder: string, values: Taken[]): Promise<void> {
    if (values.length === 0) return;
    let live: KubeObject | undefined;
    if (this.lookupService) {
      const slash = holder.indexOf('/');
      live = await this.lookupService(holder.slice(0, slash), holder.slice(slash + 1));
    }
    const inUse = new Set(live ? this.valuesOf(live).map((v) => `${v.kind}:${v.value}`) : []);
    for (const v of values) if (!inUse.has(`${v.kind}:${v.value}`)) await this.allocations.release(v.kind, v.value, holder);
  }

  /**
   * After an update, once it has landed (or failed): frees what the old object held and the new one dropped,
   * and what the update took if the write did not happen — whatever the live object does not use.
   */
  private verifyLater(old: KubeObject, obj: KubeObject, taken: Taken[]): void {
    const now = new Set(this.valuesOf(obj).map((v) => `${v.kind}:${v.value}`));
    const dropped = [...this.valuesOf(old).filter((v) => !now.has(`${v.kind}:${v.value}`)), ...taken];
    if (dropped.length === 0) return;
    const holder = holderOf(old);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.freeUnused(holder, dropped).catch((err) => this.opts.log?.(`releasing ${holder}'s old allocations failed: ${(err as Error).message}`));
    }, this.opts.verifyDelayMs ?? 2000);
    t.unref();
    this.timers.add(t);
  }
}
