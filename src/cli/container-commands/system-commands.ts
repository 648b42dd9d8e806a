// `berth info` (GET /info, printed like docker info's Server section), `berth system df` (GET /system/df as
// docker's TYPE/TOTAL/ACTIVE/SIZE/RECLAIMABLE table) and the `system` group (df, info, events).
import { bool, str, type FlagSpec } from '../../common/args.js';
import { VERSION } from '../../runtime/version.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import type { CommandContext } from './context.js';
import { printDocs } from './inspect-command.js';
import { renderRows, type FormatSpec } from './format.js';
import { bytesSize, humanSize } from './units.js';

type Info = Record<string, unknown> & {
  Containers?: number; ContainersRunning?: number; ContainersPaused?: number; ContainersStopped?: number; Images?: number;
  ServerVersion?: string; Driver?: string; LoggingDriver?: string; CgroupDriver?: string; CgroupVersion?: string;
  Plugins?: { Volume?: string[] | null; Network?: string[] | null; Log?: string[] | null };
  Runtimes?: Record<string, unknown>; DefaultRuntime?: string; SecurityOptions?: string[] | null; KernelVersion?: string;
  OperatingSystem?: string; OSType?: string; Architecture?: string; NCPU?: number; MemTotal?: number; Name?: string; ID?: string;
  DockerRootDir?: string; Debug?: boolean; ExperimentalBuild?: boolean; LiveRestoreEnabled?: boolean;
  RegistryConfig?: { InsecureRegistryCIDRs?: string[] | null }; Swarm?: { LocalNodeState?: string }; Warnings?: string[] | null;
};

/** docker info's human-readable Server section. */
export function renderInfo(i: Info, socket: string): string {
  const lines = [
    'Client:', ` Version:    ${VERSION}`, ` Context:    default (${socket})`, ' Debug Mode: false', '', 'Server:',
    ` Containers: ${i.Containers ?? 0}`, `  Running: ${i.ContainersRunning ?? 0}`, `  Paused: ${i.ContainersPaused ?? 0}`, `  Stopped: ${i.ContainersStopped ?? 0}`,
    ` Images: ${i.Images ?? 0}`, ` Server Version: ${i.ServerVersion ?? ''}`, ` Storage Driver: ${i.Driver ?? ''}`, ` Logging Driver: ${i.LoggingDriver ?? ''}`,
    ` Cgroup Driver: ${i.CgroupDriver ?? ''}`, ` Cgroup Version: ${i.CgroupVersion ?? ''}`, ' Plugins:',
    `  Volume: ${(i.Plugins?.Volume ?? []).join(' ')}`, `  Network: ${(i.Plugins?.Network ?? []).join(' ')}`, `  Log: ${(i.Plugins?.Log ?? []).join(' ')}`,
    ` Swarm: ${i.Swarm?.LocalNodeState ?? 'inactive'}`, ` Runtimes: ${Object.keys(i.Runtimes ?? {}).join(' ')}`, ` Default Runtime: ${i.DefaultRuntime ?? ''}`,
  ];
  const sec = i.SecurityOptions ?? [];
  if (sec.length) {
    lines.push(' Security Options:');
    for (const opt of sec) {
      const kv = Object.fromEntries(opt.split(',').map((p) => p.split('=') as [string, string]));
      lines.push(`  ${kv.name ?? opt}`);
      for (const [k, v] of Object.entries(kv)) if (k !== 'name') lines.push(`   ${k[0]!.toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  lines.push(
    ` Kernel Version: ${i.KernelVersion ?? ''}`, ` Operating System: ${i.OperatingSystem ?? ''}`, ` OSType: ${i.OSType ?? ''}`, ` Architecture: ${i.Architecture ?? ''}`,
    ` CPUs: ${i.NCPU ?? 0}`, ` Total Memory: ${bytesSize(i.MemTotal ?? 0)}`, ` Name: ${i.Name ?? ''}`, ` ID: ${i.ID ?? ''}`, ` Docker Root Dir: ${i.DockerRootDir ?? ''}`,
    ` Debug Mode: ${i.Debug === true}`, ` Experimental: ${i.ExperimentalBuild === true}`, ' Insecure Registries:',
    ...(i.RegistryConfig?.InsecureRegistryCIDRs ?? []).map((c) => `  ${c}`), ` Live Restore Enabled: ${i.LiveRestoreEnabled === true}`, '',
  );
  for (const w of i.Warnings ?? []) lines.push(`WARNING: ${w}`);
  return lines.join('\n') + '\n';
}

const INFO_FLAGS: FlagSpec[] = [{ name: 'format', short: 'f', kind: 'string', help: 'format output: json, or a Go template ({{.ServerVersion}})' }, HELP_FLAG];

/** `berth info`. */
export async function infoCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags } = parseCommand(argv, INFO_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('info [OPTIONS]', 'Display system-wide information', INFO_FLAGS));
    return 0;
  }
  const client = await ctx.client();
  const info = await client.json<Info>('GET', '/info');
  const format = str(flags, 'format');
  if (format) printDocs(ctx, [{ ...info, ClientInfo: { Version: VERSION, Context: 'default', Debug: false } }], format);
  else ctx.io.stdout.write(renderInfo(info, client.socketPath));
  return 0;
}

interface DiskUsage {
  LayersSize?: number;
  Images?: { Size?: number; SharedSize?: number; Containers?: number }[] | null;
  Containers?: { SizeRw?: number; State?: string }[] | null;
  Volumes?: { UsageData?: { Size?: number; RefCount?: number } | null }[] | null;
  BuildCache?: { Size?: number; InUse?: boolean; Shared?: boolean }[] | null;
}

interface DfRow {
  Type: string;
  TotalCount: number;
  Active: number;
  Size: number;
  Reclaimable: number;
}

/** docker's disk-usage rows (reclaimable: what no running container or volume user holds). */
export function diskUsageRows(df: DiskUsage): DfRow[] {
  const images = df.Images ?? [];
  const used = images.filter((i) => (i.Containers ?? 0) > 0 && (i.Size ?? -1) !== -1 && (i.SharedSize ?? 0) !== -1).reduce((n, i) => n + (i.Size ?? 0) - Math.max(0, i.SharedSize ?? 0), 0);
  const imageSize = df.LayersSize ?? 0;
  const containers = df.Containers ?? [];
  const active = (s?: string) => s === 'running' || s === 'paused' || s === 'restarting';
  const volumes = df.Volumes ?? [];
  const cache = df.BuildCache ?? [];
  return [
    { Type: 'Images', TotalCount: images.length, Active: images.filter((i) => (i.Containers ?? 0) > 0).length, Size: imageSize, Reclaimable: Math.max(0, imageSize - used) },
    {
      Type: 'Containers', TotalCount: containers.length, Active: containers.filter((c) => active(c.State)).length,
      Size: containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0), Reclaimable: containers.filter((c) => !active(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0),
    },
    {
      Type: 'Local Volumes', TotalCount: volumes.length, Active: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length,
      Size: volumes.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0),
      Reclaimable: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0),
    },
    {
      Type: 'Build Cache', TotalCount: cache.length, Active: cache.filter((c) => c.InUse).length, Size: cache.reduce((n, c) => n + (c.Size ?? 0), 0),
      Reclaimable: cache.filter((c) => !c.InUse && !c.Shared).reduce((n, c) => n + (c.Size ?? 0), 0),
    },
  ];
}

const DF_FORMAT: FormatSpec<DfRow> = {
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
  defaultColumns: ['Type', 'TotalCount', 'Active', 'Size', 'Reclaimable'],
  view: (r) => ({
    Active: String(r.Active),
    Reclaimable: r.Size > 0 && r.Type !== 'Build Cache' ? `${humanSize(r.Reclaimable)} (${Math.trunc((r.Reclaimable * 100) / r.Size)}%)` : humanSize(r.Reclaimable),
    Size: humanSize(r.Size),
    TotalCount: String(r.TotalCount),
    Type: r.Type,
  }),
};

const DF_FLAGS: FlagSpec[] = [
  { name: 'format', kind: 'string', help: 'format output: table, json, or a Go template' },
  { name: 'verbose', short: 'v', kind: 'bool', help: 'show detailed information on space usage' },
  HELP_FLAG,
];

async function df(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags } = parseCommand(argv, DF_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('system df [OPTIONS]', 'Show docker disk usage', DF_FLAGS));
    return 0;
  }
  const usage = await (await ctx.client()).json<DiskUsage>('GET', '/system/df');
  if (bool(flags, 'verbose')) ctx.io.stderr.write('berth system df: --verbose is not supported; showing the summary\n');
  ctx.io.stdout.write(renderRows(diskUsageRows(usage), str(flags, 'format'), DF_FORMAT));
  return 0;
}

/** `berth system df|info|events`. */
export async function systemCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'df':
      return df(rest, ctx);
    case 'info':
      return infoCommand(rest, ctx);
    case 'events':
      return (await import('./events-command.js')).eventsCommand(rest, ctx);
    default:
      ctx.io[sub && sub !== '--help' ? 'stderr' : 'stdout'].write(`${sub && sub !== '--help' ? `berth system: unknown command "${sub}"\n\n` : ''}Usage:  berth system COMMAND\n\nManage Berth\n\nCommands: df, info, events\n`);
      return sub && sub !== '--help' ? 1 : 0;
  }
}
