// `berth inspect`: each name is looked up as docker does — container, image, network, volume, in that order
// (or only --type) — and the raw documents are printed as an indented JSON array, one `-f` template line
// each, or one JSON line each with `--format json`.
import { bool, str, UsageError, type FlagSpec } from '../../common/args.js';
import { ApiError, seg, type EngineClient } from '../../engine/client/index.js';
import { renderTemplate } from '../../image/cli/template.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { requireArgs, type CommandContext } from './context.js';
import { inspectJson } from './format.js';

const FLAGS: FlagSpec[] = [
  { name: 'format', short: 'f', kind: 'string', help: 'format output: json, or a Go template ({{.State.Status}}, {{json .Config}})' },
  { name: 'type', kind: 'string', help: 'only this type: container, image, network or volume' },
  { name: 'size', short: 's', kind: 'bool', help: 'display total file sizes if the type is container' },
  HELP_FLAG,
];

type Kind = 'container' | 'image' | 'network' | 'volume';
const ORDER: Kind[] = ['container', 'image', 'network', 'volume'];

/** GET path for one kind (image names keep their slashes). */
function pathOf(kind: Kind, name: string): string {
  switch (kind) {
    case 'container':
      return `/containers/${seg(name)}/json`;
    case 'image':
      return `/images/${name.split('/').map(seg).join('/')}/json`;
    case 'network':
      return `/networks/${seg(name)}`;
    case 'volume':
      return `/volumes/${seg(name)}`;
  }
}

/** The first document found for `name` among `kinds`; undefined when none has it. */
export async function findObject(client: EngineClient, name: string, kinds: Kind[], size = false): Promise<unknown | undefined> {
  for (const kind of kinds) {
    try {
      return await client.json('GET', pathOf(kind, name), { query: kind === 'container' && size ? { size: true } : {} });
    } catch (e) {
      // 404 → try the next kind; 400 (an invalid image reference for a container name) likewise.
      if (e instanceof ApiError && (e.status === 404 || (e.status === 400 && kind !== 'container'))) continue;
      throw e;
    }
  }
  return undefined;
}

/** Prints documents as -f/--format asks. */
export function printDocs(ctx: CommandContext, docs: unknown[], format: string | undefined): void {
  if (format === undefined || format === '') ctx.io.stdout.write(inspectJson(docs));
  else if (format === 'json') ctx.io.stdout.write(docs.map((d) => JSON.stringify(d) + '\n').join(''));
  else ctx.io.stdout.write(docs.map((d) => renderTemplate(format, d) + '\n').join(''));
}

/** `berth inspect NAME|ID [NAME|ID...]`. */
export async function inspectCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'inspect [OPTIONS] NAME|ID [NAME|ID...]';
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'Return low-level information on Docker objects', FLAGS));
    return 0;
  }
  requireArgs('inspect', synopsis, positionals, 1);
  const type = str(flags, 'type');
  if (type !== undefined && !ORDER.includes(type as Kind)) throw new UsageError(`"${type}" is not a valid value for --type (container, image, network, volume)`);
  const kinds = type ? [type as Kind] : ORDER;
  const client = await ctx.client();
  const docs: unknown[] = [];
  const missing: string[] = [];
  for (const name of positionals) {
    const doc = await findObject(client, name, kinds, bool(flags, 'size'));
    if (doc === undefined) missing.push(name);
    else docs.push(doc);
  }
  const format = str(flags, 'format');
  printDocs(ctx, docs, format);
  for (const name of missing) ctx.io.stderr.write(`Error: No such ${type ?? 'object'}: ${name}\n`);
  return missing.length ? 1 : 0;
}
