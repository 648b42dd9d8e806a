// `volume inspect` / `network inspect`: each name fetched from one endpoint, printed as docker does (an
// indented JSON array, or -f per object); a missing one is reported and makes the exit code 1.
import { str, type FlagSpec } from '../../common/args.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { errorLine, requireArgs, type CommandContext } from './context.js';
import { printDocs } from './inspect-command.js';

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', kind: 'string', help: 'format output: json, or a Go template' },
  { name: 'verbose', short: 'v', kind: 'bool' },
  HELP_FLAG,
];

/** Runs `<group> inspect NAME...` against `pathOf(name)`. */
export async function inspectObjects(group: string, argv: string[], ctx: CommandContext, pathOf: (name: string) => string): Promise<number> {
  const synopsis = `${group} inspect [OPTIONS] ${group.toUpperCase()} [${group.toUpperCase()}...]`;
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, `Display detailed information on one or more ${group}s`, FLAGS));
    return 0;
  }
  requireArgs(`${group} inspect`, synopsis, positionals, 1);
  const client = await ctx.client();
  const docs: unknown[] = [];
  const errors: string[] = [];
  for (const name of positionals) {
    try {
      docs.push(await client.json('GET', pathOf(name)));
    } catch (e) {
      errors.push(errorLine(e));
    }
  }
  printDocs(ctx, docs, str(flags, 'format'));
  for (const e of errors) ctx.io.stderr.write(`${e}\n`);
  return errors.length ? 1 : 0;
}
