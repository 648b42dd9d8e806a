// CgroupStats in the shape runc's `events --stats` prints (types.Stats), which callers like containerd read.
import type { CgroupStats } from '../cgroup/index.js';

export function runcStats(s: CgroupStats): Record<string, unknown> {
  return {
    cpu: {
      usage: { total: s.cpu.usageNanos, kernel: s.cpu.systemNanos, user: s.cpu.userNanos },
      throttling: { periods: 0, throttled_periods: s.cpu.throttledPeriods, throttled_time: s.cpu.throttledNanos },
    },
    memory: {
      cache: s.memory.cache,
      usage: { usage: s.memory.usage, max: s.memory.maxUsage, limit: s.memory.limit },
      swap: { usage: s.memory.swapUsage },
      oom_kill: s.memory.oomKills,
    },
    pids: { current: s.pids.current, limit: s.pids.limit },
    blkio: { ioServiceBytesRecursive: [{ op: 'Read', value: s.blkio.readBytes }, { op: 'Write', value: s.blkio.writeBytes }] },
    hugetlb: Object.fromEntries(Object.entries(s.hugetlb).map(([k, v]) => [k, { usage: v.usage, max: v.limit }])),
  };
}
