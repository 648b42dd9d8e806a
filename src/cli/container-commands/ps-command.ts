// `berth ps` (container ls): GET /containers/json with all/limit/size/filters, printed as docker's table,
// ids (-q), JSON lines or a template.
import { parseCommand, usageText, HELP_FLAG } from './argv.js';
import type { CommandContext } from './context.js';
import { filtersQuery } from './filters.js';
import { checkFormat, renderRows, shortId } from './format.js';
import { psFormat, type ContainerSummary } from './ps-format.js';
import { bool, list, str, UsageError, type FlagSpec } from '../../common/args.js';

const FLAGS: FlagSpec[] = [
  { name: 'all', short: 'a', kind: 'bool', help: 'show all containers (default shows just running)' },
  { name: 'quiet', short: 'q', kind: 'bool', help: 'only display container IDs' },
  { name: 'last', short: 'n', kind: 'string', help: 'show n last created containers (includes all states)' },
  { name: 'latest', short: 'l', kind: 'bool', help: 'show the latest created container (includes all states)' },
  { name: 'filter', short: 'f', kind: 'list', help: 'filter output based on conditions provided (status=exited, name=x, label=k=v, …)' },
  { name: 'format', kind: 'string', help: 'format output: table, json, or a Go template ({{.ID}} {{.Names}})' },
  { name: 'no-trunc', kind: 'bool', help: "don't truncate output" },
  { name: 'size', short: 's', kind: 'bool', help: 'display total file sizes' },
  HELP_FLAG,
];

/** `berth ps`. */
export async function psCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('ps [OPTIONS]', 'List containers', FLAGS));
    return 0;
  }
  if (positionals.length) throw new UsageError(`"berth ps" accepts no arguments (got ${positionals.join(' ')})`);
  const format = str(flags, 'format');
  checkFormat(format);
  let limit = -1;
  if (str(flags, 'last') !== undefined) {
    limit = Number(str(flags, 'last'));
    if (!Number.isInteger(limit)) throw new UsageError(`invalid argument "${str(flags, 'last')}" for "-n, --last" flag: strconv.ParseInt: parsing "${str(flags, 'last')}": invalid syntax`);
  }
  if (bool(flags, 'latest')) limit = 1;
  const client = await ctx.client();
  const list_ = await client.json<ContainerSummary[]>('GET', '/containers/json', {
    query: {
      all: bool(flags, 'all') || limit > 0 ? true : undefined,
      limit: limit > 0 ? limit : undefined,
      size: bool(flags, 'size') ? true : undefined,
      filters: filtersQuery(list(flags, 'filter')),
    },
  });
  const trunc = !bool(flags, 'no-trunc');
  if (bool(flags, 'quiet')) {
    ctx.io.stdout.write(list_.map((c) => `${trunc ? shortId(c.Id) : c.Id}\n`).join(''));
    return 0;
  }
  ctx.io.stdout.write(renderRows(list_, format, psFormat({ trunc, size: bool(flags, 'size') })));
  return 0;
}
