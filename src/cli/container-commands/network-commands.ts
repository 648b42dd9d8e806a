// `berth network create|ls|inspect|rm|prune|connect|disconnect` over /networks, with docker's output (NETWORK ID /
// NAME / DRIVER / SCOPE sorted by name, --format json, the id printed on create, names on rm, the prune report,
// nothing on connect and disconnect).
import { bool, list, str, type FlagSpec } from '../../common/args.js';
import { seg } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { errorLine, requireArgs, type CommandContext } from './context.js';
import { keyValues } from './env-options.js';
import { filtersQuery } from './filters.js';
import { checkFormat, goTimeString, renderRows, rfc3339Nanos, shortId, type FormatSpec } from './format.js';
import { inspectObjects } from './object-inspect.js';
import { confirm } from './prompt.js';

interface Network {
  Name: string;
  Id: string;
  Created?: string;
  Driver: string;
  Scope?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
}

function networkFormat(trunc: boolean): FormatSpec<Network> {
  return {
    headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' },
    defaultColumns: ['ID', 'Name', 'Driver', 'Scope'],
    view: (n) => ({
      CreatedAt: n.Created ? goTimeString(new Date(n.Created), rfc3339Nanos(n.Created)) : '',
      Driver: n.Driver,
      ID: trunc ? shortId(n.Id) : n.Id,
      IPv4: String(n.EnableIPv4 ?? false),
      IPv6: String(n.EnableIPv6 ?? false),
      Internal: String(n.Internal ?? false),
      Labels: Object.entries(n.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(','),
      Name: n.Name,
      Scope: n.Scope ?? 'local',
    }),
  };
}

async function create(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'driver', short: 'd', kind: 'string', help: 'driver to manage the network (default "bridge")' },
    { name: 'subnet', kind: 'list', help: 'subnet in CIDR format that represents a network segment' },
    { name: 'gateway', kind: 'list', help: 'IPv4 gateway for the master subnet' },
    { name: 'ip-range', kind: 'list', help: 'allocate container ip from a sub-range' },
    { name: 'internal', kind: 'bool', help: 'restrict external access to the network' },
    { name: 'ipv6', kind: 'bool', help: 'enable IPv6 networking' },
    { name: 'attachable', kind: 'bool', help: 'enable manual container attachment' },
    { name: 'label', kind: 'list', help: 'set metadata on a network' },
    { name: 'opt', short: 'o', kind: 'list', help: 'set driver specific options' },
    HELP_FLAG,
  ];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network create [OPTIONS] NETWORK', 'Create a network', specs));
    return 0;
  }
  requireArgs('network create', 'network create [OPTIONS] NETWORK', positionals, 1, 1);
  const subnets = list(flags, 'subnet');
  const gateways = list(flags, 'gateway');
  const ranges = list(flags, 'ip-range');
  if (gateways.length > subnets.length || ranges.length > subnets.length) {
    ctx.io.stderr.write('Error: every ip-range or gateway must have a corresponding subnet\n');
    return 1;
  }
  const labels = Object.fromEntries(list(flags, 'label').map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])));
  const r = await (await ctx.client()).json<{ Id: string; Warning?: string }>('POST', '/networks/create', {
    json: {
      Name: positionals[0], Driver: str(flags, 'driver') ?? 'bridge', Internal: bool(flags, 'internal'), EnableIPv6: bool(flags, 'ipv6'),
      Attachable: bool(flags, 'attachable'), Options: keyValues(list(flags, 'opt'), '-o, --opt'), Labels: labels,
      IPAM: { Driver: 'default', Options: {}, Config: subnets.map((s, i) => ({ Subnet: s, ...(gateways[i] ? { Gateway: gateways[i] } : {}), ...(ranges[i] ? { IPRange: ranges[i] } : {}) })) },
    },
  });
  if (r.Warning) ctx.io.stderr.write(`WARNING: ${r.Warning}\n`);
  ctx.io.stdout.write(`${r.Id}\n`);
  return 0;
}

async function ls(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'quiet', short: 'q', kind: 'bool', help: 'only display network IDs' },
    { name: 'filter', short: 'f', kind: 'list', help: 'provide filter values (e.g. driver=bridge, name=x, type=custom)' },
    { name: 'format', kind: 'string', help: 'format output: table, json, or a Go template' },
    { name: 'no-trunc', kind: 'bool', help: 'do not truncate the output' },
    HELP_FLAG,
  ];
  const { flags } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network ls [OPTIONS]', 'List networks', specs));
    return 0;
  }
  checkFormat(str(flags, 'format'));
  const nets = (await (await ctx.client()).json<Network[]>('GET', '/networks', { query: { filters: filtersQuery(list(flags, 'filter')) } }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  const trunc = !bool(flags, 'no-trunc');
  if (bool(flags, 'quiet')) ctx.io.stdout.write(nets.map((n) => `${trunc ? shortId(n.Id) : n.Id}\n`).join(''));
  else ctx.io.stdout.write(renderRows(nets, str(flags, 'format'), networkFormat(trunc)));
  return 0;
}

async function rm(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [{ name: 'force', short: 'f', kind: 'bool', help: 'do not error if the network does not exist' }, HELP_FLAG];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network rm NETWORK [NETWORK...]', 'Remove one or more networks', specs));
    return 0;
  }
  requireArgs('network rm', 'network rm NETWORK [NETWORK...]', positionals, 1);
  const client = await ctx.client();
  let failed = false;
  for (const name of positionals) {
    try {
      await client.send('DELETE', `/networks/${seg(name)}`);
      ctx.io.stdout.write(`${name}\n`);
    } catch (e) {
      if (bool(flags, 'force') && (e as { status?: number }).status === 404) continue;
      failed = true;
      ctx.io.stderr.write(`${errorLine(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function prune(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'filter', kind: 'list', help: 'provide filter values (e.g. label=k=v)' },
    { name: 'force', short: 'f', kind: 'bool', help: 'do not prompt for confirmation' },
    HELP_FLAG,
  ];
  const { flags } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network prune [OPTIONS]', 'Remove all unused networks', specs));
    return 0;
  }
  if (!bool(flags, 'force') && !(await confirm(ctx.io, 'WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
  const r = await (await ctx.client()).json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', { query: { filters: filtersQuery(list(flags, 'filter')) } });
  const deleted = r.NetworksDeleted ?? [];
  if (deleted.length) ctx.io.stdout.write(`Deleted Networks:\n${deleted.join('\n')}\n`);
  return 0;
}

async function connect(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'alias', kind: 'list', help: 'add network-scoped alias for the container' },
    { name: 'ip', kind: 'string', help: 'IPv4 address (e.g. 172.30.100.104)' },
    HELP_FLAG,
  ];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network connect [OPTIONS] NETWORK CONTAINER', 'Connect a container to a network', specs));
    return 0;
  }
  requireArgs('network connect', 'network connect [OPTIONS] NETWORK CONTAINER', positionals, 2, 2);
  const aliases = list(flags, 'alias');
  const ip = str(flags, 'ip');
  await (await ctx.client()).send('POST', `/networks/${seg(positionals[0]!)}/connect`, {
    json: { Container: positionals[1], EndpointConfig: { ...(aliases.length ? { Aliases: aliases } : {}), ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}) } },
  });
  return 0;
}

async function disconnect(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [{ name: 'force', short: 'f', kind: 'bool', help: 'force the container to disconnect from a network' }, HELP_FLAG];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('network disconnect [OPTIONS] NETWORK CONTAINER', 'Disconnect a container from a network', specs));
    return 0;
  }
  requireArgs('network disconnect', 'network disconnect [OPTIONS] NETWORK CONTAINER', positionals, 2, 2);
  await (await ctx.client()).send('POST', `/networks/${seg(positionals[0]!)}/disconnect`, { json: { Container: positionals[1], Force: bool(flags, 'force') } });
  return 0;
}

/** `berth network SUBCOMMAND`. */
export async function networkCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest, ctx);
    case 'ls':
    case 'list':
      return ls(rest, ctx);
    case 'inspect':
      return inspectObjects('network', rest, ctx, (n) => `/networks/${seg(n)}`);
    case 'rm':
    case 'remove':
      return rm(rest, ctx);
    case 'prune':
      return prune(rest, ctx);
    case 'connect':
      return connect(rest, ctx);
    case 'disconnect':
      return disconnect(rest, ctx);
    default:
      ctx.io[sub && sub !== '--help' ? 'stderr' : 'stdout'].write(`${sub && sub !== '--help' ? `berth network: unknown command "${sub}"\n\n` : ''}Usage:  berth network COMMAND\n\nManage networks\n\nCommands: connect, create, disconnect, ls, inspect, rm, prune\n`);
      return sub && sub !== '--help' ? 1 : 0;
  }
}
