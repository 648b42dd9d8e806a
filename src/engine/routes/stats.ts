// GET /containers/{id}/stats: Docker's stats JSON from the container's cgroup, /proc/stat and its network
// namespace's /proc/<pid>/net/dev; streamed once a second, or one sample with precpu filled (stream=0).
import fs from 'node:fs';
import os from 'node:os';
import { containerStats } from '../../runtime/index.js';
import type { Route } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { ContainerManager } from '../containers/manager.js';
import type { ContainerRecord } from '../containers/types.js';

interface Sample { read: string; cpu: Record<string, unknown>; body: Record<string, unknown> }

/** Host CPU time in nanoseconds (the sum of /proc/stat's cpu line, in USER_HZ ticks of 10 ms). */
function systemCpuNanos(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
  return ticks * 10_000_000;
}

/** rx/tx counters per interface of the container's network namespace (lo excluded, as Docker does). */
export function netDev(pid: number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return out;
}

function sample(containers: ContainerManager, rec: ContainerRecord): Sample {
  const read = new Date().toISOString();
  if (!rec.State.Running) {
    return { read, cpu: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: 0, throttling_data: {} }, body: { memory_stats: {}, pids_stats: {}, blkio_stats: {}, networks: {} } };
  }
  const s = containerStats(containers.ctx.runtime, rec.Id);
  const cpu = {
    cpu_usage: { total_usage: s.cpu.usageNanos, usage_in_kernelmode: s.cpu.systemNanos, usage_in_usermode: s.cpu.userNanos },
    system_cpu_usage: systemCpuNanos(),
    online_cpus: os.cpus().length,
    throttling_data: { periods: 0, throttled_periods: s.cpu.throttledPeriods, throttled_time: s.cpu.throttledNanos },
  };
  const limit = s.memory.limit > 0 && s.memory.limit < 2 ** 62 ? s.memory.limit : os.totalmem();
  return {
    read,
    cpu,
    body: {
      pids_stats: { current: s.pids.current, ...(s.pids.limit > 0 ? { limit: s.pids.limit } : {}) },
      blkio_stats: {
        io_service_bytes_recursive: [
          { major: 0, minor: 0, op: 'read', value: s.blkio.readBytes },
          { major: 0, minor: 0, op: 'write', value: s.blkio.writeBytes },
        ],
      },
      memory_stats: { usage: s.memory.usage, max_usage: s.memory.maxUsage, limit, stats: { cache: s.memory.cache, total_inactive_file: 0 }, failcnt: s.memory.oomKills },
      networks: netDev(rec.State.Pid),
    },
  };
}

function render(rec: ContainerRecord, cur: Sample, prev: Sample | undefined): Record<string, unknown> {
  return {
    name: rec.Name, id: rec.Id, read: cur.read, preread: prev?.read ?? '0001-01-01T00:00:00Z',
    cpu_stats: cur.cpu, precpu_stats: prev?.cpu ?? { cpu_usage: { total_usage: 0 }, throttling_data: {} },
    num_procs: 0, storage_stats: {}, ...cur.body,
  };
}

export function statsRoutes(containers: ContainerManager): Route[] {
  return [
    {
      method: 'GET', path: '/containers/:id/stats', handler: async (req, res) => {
        const rec = containers.get(req.params.id!);
        const stream = req.bool('stream', true);
        const oneShot = req.bool('one-shot', false);
        if (!stream) {
          let first: Sample;
          try {
            first = sample(containers, rec);
          } catch (e) {
            throw new EngineError(`stats of container ${rec.Id.slice(0, 12)}: ${(e as Error).message}`, 'Internal');
          }
          if (oneShot) return res.json(200, render(rec, first, undefined));
          await new Promise((r) => setTimeout(r, 1000));
          return res.json(200, render(rec, rec.State.Running ? sample(containers, rec) : first, first));
        }
        const out = res.stream('application/json');
        let prev: Sample | undefined;
        let closed = false;
        out.on('close', () => (closed = true));
        req.raw.socket?.once('close', () => (closed = true));
        while (!closed) {
          let cur: Sample;
          try {
            cur = sample(containers, rec);
          } catch {
            break;
          }
          out.write(JSON.stringify(render(rec, cur, prev)) + '\n');
          prev = cur;
          if (!rec.State.Running) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        out.end();
      },
    },
  ];
}
