// `berth stats`: one stats sample per container (GET …/stats?stream=0, precpu filled by the daemon), with
// docker's arithmetic — CPU % from the cpu/system deltas times online CPUs, memory without inactive file
// cache — and its columns. Without --no-stream the table is redrawn until interrupted.
import { bool, str, type FlagSpec } from '../../common/args.js';
import { seg, type EngineClient } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import type { CommandContext } from './context.js';
import { checkFormat, renderRows, shortId, type FormatSpec } from './format.js';
import { bytesSize, humanSize } from './units.js';

/** The fields of a stats document that `docker stats` reads. */
export interface StatsDoc {
  id?: string;
  name?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

export interface StatsRow {
  container: string;
  id: string;
  name: string;
  cpu: number;
  mem: number;
  memLimit: number;
  memPerc: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

/** docker's computation of one stats row. */
export function statsRow(container: string, s: StatsDoc): StatsRow {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const online = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const m = s.memory_stats ?? {};
  const usage = m.usage ?? 0;
  const v1 = m.stats?.total_inactive_file;
  const v2 = m.stats?.inactive_file ?? 0;
  const mem = v1 !== undefined && v1 < usage ? usage - v1 : v2 < usage ? usage - v2 : usage;
  const limit = m.limit ?? 0;
  let blkRead = 0;
  let blkWrite = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(e.op)) blkRead += e.value;
    else if (/^write$/i.test(e.op)) blkWrite += e.value;
  }
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  return {
    container, id: s.id ?? '', name: (s.name ?? '').replace(/^\//, ''), cpu, mem, memLimit: limit, memPerc: limit ? (mem / limit) * 100 : 0,
    netRx, netTx, blkRead, blkWrite, pids: s.pids_stats?.current ?? 0,
  };
}

function statsFormat(trunc: boolean): FormatSpec<StatsRow> {
  return {
    headers: { Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS' },
    defaultColumns: ['ID', 'Name', 'CPUPerc', 'MemUsage', 'MemPerc', 'NetIO', 'BlockIO', 'PIDs'],
    view: (r) => ({
      BlockIO: `${humanSize(r.blkRead, 3)} / ${humanSize(r.blkWrite, 3)}`,
      CPUPerc: `${r.cpu.toFixed(2)}%`,
      Container: r.container,
      ID: trunc ? shortId(r.id) : r.id,
      MemPerc: `${r.memPerc.toFixed(2)}%`,
      MemUsage: `${bytesSize(r.mem)} / ${bytesSize(r.memLimit)}`,
      Name: r.name,
      NetIO: `${humanSize(r.netRx, 3)} / ${humanSize(r.netTx, 3)}`,
      PIDs: String(r.pids),
    }),
  };
}

const FLAGS: FlagSpec[] = [
  { name: 'all', short: 'a', kind: 'bool', help: 'show all containers (default shows just running)' },
  { name: 'no-stream', kind: 'bool', help: 'disable streaming stats and only pull the first result' },
  { name: 'no-trunc', kind: 'bool', help: "do not truncate output" },
  { name: 'format', kind: 'string', help: 'format output: table, json, or a Go template' },
  { name: 'filter', kind: 'list' },
  HELP_FLAG,
];

async function sampleAll(client: EngineClient, names: string[] | undefined, all: boolean): Promise<StatsRow[]> {
  const targets = names ?? (await client.json<{ Id: string }[]>('GET', '/containers/json', { query: { all: all || undefined } })).map((c) => c.Id.slice(0, 12));
  return Promise.all(targets.map(async (t) => statsRow(t, await client.json<StatsDoc>('GET', `/containers/${seg(t)}/stats`, { query: { stream: false } }))));
}

/** `berth stats [CONTAINER...]`. */
export async function statsCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('stats [OPTIONS] [CONTAINER...]', 'Display a live stream of container(s) resource usage statistics', FLAGS));
    return 0;
  }
  const format = str(flags, 'format');
  checkFormat(format);
  const client = await ctx.client();
  const spec = statsFormat(!bool(flags, 'no-trunc'));
  const names = positionals.length ? positionals : undefined;
  if (bool(flags, 'no-stream')) {
    ctx.io.stdout.write(renderRows(await sampleAll(client, names, bool(flags, 'all')), format, spec));
    return 0;
  }
  let stop = false;
  const onInt = () => (stop = true);
  process.once('SIGINT', onInt);
  try {
    while (!stop) {
      const rows = await sampleAll(client, names, bool(flags, 'all'));
      if (stop) break;
      // Redraw in place on a terminal, as docker does.
      if (ctx.io.stdout.isTTY) ctx.io.stdout.write('\x1b[2J\x1b[H');
      ctx.io.stdout.write(renderRows(rows, format, spec));
    }
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  return 0;
}
