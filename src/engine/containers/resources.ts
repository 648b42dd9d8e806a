// Docker's resource flags (HostConfig) → OCI linux.resources and process.rlimits, with Docker's rules
// (--memory-swap defaults to twice --memory, --cpus is a quota over a 100 ms period, 0 means unset).
import type { LinuxResources, Spec } from '../../runtime/index.js';
import { EngineError } from '../errors.js';
import type { HostConfig, Ulimit } from './types.js';

const CPU_PERIOD = 100_000;
const MIN_MEMORY = 6 * 1024 * 1024;

/** The container's cgroup limits from its HostConfig (device rules are added by security.ts). */
export function resourcesFromHostConfig(h: HostConfig, swapAccounting: boolean): LinuxResources {
  const r: LinuxResources = {};
  const memory = h.Memory ?? 0;
  if (memory < 0) throw new EngineError(`invalid memory limit ${memory}: must be a positive number of bytes`, 'InvalidArgument');
  if (memory > 0 && memory < MIN_MEMORY) throw new EngineError('Minimum memory limit allowed is 6MB', 'InvalidArgument');
  const swap = h.MemorySwap ?? 0;
  if (swap > 0 && memory > 0 && swap < memory) {
    throw new EngineError('Minimum memoryswap limit should be larger than memory limit, see usage', 'InvalidArgument');
  }
  if (swap > 0 && memory === 0) throw new EngineError('You should always set the Memory limit when using Memoryswap limit, see usage', 'InvalidArgument');
  if (memory > 0 || h.MemoryReservation || h.OomKillDisable || (h.MemorySwappiness ?? -1) >= 0) {
    r.memory = {};
    if (memory > 0) {
      r.memory.limit = memory;
      // Docker: no --memory-swap means as much swap as memory (total 2×); -1 is unlimited. Only where the
      // kernel accounts swap (memory.memsw.* on v1), as Docker warns and skips otherwise.
      if (swapAccounting) r.memory.swap = swap === 0 ? memory * 2 : swap;
    }
    if (h.MemoryReservation) r.memory.reservation = h.MemoryReservation;
    if (h.OomKillDisable) r.memory.disableOOMKiller = true;
    const swappiness = h.MemorySwappiness ?? -1;
    if (swappiness > 100) throw new EngineError(`invalid --memory-swappiness ${swappiness}: must be between 0 and 100`, 'InvalidArgument');
    if (swappiness >= 0) r.memory.swappiness = swappiness;
  }
  const nano = h.NanoCpus ?? 0;
  if (nano && (h.CpuQuota || h.CpuPeriod)) {
    throw new EngineError('Conflicting options: Nano CPUs and CPU Period cannot both be set', 'InvalidArgument');
  }
  if (nano < 0) throw new EngineError(`invalid --cpus: must be positive`, 'InvalidArgument');
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (nano > 0) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((nano * CPU_PERIOD) / 1e9);
  }
  if (h.CpuPeriod) cpu.period = h.CpuPeriod;
  if (h.CpuQuota) cpu.quota = h.CpuQuota;
  if (h.CpuShares) cpu.shares = h.CpuShares;
  if (h.CpusetCpus) cpu.cpus = h.CpusetCpus;
  if (h.CpusetMems) cpu.mems = h.CpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (h.PidsLimit && h.PidsLimit > 0) r.pids = { limit: h.PidsLimit };
  if (h.BlkioWeight) {
    if (h.BlkioWeight < 10 || h.BlkioWeight > 1000) throw new EngineError(`invalid --blkio-weight ${h.BlkioWeight}: must be between 10 and 1000`, 'InvalidArgument');
    r.blockIO = { weight: h.BlkioWeight };
  }
  return r;
}

/** --ulimit nofile=1024:2048 → RLIMIT_NOFILE. */
export function rlimitsFromUlimits(ulimits: Ulimit[]): NonNullable<NonNullable<Spec['process']>['rlimits']> {
  return ulimits.map((u) => {
    if (!/^[a-z]+$/.test(u.Name)) throw new EngineError(`invalid --ulimit name "${u.Name}" (e.g. nofile, nproc, core)`, 'InvalidArgument');
    if (u.Soft > u.Hard) throw new EngineError(`invalid --ulimit ${u.Name}: soft limit ${u.Soft} is above hard limit ${u.Hard}`, 'InvalidArgument');
    return { type: `RLIMIT_${u.Name.toUpperCase()}`, soft: u.Soft, hard: u.Hard };
  });
}
