// Container verbs that act on a list of containers and print each name as given (stop, restart, kill, rm,
// pause, unpause), plus rename, wait and container prune. A failure on one container is reported and the
// others still run; the exit code is then 1, as docker's.
import { bool, list, UsageError, type FlagSpec } from '../../common/args.js';
import { readAll, seg, type EngineClient, type QueryValue } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { errorLine, requireArgs, type CommandContext } from './context.js';
import { filtersQuery } from './filters.js';
import { confirm } from './prompt.js';
import { humanSize } from './units.js';

interface EachSpec {
  cmd: string;
  synopsis: string;
  description: string;
  flags: FlagSpec[];
  /** The request for one container. */
  request(client: EngineClient, name: string, flags: Record<string, unknown>): Promise<unknown>;
}

function timeoutQuery(flags: Record<string, unknown>): Record<string, QueryValue> {
  const t = (flags.time ?? flags.timeout) as string | undefined;
  if (t !== undefined && !/^-?\d+$/.test(t)) throw new UsageError(`invalid argument "${t}" for "-t, --timeout" flag: strconv.ParseInt: parsing "${t}": invalid syntax`);
  return { t, signal: flags.signal as string | undefined };
}

/** Runs `spec.request` for every named container, printing the name on success and the error otherwise. */
async function forEach(spec: EachSpec, argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, [...spec.flags, HELP_FLAG]);
  if (flags.help) {
    ctx.io.stdout.write(usageText(spec.synopsis, spec.description, spec.flags));
    return 0;
  }
  requireArgs(spec.cmd, spec.synopsis, positionals, 1);
  const client = await ctx.client();
  let failed = false;
  for (const name of positionals) {
    try {
      await spec.request(client, name, flags);
      ctx.io.stdout.write(`${name}\n`);
    } catch (e) {
      failed = true;
      ctx.io.stderr.write(`${errorLine(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

const TIMEOUT_FLAGS: FlagSpec[] = [
  { name: 'timeout', short: 't', kind: 'string', help: 'seconds to wait before killing the container' },
  { name: 'time', kind: 'string' },
  { name: 'signal', short: 's', kind: 'string', help: 'signal to send to the container' },
];

const path = (name: string) => `/containers/${seg(name)}`;

export const stopCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'stop', synopsis: 'stop [OPTIONS] CONTAINER [CONTAINER...]', description: 'Stop one or more running containers', flags: TIMEOUT_FLAGS,
  request: (c, n, f) => c.send('POST', `${path(n)}/stop`, { query: timeoutQuery(f) }),
}, argv, ctx);

export const restartCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'restart', synopsis: 'restart [OPTIONS] CONTAINER [CONTAINER...]', description: 'Restart one or more containers', flags: TIMEOUT_FLAGS,
  request: (c, n, f) => c.send('POST', `${path(n)}/restart`, { query: timeoutQuery(f) }),
}, argv, ctx);

export const killCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'kill', synopsis: 'kill [OPTIONS] CONTAINER [CONTAINER...]', description: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', kind: 'string', help: 'signal to send to the container (default KILL)' }],
  request: (c, n, f) => c.send('POST', `${path(n)}/kill`, { query: { signal: f.signal as string | undefined } }),
}, argv, ctx);

export const rmCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'rm', synopsis: 'rm [OPTIONS] CONTAINER [CONTAINER...]', description: 'Remove one or more containers',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', help: 'force the removal of a running container (uses SIGKILL)' },
    { name: 'volumes', short: 'v', kind: 'bool', help: 'remove anonymous volumes associated with the container' },
    { name: 'link', short: 'l', kind: 'bool', help: 'remove the specified link' },
  ],
  request: (c, n, f) => c.send('DELETE', path(n), { query: { force: f.force === true ? true : undefined, v: f.volumes === true ? true : undefined, link: f.link === true ? true : undefined } }),
}, argv, ctx);

export const pauseCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'pause', synopsis: 'pause CONTAINER [CONTAINER...]', description: 'Pause all processes within one or more containers', flags: [],
  request: (c, n) => c.send('POST', `${path(n)}/pause`),
}, argv, ctx);

export const unpauseCommand = (argv: string[], ctx: CommandContext) => forEach({
  cmd: 'unpause', synopsis: 'unpause CONTAINER [CONTAINER...]', description: 'Unpause all processes within one or more containers', flags: [],
  request: (c, n) => c.send('POST', `${path(n)}/unpause`),
}, argv, ctx);

/** `berth rename OLD NEW`. */
export async function renameCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, [HELP_FLAG]);
  if (flags.help) {
    ctx.io.stdout.write(usageText('rename CONTAINER NEW_NAME', 'Rename a container', []));
    return 0;
  }
  requireArgs('rename', 'rename CONTAINER NEW_NAME', positionals, 2, 2);
  const [from, to] = positionals as [string, string];
  if (!to.trim()) throw new UsageError('Error: neither old nor new names may be empty');
  await (await ctx.client()).send('POST', `${path(from)}/rename`, { query: { name: to } });
  return 0;
}

/** `berth wait`: blocks until each container stops and prints its exit code. */
export async function waitCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, [HELP_FLAG]);
  if (flags.help) {
    ctx.io.stdout.write(usageText('wait CONTAINER [CONTAINER...]', 'Block until one or more containers stop, then print their exit codes', []));
    return 0;
  }
  requireArgs('wait', 'wait CONTAINER [CONTAINER...]', positionals, 1);
  const client = await ctx.client();
  let failed = false;
  for (const name of positionals) {
    try {
      const res = await client.request('POST', `${path(name)}/wait`);
      const body = JSON.parse((await readAll(res)).toString('utf8')) as { StatusCode: number; Error?: { Message?: string } | null };
      if (body.Error?.Message) throw new Error(body.Error.Message);
      ctx.io.stdout.write(`${body.StatusCode}\n`);
    } catch (e) {
      failed = true;
      ctx.io.stderr.write(`${errorLine(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

const PRUNE_FLAGS: FlagSpec[] = [
  { name: 'force', short: 'f', kind: 'bool', help: 'do not prompt for confirmation' },
  { name: 'filter', kind: 'list', help: 'provide filter values (e.g. label=k=v)' },
  HELP_FLAG,
];

/** `berth container prune`: removes every stopped container. */
export async function pruneCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags } = parseCommand(argv, PRUNE_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('container prune [OPTIONS]', 'Remove all stopped containers', PRUNE_FLAGS));
    return 0;
  }
  if (!bool(flags, 'force') && !(await confirm(ctx.io, 'WARNING! This will remove all stopped containers.'))) return 0;
  const r = await (await ctx.client()).json<{ ContainersDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/containers/prune', { query: { filters: filtersQuery(list(flags, 'filter')) } });
  const deleted = r.ContainersDeleted ?? [];
  if (deleted.length) ctx.io.stdout.write(`Deleted Containers:\n${deleted.join('\n')}\n\n`);
  ctx.io.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}
