// Policy shared by the v1, v2 and hybrid managers: which controller each part of linux.resources needs,
// how the resources split between hierarchies, and how spec values become cgroup file contents.
import type { DeviceRule, LinuxResources } from '../spec/types.js';
import { CgroupError } from './driver.js';
import type { CgroupFs } from './fs.js';

/** A part of linux.resources that one controller enforces (cpu.cpus/mems belong to cpuset, not cpu). */
export type Section = 'cpu' | 'cpuset' | 'memory' | 'pids' | 'blockIO' | 'hugepageLimits' | 'devices' | 'network' | 'rdma' | 'unified';

const CPU_FIELDS = ['shares', 'quota', 'burst', 'period', 'realtimeRuntime', 'realtimePeriod', 'idle'] as const;

/** The v1 controllers (any one suffices) that enforce a section. */
export const V1_SECTION_CONTROLLERS: Record<Section, string[]> = {
  cpu: ['cpu'], cpuset: ['cpuset'], memory: ['memory'], pids: ['pids'], blockIO: ['blkio'],
  hugepageLimits: ['hugetlb'], devices: ['devices'], network: ['net_cls', 'net_prio'], rdma: ['rdma'], unified: [],
};

/** The v2 controller that enforces a section ('' = no controller needed, null = not expressible on v2). */
export const V2_SECTION_CONTROLLER: Record<Section, string | null> = {
  cpu: 'cpu', cpuset: 'cpuset', memory: 'memory', pids: 'pids', blockIO: 'io',
  hugepageLimits: 'hugetlb', devices: '', network: null, rdma: 'rdma', unified: '',
};

function defined(o: object | undefined): boolean {
  return o !== undefined && Object.values(o).some((v) => v !== undefined);
}

/** The sections of r that actually ask for something (empty objects ask for nothing). */
export function requestedSections(r: LinuxResources): Section[] {
  const out: Section[] = [];
  if (r.cpu && CPU_FIELDS.some((k) => r.cpu?.[k] !== undefined)) out.push('cpu');
  if (r.cpu && (r.cpu.cpus !== undefined || r.cpu.mems !== undefined)) out.push('cpuset');
  if (defined(r.memory)) out.push('memory');
  if (r.pids !== undefined) out.push('pids');
  if (defined(r.blockIO)) out.push('blockIO');
  if (r.hugepageLimits?.length) out.push('hugepageLimits');
  if (r.devices !== undefined) out.push('devices');
  if (defined(r.network)) out.push('network');
  if (r.rdma && Object.keys(r.rdma).length) out.push('rdma');
  if (r.unified && Object.keys(r.unified).length) out.push('unified');
  return out;
}

/** Copies one section of r into out. */
function copySection(r: LinuxResources, s: Section, out: LinuxResources): void {
  switch (s) {
    case 'cpu':
      for (const k of CPU_FIELDS) if (r.cpu?.[k] !== undefined) (out.cpu ??= {})[k] = r.cpu[k];
      break;
    case 'cpuset':
      if (r.cpu?.cpus !== undefined) (out.cpu ??= {}).cpus = r.cpu.cpus;
      if (r.cpu?.mems !== undefined) (out.cpu ??= {}).mems = r.cpu.mems;
      break;
    case 'memory': out.memory = r.memory; break;
    case 'pids': out.pids = r.pids; break;
    case 'blockIO': out.blockIO = r.blockIO; break;
    case 'hugepageLimits': out.hugepageLimits = r.hugepageLimits; break;
    case 'devices': out.devices = r.devices; break;
    case 'network': out.network = r.network; break;
    case 'rdma': out.rdma = r.rdma; break;
    case 'unified': out.unified = r.unified; break;
  }
}

/** Pure: splits resources between the v1 and v2 hierarchies; sections no hierarchy can enforce are listed as missing. */
export function splitResources(
  r: LinuxResources,
  route: (s: Section) => 'v1' | 'v2' | undefined,
): { v1: LinuxResources; v2: LinuxResources; missing: Section[] } {
  const v1: LinuxResources = {};
  const v2: LinuxResources = {};
  const missing: Section[] = [];
  for (const s of requestedSections(r)) {
    const side = route(s);
    if (side === 'v1') copySection(r, s, v1);
    else if (side === 'v2') copySection(r, s, v2);
    else missing.push(s);
  }
  return { v1, v2, missing };
}

/** The spec field a section comes from, for error messages. */
export function sectionField(s: Section): string {
  return s === 'cpuset' ? 'linux.resources.cpu.cpus/mems' : `linux.resources.${s}`;
}

/** Runs fn and prefixes any CgroupError with the spec field that caused the write. */
export function withField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CgroupError && !err.message.startsWith('linux.')) {
      throw new CgroupError(`${field}: ${err.message}`, err.file, err.code);
    }
    throw err;
  }
}

/** Writes value to dir/file, naming the spec field on failure. */
export function writeField(fs: CgroupFs, dir: string, file: string, value: string | number, field: string): void {
  withField(field, () => fs.write(`${dir}/${file}`, String(value)));
}

/** v2 convention for limits: -1 is "max". */
export function maxOr(n: number): string {
  return n === -1 ? 'max' : String(n);
}

/** Checks a hugepage size such as "2MB" or "1GB" before it is spliced into a file name. */
export function checkPageSize(pageSize: string): string {
  if (!/^[0-9]+[KMG]B$/.test(pageSize)) {
    throw new CgroupError(`linux.resources.hugepageLimits: invalid pageSize ${JSON.stringify(pageSize)} (expected e.g. "2MB" or "1GB")`);
  }
  return pageSize;
}

/** True for a rule that matches every device (no type or type "a", no major/minor). */
function matchesAll(d: DeviceRule): boolean {
  return (d.type === undefined || d.type === 'a') && d.major === undefined && d.minor === undefined;
}

/** True for the rule that denies all access to all devices (the usual first rule of a spec). */
export function isDenyAll(d: DeviceRule): boolean {
  return !d.allow && matchesAll(d) && (d.access === undefined || d.access === 'rwm');
}

/** True for a rule that allows all access to all devices. */
export function isAllowAll(d: DeviceRule): boolean {
  return d.allow && matchesAll(d) && (d.access === undefined || d.access === 'rwm');
}

/** The devices.allow/deny line of a rule, e.g. "c 1:3 rwm"; "*" stands for a missing major/minor. */
export function deviceRuleLine(d: DeviceRule): string {
  const type = d.type ?? 'a';
  if (!['a', 'b', 'c'].includes(type)) {
    throw new CgroupError(`linux.resources.devices: invalid device type ${JSON.stringify(type)} (expected a, b or c)`);
  }
  const access = d.access ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(access)) {
    throw new CgroupError(`linux.resources.devices: invalid access ${JSON.stringify(access)} (expected letters of "rwm")`);
  }
  const num = (n: number | undefined) => (n === undefined || n < 0 ? '*' : String(n));
  return `${type} ${num(d.major)}:${num(d.minor)} ${access}`;
}

/** rdma.max lines, e.g. "mlx5_1 hca_handle=3 hca_object=max" (same format on v1 and v2). */
export function rdmaLines(rdma: Record<string, unknown>): string[] {
  return Object.entries(rdma).map(([dev, v]) => {
    if (!/^[\w.-]+$/.test(dev)) throw new CgroupError(`linux.resources.rdma: invalid device name ${JSON.stringify(dev)}`);
    const lim = (v ?? {}) as { hcaHandles?: number; hcaObjects?: number };
    return `${dev} hca_handle=${lim.hcaHandles ?? 'max'} hca_object=${lim.hcaObjects ?? 'max'}`;
  });
}
