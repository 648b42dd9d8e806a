// `berth logs`: inspect (a TTY container's log is raw, others are multiplexed), then GET …/logs with
// follow/tail/since/until/timestamps; with -f it returns when the container stops.
import { bool, str, type FlagSpec } from '../../common/args.js';
import { copyOutput, seg } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { requireArgs, type CommandContext } from './context.js';
import { apiTimestamp } from './timestamps.js';

const FLAGS: FlagSpec[] = [
  { name: 'follow', short: 'f', kind: 'bool', help: 'follow log output' },
  { name: 'tail', short: 'n', kind: 'string', help: 'number of lines to show from the end of the logs (default "all")' },
  { name: 'since', kind: 'string', help: 'show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)' },
  { name: 'until', kind: 'string', help: 'show logs before a timestamp or relative (e.g. 42m)' },
  { name: 'timestamps', short: 't', kind: 'bool', help: 'show timestamps' },
  { name: 'details', kind: 'bool', help: 'show extra details provided to logs' },
  HELP_FLAG,
];

/** `berth logs CONTAINER`. */
export async function logsCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'logs [OPTIONS] CONTAINER';
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'Fetch the logs of a container', FLAGS));
    return 0;
  }
  requireArgs('logs', synopsis, positionals, 1, 1);
  const since = str(flags, 'since') !== undefined ? apiTimestamp(str(flags, 'since')!) : undefined;
  const until = str(flags, 'until') !== undefined ? apiTimestamp(str(flags, 'until')!) : undefined;
  const client = await ctx.client();
  const c = await client.json<{ Id: string; Config?: { Tty?: boolean } | null }>('GET', `/containers/${seg(positionals[0]!)}/json`);
  const res = await client.request('GET', `/containers/${seg(c.Id)}/logs`, {
    query: {
      stdout: true, stderr: true, follow: bool(flags, 'follow') || undefined, tail: str(flags, 'tail') ?? 'all',
      since, until, timestamps: bool(flags, 'timestamps') || undefined, details: bool(flags, 'details') || undefined,
    },
  });
  await copyOutput(res, { stdout: ctx.io.stdout, stderr: ctx.io.stderr }, c.Config?.Tty === true);
  return 0;
}
