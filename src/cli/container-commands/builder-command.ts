// `berth builder prune [-a] [-f] [--filter until=24h]` over POST /build/prune, with docker's prompt and
// output ("Deleted build cache objects:" and the ids, then "Total reclaimed space: …").
import { bool, list, type FlagSpec } from '../../common/args.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import type { CommandContext } from './context.js';
import { filtersQuery } from './filters.js';
import { confirm } from './prompt.js';
import { humanSize } from './units.js';

async function prune(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'all', short: 'a', kind: 'bool', help: 'remove all unused build cache, not just dangling ones' },
    { name: 'filter', kind: 'list', help: 'provide filter values (e.g. until=24h)' },
    { name: 'force', short: 'f', kind: 'bool', help: 'do not prompt for confirmation' },
    HELP_FLAG,
  ];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('builder prune [OPTIONS]', 'Remove build cache', specs));
    return 0;
  }
  if (positionals.length) {
    ctx.io.stderr.write(`"berth builder prune" accepts no arguments.\nSee 'berth builder prune --help'.\n`);
    return 1;
  }
  const all = bool(flags, 'all');
  const warning = all
    ? 'WARNING! This will remove all build cache.'
    : 'WARNING! This will remove all dangling build cache.';
  if (!bool(flags, 'force') && !(await confirm(ctx.io, warning))) return 0;
  const r = await (await ctx.client()).json<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/build/prune', {
    query: { all: all || undefined, filters: filtersQuery(list(flags, 'filter')) },
  });
  const deleted = r.CachesDeleted ?? [];
  if (deleted.length) ctx.io.stdout.write(`Deleted build cache objects:\n${deleted.join('\n')}\n\n`);
  ctx.io.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}

/** `berth builder SUBCOMMAND`. */
export async function builderCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'prune') return prune(rest, ctx);
  const unknown = sub !== undefined && sub !== '--help';
  ctx.io[unknown ? 'stderr' : 'stdout'].write(`${unknown ? `berth builder: unknown command "${sub}"\n\n` : ''}Usage:  berth builder COMMAND\n\nManage builds\n\nCommands:\n  prune       Remove build cache\n`);
  return unknown ? 1 : 0;
}

/**
 * After a standalone image command (`berth rmi`, `berth image rm|prune`, which work on the local store without
 * the daemon) removed images: drops the build cache entries that pointed at them.
 */
export async function sweepAfterImageCommand(cmd: string, argv: string[]): Promise<void> {
  const removes = cmd === 'rmi' || (cmd === 'image' && ['rm', 'remove', 'prune'].includes(argv[0] ?? ''));
  if (!removes || argv.includes('--help') || argv.includes('-h')) return;
  const [{ openImageContext }, { sweepBuildCache }] = await Promise.all([import('../../image/index.js'), import('../../build/index.js')]);
  try {
    await sweepBuildCache(await openImageContext());
  } catch (e) {
    // The images are gone either way; the daemon's next start or image removal sweeps again.
    process.stderr.write(`berth: warning: sweeping the build cache: ${(e as Error).message}\n`);
  }
}
