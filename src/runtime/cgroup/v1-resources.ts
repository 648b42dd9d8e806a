// Writes linux.resources into cgroup v1 controller files (one directory per hierarchy).
// Orderings and edge cases follow runc's libcontainer/cgroups/fs, which the kernel's checks shaped.
import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources, ThrottleDevice, DeviceRule } from '../spec/types.js';
import { CgroupError } from './driver.js';
import type { CgroupFs } from './fs.js';
import { parseValue } from './parse.js';
import {
  V1_SECTION_CONTROLLERS, checkPageSize, deviceRuleLine, isAllowAll, isDenyAll, rdmaLines, requestedSections,
  sectionField, writeField, type Section,
} from './resources.js';

/** Maps a v1 controller to this cgroup's directory in its hierarchy (undefined: not mounted). */
export type V1DirOf = (controller: string) => string | undefined;

/** Applies every requested section of r; throws naming the spec field when its controller is not mounted. */
export function applyV1Resources(fs: CgroupFs, dirOf: V1DirOf, r: LinuxResources): void {
  const sections = requestedSections(r);
  // Same order as runc: cpuset before memory (mems), devices early, the rest independent.
  const order: Section[] = ['cpuset', 'devices', 'memory', 'cpu', 'pids', 'blockIO', 'hugepageLimits', 'network', 'rdma', 'unified'];
  for (const s of order.filter((x) => sections.includes(x))) {
    if (s === 'unified') {
      throw new CgroupError('linux.resources.unified needs cgroup v2, but this cgroup is on v1 hierarchies only');
    }
    const ctrl = V1_SECTION_CONTROLLERS[s].find((c) => dirOf(c) !== undefined);
    const dir = ctrl && dirOf(ctrl);
    if (!dir) {
      throw new CgroupError(`${sectionField(s)} is set but the ${V1_SECTION_CONTROLLERS[s].join('/')} controller is not mounted (cgroup v1)`);
    }
    switch (s) {
      case 'cpuset': setCpuset(fs, dir, r.cpu!); break;
      case 'devices': setDevices(fs, dir, r.devices!); break;
      case 'memory': setMemory(fs, dir, r.memory!); break;
      case 'cpu': setCpu(fs, dir, r.cpu!); break;
      case 'pids': writeField(fs, dir, 'pids.max', r.pids!.limit > 0 ? String(r.pids!.limit) : 'max', 'linux.resources.pids.limit'); break;
      case 'blockIO': setBlkio(fs, dir, r.blockIO!); break;
      case 'hugepageLimits':
        for (const h of r.hugepageLimits!) {
          writeField(fs, dir, `hugetlb.${checkPageSize(h.pageSize)}.limit_in_bytes`, h.limit, `linux.resources.hugepageLimits[${h.pageSize}]`);
        }
        break;
      case 'network': setNetwork(fs, dirOf, r.network!); break;
      case 'rdma':
        for (const line of rdmaLines(r.rdma!)) writeField(fs, dir, 'rdma.max', line, 'linux.resources.rdma');
        break;
    }
  }
}

function setCpuset(fs: CgroupFs, dir: string, cpu: LinuxCPU): void {
  if (cpu.cpus !== undefined) writeField(fs, dir, 'cpuset.cpus', cpu.cpus, 'linux.resources.cpu.cpus');
  if (cpu.mems !== undefined) writeField(fs, dir, 'cpuset.mems', cpu.mems, 'linux.resources.cpu.mems');
}

/** Devices rules in spec order; a deny-all rule resets the list with "a" so later allows are exceptions. */
function setDevices(fs: CgroupFs, dir: string, rules: DeviceRule[]): void {
  rules.forEach((rule, i) => {
    const field = `linux.resources.devices[${i}]`;
    if (isDenyAll(rule)) writeField(fs, dir, 'devices.deny', 'a', field);
    else if (isAllowAll(rule)) writeField(fs, dir, 'devices.allow', 'a', field);
    else writeField(fs, dir, rule.allow ? 'devices.allow' : 'devices.deny', deviceRuleLine(rule), field);
  });
}

function setMemory(fs: CgroupFs, dir: string, m: LinuxMemory): void {
  const F = 'linux.resources.memory';
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  if (limit > 0 && swap > 0 && swap < limit) {
    throw new CgroupError(`${F}.swap (${swap}) is memory+swap and must be >= ${F}.limit (${limit})`);
  }
  if (m.checkBeforeUpdate && limit > 0) {
    const usage = parseValue(fs.read(`${dir}/memory.usage_in_bytes`));
    if (usage > limit) throw new CgroupError(`${F}.limit ${limit} is below the current usage ${usage} of ${dir} (checkBeforeUpdate)`);
  }
  const memsw = 'memory.memsw.limit_in_bytes';
  const hasMemsw = fs.exists(`${dir}/${memsw}`);
  // An unlimited memory with no swap given means unlimited swap too, when the kernel accounts swap.
  if (limit === -1 && swap === 0 && hasMemsw) swap = -1;
  if (swap !== 0 && !hasMemsw) {
    throw new CgroupError(
      `${F}.swap is set but ${dir}/${memsw} does not exist: swap accounting is off in this kernel (boot with swapaccount=1) — remove ${F}.swap`,
      `${dir}/${memsw}`, 'ENOENT');
  }
  const writeSwap = () => writeField(fs, dir, memsw, swap, `${F}.swap`);
  if (limit !== 0 && swap !== 0) {
    // The kernel keeps memsw >= limit at every step: when the new memsw exceeds the current limit
    // (growing), memsw goes first; otherwise (shrinking) the limit goes first.
    const cur = parseValue(fs.read(`${dir}/memory.limit_in_bytes`));
    if (swap === -1 || (cur !== -1 && cur < swap)) {
      writeSwap();
      writeLimit(fs, dir, limit);
    } else {
      writeLimit(fs, dir, limit);
      writeSwap();
    }
  } else if (limit !== 0) {
    writeLimit(fs, dir, limit);
  } else if (swap !== 0) {
    writeSwap();
  }
  if (m.reservation !== undefined && m.reservation !== 0) {
    writeField(fs, dir, 'memory.soft_limit_in_bytes', m.reservation, `${F}.reservation`);
  }
  // memory.kernel is deliberately not written: kmem limits are deprecated and kernels >= 5.16 reject them.
  if (m.kernelTCP !== undefined && m.kernelTCP !== 0) {
    writeField(fs, dir, 'memory.kmem.tcp.limit_in_bytes', m.kernelTCP, `${F}.kernelTCP`);
  }
  if (m.swappiness !== undefined) {
    if (!Number.isInteger(m.swappiness) || m.swappiness < 0 || m.swappiness > 100) {
      throw new CgroupError(`${F}.swappiness ${m.swappiness} is out of range 0-100`);
    }
    writeField(fs, dir, 'memory.swappiness', m.swappiness, `${F}.swappiness`);
  }
  if (m.disableOOMKiller !== undefined) {
    writeField(fs, dir, 'memory.oom_control', m.disableOOMKiller ? 1 : 0, `${F}.disableOOMKiller`);
  }
  // memory.use_hierarchy is left as the kernel has it (always 1 on current kernels; writing it fails with children).
}

/** memory.limit_in_bytes, explaining EBUSY (the kernel cannot reclaim below current usage). */
function writeLimit(fs: CgroupFs, dir: string, limit: number): void {
  try {
    writeField(fs, dir, 'memory.limit_in_bytes', limit, 'linux.resources.memory.limit');
  } catch (err) {
    if (err instanceof CgroupError && err.code === 'EBUSY') {
      const usage = fs.read(`${dir}/memory.usage_in_bytes`).trim();
      throw new CgroupError(`${err.message}; current usage is ${usage} bytes, which cannot be reclaimed below the new limit`, err.file, err.code);
    }
    throw err;
  }
}

function setCpu(fs: CgroupFs, dir: string, c: LinuxCPU): void {
  const F = 'linux.resources.cpu';
  if (c.shares !== undefined && c.shares !== 0) {
    writeField(fs, dir, 'cpu.shares', c.shares, `${F}.shares`);
    // The kernel clamps shares to [2, 262144] silently; report it instead of running with another value.
    const got = parseValue(fs.read(`${dir}/cpu.shares`));
    if (got !== c.shares) {
      throw new CgroupError(`${F}.shares ${c.shares} was clamped by the kernel to ${got} (allowed range 2-262144)`, `${dir}/cpu.shares`);
    }
  }
  // Period first, since quota is checked against it; but a smaller period can be refused (EINVAL) until the
  // new quota is in place, so on EINVAL retry the period after the quota, as runc does.
  let periodPending = false;
  if (c.period !== undefined && c.period !== 0) {
    try {
      writeField(fs, dir, 'cpu.cfs_period_us', c.period, `${F}.period`);
    } catch (err) {
      if (!(err instanceof CgroupError && err.code === 'EINVAL') || c.quota === undefined || c.quota === 0) throw err;
      periodPending = true;
    }
  }
  if (c.quota !== undefined && c.quota !== 0) {
    // -1 removes the limit; any other negative value is meaningless.
    const quota = c.quota < 0 ? -1 : c.quota;
    writeField(fs, dir, 'cpu.cfs_quota_us', quota, `${F}.quota`);
    if (periodPending) writeField(fs, dir, 'cpu.cfs_period_us', c.period!, `${F}.period`);
  }
  if (c.burst !== undefined) writeField(fs, dir, 'cpu.cfs_burst_us', c.burst, `${F}.burst`);
  if (c.idle !== undefined) writeField(fs, dir, 'cpu.idle', c.idle, `${F}.idle`);
  // The rt period bounds the runtime, so it goes first.
  if (c.realtimePeriod !== undefined && c.realtimePeriod !== 0) {
    writeField(fs, dir, 'cpu.rt_period_us', c.realtimePeriod, `${F}.realtimePeriod`);
  }
  if (c.realtimeRuntime !== undefined && c.realtimeRuntime !== 0) {
    writeField(fs, dir, 'cpu.rt_runtime_us', c.realtimeRuntime, `${F}.realtimeRuntime`);
  }
}

function setBlkio(fs: CgroupFs, dir: string, b: LinuxBlockIO): void {
  const F = 'linux.resources.blockIO';
  // CFQ exposes blkio.weight; with the BFQ scheduler only blkio.bfq.weight exists (same 10-1000 range).
  const weightFile = !fs.exists(`${dir}/blkio.weight`) && fs.exists(`${dir}/blkio.bfq.weight`) ? 'blkio.bfq.weight' : 'blkio.weight';
  if (b.weight !== undefined && b.weight !== 0) writeField(fs, dir, weightFile, b.weight, `${F}.weight`);
  if (b.leafWeight !== undefined && b.leafWeight !== 0) writeField(fs, dir, 'blkio.leaf_weight', b.leafWeight, `${F}.leafWeight`);
  (b.weightDevice ?? []).forEach((d, i) => {
    if (d.weight !== undefined) writeField(fs, dir, `${weightFile}_device`, `${d.major}:${d.minor} ${d.weight}`, `${F}.weightDevice[${i}]`);
    if (d.leafWeight !== undefined) writeField(fs, dir, 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`, `${F}.weightDevice[${i}]`);
  });
  const throttles: [keyof LinuxBlockIO, string][] = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
    ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
    ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ];
  for (const [key, file] of throttles) {
    ((b[key] as ThrottleDevice[] | undefined) ?? []).forEach((d, i) => {
      writeField(fs, dir, file, `${d.major}:${d.minor} ${d.rate}`, `${F}.${key}[${i}]`);
    });
  }
}

/** net_cls and net_prio are separate controllers that may be mounted apart. */
function setNetwork(fs: CgroupFs, dirOf: V1DirOf, n: NonNullable<LinuxResources['network']>): void {
  const F = 'linux.resources.network';
  if (n.classID !== undefined) {
    const dir = dirOf('net_cls');
    if (!dir) throw new CgroupError(`${F}.classID is set but the net_cls controller is not mounted (cgroup v1)`);
    writeField(fs, dir, 'net_cls.classid', n.classID, `${F}.classID`);
  }
  for (const p of n.priorities ?? []) {
    const dir = dirOf('net_prio');
    if (!dir) throw new CgroupError(`${F}.priorities is set but the net_prio controller is not mounted (cgroup v1)`);
    writeField(fs, dir, 'net_prio.ifpriomap', `${p.name} ${p.priority}`, `${F}.priorities[${p.name}]`);
  }
}
