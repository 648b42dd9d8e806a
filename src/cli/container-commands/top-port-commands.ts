// `berth top` (GET …/top: ps's table for the container's processes) and `berth port` (the published
// ports from inspect: "80/tcp -> 0.0.0.0:8080").
import { UsageError, type FlagSpec } from '../../common/args.js';
import { seg } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { CommandError, requireArgs, type CommandContext } from './context.js';
import { formatTable } from './format.js';

/** `berth top CONTAINER [ps OPTIONS]`. */
export async function topCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'top CONTAINER [ps OPTIONS]';
  const { flags, rest } = parseCommand(argv, [HELP_FLAG], true);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'Display the running processes of a container', []));
    return 0;
  }
  requireArgs('top', synopsis, rest, 1);
  const [name, ...psArgs] = rest as [string, ...string[]];
  const client = await ctx.client();
  const r = await client.json<{ Titles: string[]; Processes: string[][] | null }>('GET', `/containers/${seg(name)}/top`, { query: { ps_args: psArgs.length ? psArgs.join(' ') : undefined } });
  // docker's top table: tabwriter with a minimum cell width of 20.
  ctx.io.stdout.write(formatTable(r.Titles, r.Processes ?? [], 20, 3));
  return 0;
}

interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

/** Port keys sorted as docker prints them: by number, then protocol. */
function byPort(a: string, b: string): number {
  const [pa, ta = ''] = a.split('/');
  const [pb, tb = ''] = b.split('/');
  return Number(pa) - Number(pb) || (ta < tb ? -1 : ta > tb ? 1 : 0);
}

function hostAddr(b: PortBinding): string {
  const ip = b.HostIp || '0.0.0.0';
  return ip.includes(':') ? `[${ip}]:${b.HostPort}` : `${ip}:${b.HostPort}`;
}

const PORT_FLAGS: FlagSpec[] = [HELP_FLAG];

/** `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`. */
export async function portCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'port CONTAINER [PRIVATE_PORT[/PROTO]]';
  const { flags, positionals } = parseCommand(argv, PORT_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'List port mappings or a specific mapping for the container', []));
    return 0;
  }
  requireArgs('port', synopsis, positionals, 1, 2);
  const client = await ctx.client();
  const c = await client.json<{ NetworkSettings?: { Ports?: Record<string, PortBinding[] | null> | null } }>('GET', `/containers/${seg(positionals[0]!)}/json`);
  const ports = c.NetworkSettings?.Ports ?? {};
  if (positionals[1] !== undefined) {
    const want = positionals[1].includes('/') ? positionals[1] : `${positionals[1]}/tcp`;
    if (!/^\d+\/[a-z]+$/.test(want)) throw new UsageError(`invalid port: ${positionals[1]}`);
    const bindings = ports[want];
    if (!bindings?.length) throw new CommandError(`Error: No public port '${want}' published for ${positionals[0]}`, 1);
    ctx.io.stdout.write(bindings.map((b) => `${hostAddr(b)}\n`).join(''));
    return 0;
  }
  const lines: string[] = [];
  for (const key of Object.keys(ports).sort(byPort)) for (const b of ports[key] ?? []) lines.push(`${key} -> ${hostAddr(b)}\n`);
  ctx.io.stdout.write(lines.join(''));
  return 0;
}
