// Writes linux.resources into the single cgroup v2 directory. Conversions from the v1-shaped OCI values
// follow runc's libcontainer/cgroups/fs2 so containers behave the same under both runtimes.
import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources, ThrottleDevice, DeviceRule } from '../spec/types.js';
import { CgroupError } from './driver.js';
import type { CgroupFs } from './fs.js';
import {
  V2_SECTION_CONTROLLER, checkPageSize, isAllowAll, maxOr, rdmaLines, requestedSections, sectionField, withField,
  writeField,
} from './resources.js';

/** runc's mapping of cpu.shares [2, 262144] onto cpu.weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** runc's mapping of blkio.weight [10, 1000] onto io.weight [1, 10000]. */
export function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** OCI swap is memory+swap; v2's memory.swap.max is swap alone. Returns undefined when nothing is to be written. */
export function swapMax(swap: number | undefined, limit: number | undefined): string | undefined {
  const F = 'linux.resources.memory';
  if ((limit === -1 && (swap === undefined || swap === 0)) || swap === -1) return 'max';
  if (swap === undefined || swap === 0) return undefined;
  if (limit === undefined || limit <= 0) throw new CgroupError(`${F}.swap needs ${F}.limit on cgroup v2 (swap.max = swap - limit)`);
  if (swap < limit) throw new CgroupError(`${F}.swap (${swap}) is memory+swap and must be >= ${F}.limit (${limit})`);
  return String(swap - limit);
}

/**
 * Applies every requested section of r to dir. enabled(c) says whether controller c is enabled for this
 * cgroup; a section whose controller is not is refused with the spec field named.
 */
export function applyV2Resources(fs: CgroupFs, dir: string, r: LinuxResources, enabled: (controller: string) => boolean): void {
  for (const s of requestedSections(r)) {
    const ctrl = V2_SECTION_CONTROLLER[s];
    if (ctrl === null) throw new CgroupError(`${sectionField(s)} is not supported on cgroup v2 (use a BPF/tc setup instead)`);
    if (ctrl !== '' && !enabled(ctrl)) {
      throw new CgroupError(`${sectionField(s)} is set but the ${ctrl} controller is not available to ${dir} (cgroup v2)`);
    }
    switch (s) {
      case 'cpu': setCpu(fs, dir, r.cpu!); break;
      case 'cpuset':
        if (r.cpu!.cpus !== undefined) writeField(fs, dir, 'cpuset.cpus', r.cpu!.cpus, 'linux.resources.cpu.cpus');
        if (r.cpu!.mems !== undefined) writeField(fs, dir, 'cpuset.mems', r.cpu!.mems, 'linux.resources.cpu.mems');
        break;
      case 'memory': setMemory(fs, dir, r.memory!); break;
      case 'pids': writeField(fs, dir, 'pids.max', r.pids!.limit > 0 ? String(r.pids!.limit) : 'max', 'linux.resources.pids.limit'); break;
      case 'blockIO': setIo(fs, dir, r.blockIO!); break;
      case 'hugepageLimits':
        for (const h of r.hugepageLimits!) {
          writeField(fs, dir, `hugetlb.${checkPageSize(h.pageSize)}.max`, maxOr(h.limit), `linux.resources.hugepageLimits[${h.pageSize}]`);
        }
        break;
      case 'devices': checkDevicesV2(r.devices!); break;
      case 'rdma':
        for (const line of rdmaLines(r.rdma!)) writeField(fs, dir, 'rdma.max', line, 'linux.resources.rdma');
        break;
      case 'unified': setUnified(fs, dir, r.unified!); break;
    }
  }
}

/** v2 enforces device rules only through an eBPF program, which this version does not load: refuse, never ignore. */
function checkDevicesV2(rules: DeviceRule[]): void {
  if (rules.every(isAllowAll)) return;
  throw new CgroupError(
    'linux.resources.devices: device rules need the cgroup v1 devices controller; on cgroup v2 they require an eBPF ' +
    'program, which is unsupported in this version (only an empty list or allow-all is accepted)');
}

function setCpu(fs: CgroupFs, dir: string, c: LinuxCPU): void {
  const F = 'linux.resources.cpu';
  if ((c.realtimeRuntime ?? 0) !== 0 || (c.realtimePeriod ?? 0) !== 0) {
    throw new CgroupError(`${F}.realtimeRuntime/realtimePeriod are not supported on cgroup v2 (the kernel has no cpu.rt_* files there)`);
  }
  if (c.shares !== undefined && c.shares !== 0) {
    writeField(fs, dir, 'cpu.weight', sharesToWeight(c.shares), `${F}.shares`);
  }
  if ((c.quota ?? 0) !== 0 || (c.period ?? 0) !== 0) {
    // "max" keeps the period and lifts the quota; a lone period also lifts it, as in runc.
    let value = c.quota !== undefined && c.quota > 0 ? String(c.quota) : 'max';
    if (c.period !== undefined && c.period !== 0) value += ` ${c.period}`;
    writeField(fs, dir, 'cpu.max', value, `${F}.quota/period`);
  }
  if (c.burst !== undefined) writeField(fs, dir, 'cpu.max.burst', c.burst, `${F}.burst`);
  if (c.idle !== undefined) writeField(fs, dir, 'cpu.idle', c.idle, `${F}.idle`);
}

function setMemory(fs: CgroupFs, dir: string, m: LinuxMemory): void {
  const F = 'linux.resources.memory';
  if (m.disableOOMKiller) {
    throw new CgroupError(`${F}.disableOOMKiller is not supported on cgroup v2 (the kernel has no oom_kill_disable there)`);
  }
  if (m.swappiness !== undefined) {
    throw new CgroupError(`${F}.swappiness is not supported on cgroup v2 (no per-cgroup memory.swappiness)`);
  }
  if (m.checkBeforeUpdate && m.limit !== undefined && m.limit > 0) {
    const usage = Number(fs.read(`${dir}/memory.current`).trim());
    if (usage > m.limit) throw new CgroupError(`${F}.limit ${m.limit} is below the current usage ${usage} of ${dir} (checkBeforeUpdate)`);
  }
  // swap.max before memory.max, as runc: the two are independent on v2, and a failing swap write
  // then leaves the memory limit untouched.
  const swap = swapMax(m.swap, m.limit);
  if (swap !== undefined) {
    try {
      writeField(fs, dir, 'memory.swap.max', swap, `${F}.swap`);
    } catch (err) {
      // Without swap accounting the file is absent: asking for "no limit" is then already true.
      if (!(err instanceof CgroupError && err.code === 'ENOENT' && swap === 'max')) throw err;
    }
  }
  if (m.limit !== undefined && m.limit !== 0) writeField(fs, dir, 'memory.max', maxOr(m.limit), `${F}.limit`);
  if (m.reservation !== undefined && m.reservation !== 0) {
    writeField(fs, dir, 'memory.low', maxOr(m.reservation), `${F}.reservation`);
  }
  // An OOM in a container kills the whole container rather than one arbitrary process of it, so a
  // container never keeps running half-dead (the kubelet sets the same since 1.28).
  if (fs.exists(`${dir}/memory.oom.group`)) writeField(fs, dir, 'memory.oom.group', '1', F);
}

function setIo(fs: CgroupFs, dir: string, b: LinuxBlockIO): void {
  const F = 'linux.resources.blockIO';
  if (b.leafWeight !== undefined || (b.weightDevice ?? []).some((d) => d.leafWeight !== undefined)) {
    throw new CgroupError(`${F}.leafWeight is not supported on cgroup v2`);
  }
  // With the BFQ scheduler io.bfq.weight takes blkio's own 1-1000 scale; io.weight needs conversion.
  const bfq = fs.exists(`${dir}/io.bfq.weight`);
  const weightFile = bfq ? 'io.bfq.weight' : 'io.weight';
  const conv = (w: number) => (bfq ? w : blkioToIoWeight(w));
  if (b.weight !== undefined && b.weight !== 0) writeField(fs, dir, weightFile, conv(b.weight), `${F}.weight`);
  (b.weightDevice ?? []).forEach((d, i) => {
    if (d.weight !== undefined) writeField(fs, dir, weightFile, `${d.major}:${d.minor} ${conv(d.weight)}`, `${F}.weightDevice[${i}]`);
  });
  const throttles: [keyof LinuxBlockIO, string][] = [
    ['throttleReadBpsDevice', 'rbps'], ['throttleWriteBpsDevice', 'wbps'],
    ['throttleReadIOPSDevice', 'riops'], ['throttleWriteIOPSDevice', 'wiops'],
  ];
  for (const [key, name] of throttles) {
    ((b[key] as ThrottleDevice[] | undefined) ?? []).forEach((d, i) => {
      // A zero rate means "no limit" in the spec; io.max spells that "max".
      writeField(fs, dir, 'io.max', `${d.major}:${d.minor} ${name}=${d.rate === 0 ? 'max' : d.rate}`, `${F}.${key}[${i}]`);
    });
  }
}

/** The unified map is written as given; keys must be plain interface-file names inside this cgroup. */
function setUnified(fs: CgroupFs, dir: string, unified: Record<string, string>): void {
  for (const [key, value] of Object.entries(unified)) {
    const field = `linux.resources.unified[${JSON.stringify(key)}]`;
    if (!/^[a-z0-9_]+\.[a-z0-9_.]+$/i.test(key) || key.includes('..')) {
      throw new CgroupError(`${field}: not a cgroup interface file name (expected e.g. "memory.high")`);
    }
    withField(field, () => {
      try {
        fs.write(`${dir}/${key}`, value);
      } catch (err) {
        if (err instanceof CgroupError && err.code === 'ENOENT') {
          throw new CgroupError(`${err.message}; is the ${key.split('.')[0]} controller enabled for this cgroup?`, err.file, err.code);
        }
        throw err;
      }
    });
  }
}
