// `berth volume create|ls|inspect|rm|prune` over /volumes, with docker's output (DRIVER / VOLUME NAME table,
// --format json, names printed on create and rm, the prune report).
import { bool, list, str, type FlagSpec } from '../../common/args.js';
import { seg } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { errorLine, requireArgs, type CommandContext } from './context.js';
import { keyValues } from './env-options.js';
import { filtersQuery } from './filters.js';
import { checkFormat, renderRows, type FormatSpec } from './format.js';
import { inspectObjects } from './object-inspect.js';
import { confirm } from './prompt.js';
import { humanSize } from './units.js';

interface Volume {
  Name: string;
  Driver: string;
  Mountpoint?: string;
  Labels?: Record<string, string> | null;
  Scope?: string;
  UsageData?: { Size: number; RefCount: number } | null;
}

const labelText = (l: Record<string, string> | null | undefined) => Object.entries(l ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');

const VOLUME_FORMAT: FormatSpec<Volume> = {
  headers: { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE' },
  defaultColumns: ['Driver', 'Name'],
  view: (v) => ({
    Availability: 'N/A', Driver: v.Driver, Group: 'N/A', Labels: labelText(v.Labels), Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Mountpoint: v.Mountpoint ?? '', Name: v.Name, Scope: v.Scope ?? 'local', Size: v.UsageData ? humanSize(v.UsageData.Size) : 'N/A', Status: 'N/A',
  }),
};

const SUBCOMMANDS = 'create, ls, inspect, rm, prune';

async function create(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'name', kind: 'string', help: 'specify volume name' },
    { name: 'driver', short: 'd', kind: 'string', help: 'specify volume driver name (default "local")' },
    { name: 'opt', short: 'o', kind: 'list', help: 'set driver specific options' },
    { name: 'label', kind: 'list', help: 'set metadata for a volume' },
    HELP_FLAG,
  ];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('volume create [OPTIONS] [VOLUME]', 'Create a volume', specs));
    return 0;
  }
  requireArgs('volume create', 'volume create [OPTIONS] [VOLUME]', positionals, 0, 1);
  const name = positionals[0] ?? str(flags, 'name');
  if (positionals[0] && str(flags, 'name') && positionals[0] !== str(flags, 'name')) {
    ctx.io.stderr.write(`conflicting options: cannot specify a volume-name through both --name and as a positional arg\n`);
    return 1;
  }
  const labels = Object.fromEntries(list(flags, 'label').map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])));
  const v = await (await ctx.client()).json<Volume>('POST', '/volumes/create', {
    json: { Name: name ?? '', Driver: str(flags, 'driver') ?? 'local', DriverOpts: keyValues(list(flags, 'opt'), '-o, --opt'), Labels: labels },
  });
  ctx.io.stdout.write(`${v.Name}\n`);
  return 0;
}

async function ls(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'quiet', short: 'q', kind: 'bool', help: 'only display volume names' },
    { name: 'filter', short: 'f', kind: 'list', help: 'provide filter values (e.g. dangling=true, name=x, label=k=v)' },
    { name: 'format', kind: 'string', help: 'format output: table, json, or a Go template' },
    HELP_FLAG,
  ];
  const { flags } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('volume ls [OPTIONS]', 'List volumes', specs));
    return 0;
  }
  checkFormat(str(flags, 'format'));
  const r = await (await ctx.client()).json<{ Volumes: Volume[] | null; Warnings?: string[] | null }>('GET', '/volumes', { query: { filters: filtersQuery(list(flags, 'filter')) } });
  const vols = [...(r.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  for (const w of r.Warnings ?? []) ctx.io.stderr.write(`${w}\n`);
  if (bool(flags, 'quiet')) ctx.io.stdout.write(vols.map((v) => `${v.Name}\n`).join(''));
  else ctx.io.stdout.write(renderRows(vols, str(flags, 'format'), VOLUME_FORMAT));
  return 0;
}

async function rm(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [{ name: 'force', short: 'f', kind: 'bool', help: 'force the removal of one or more volumes' }, HELP_FLAG];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('volume rm [OPTIONS] VOLUME [VOLUME...]', 'Remove one or more volumes', specs));
    return 0;
  }
  requireArgs('volume rm', 'volume rm [OPTIONS] VOLUME [VOLUME...]', positionals, 1);
  const client = await ctx.client();
  let failed = false;
  for (const name of positionals) {
    try {
      await client.send('DELETE', `/volumes/${seg(name)}`, { query: { force: bool(flags, 'force') || undefined } });
      ctx.io.stdout.write(`${name}\n`);
    } catch (e) {
      failed = true;
      ctx.io.stderr.write(`${errorLine(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function prune(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'all', short: 'a', kind: 'bool', help: 'remove all unused volumes, not just anonymous ones' },
    { name: 'filter', kind: 'list', help: 'provide filter values (e.g. label=k=v)' },
    { name: 'force', short: 'f', kind: 'bool', help: 'do not prompt for confirmation' },
    HELP_FLAG,
  ];
  const { flags } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('volume prune [OPTIONS]', 'Remove unused local volumes', specs));
    return 0;
  }
  const all = bool(flags, 'all');
  const warning = `WARNING! This will remove ${all ? 'all local volumes' : 'anonymous local volumes'} not used by at least one container.`;
  if (!bool(flags, 'force') && !(await confirm(ctx.io, warning))) return 0;
  const filters = [...list(flags, 'filter'), ...(all ? ['all=true'] : [])];
  const r = await (await ctx.client()).json<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/volumes/prune', { query: { filters: filtersQuery(filters) } });
  const deleted = r.VolumesDeleted ?? [];
  if (deleted.length) ctx.io.stdout.write(`Deleted Volumes:\n${deleted.join('\n')}\n\n`);
  ctx.io.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}

/** `berth volume SUBCOMMAND`. */
export async function volumeCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest, ctx);
    case 'ls':
    case 'list':
      return ls(rest, ctx);
    case 'inspect':
      return inspectObjects('volume', rest, ctx, (n) => `/volumes/${seg(n)}`);
    case 'rm':
    case 'remove':
      return rm(rest, ctx);
    case 'prune':
      return prune(rest, ctx);
    default:
      ctx.io[sub && sub !== '--help' ? 'stderr' : 'stdout'].write(`${sub && sub !== '--help' ? `berth volume: unknown command "${sub}"\n\n` : ''}Usage:  berth volume COMMAND\n\nManage volumes\n\nCommands: ${SUBCOMMANDS}\n`);
      return sub && sub !== '--help' ? 1 : 0;
  }
}
