// docker's flag forms on top of the project's parser (src/common/args.ts): combined short booleans
// ("-it", "-dit"), a short flag glued to its value ("-p8080:80", "-eA=1"), and usage texts per command.
import { flagHelp, parseArgs, type FlagSpec, type Parsed } from '../../common/args.js';

/** Rewrites "-it" → "-i" "-t" and "-p80:80" → "-p" "80:80" (only up to the first positional when `stopAtPositional`). */
export function expandShortFlags(argv: string[], specs: FlagSpec[], stopAtPositional: boolean): string[] {
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) return [...out, ...argv.slice(i)];
      out.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      out.push(arg);
      const spec = byName.get(arg.slice(2));
      if (spec && spec.kind !== 'bool' && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    const body = arg.slice(1);
    const single = byShort.get(body) ?? (body.length > 1 ? undefined : byName.get(body));
    if (single || body.length < 2 || body[1] === '=') {
      out.push(arg);
      const spec = single ?? byShort.get(body[0]!);
      if (spec && spec.kind !== 'bool' && body[1] !== '=' && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    const expanded: string[] = [];
    let takesNext = false;
    let ok = true;
    for (let j = 0; j < body.length; j++) {
      const spec = byShort.get(body[j]!);
      if (!spec) {
        ok = false;
        break;
      }
      if (spec.kind === 'bool') {
        // "-it=false": the value belongs to the last boolean.
        if (body[j + 1] === '=') {
          expanded.push(`-${body[j]}${body.slice(j + 1)}`);
          break;
        }
        expanded.push(`-${body[j]}`);
        continue;
      }
      const value = body.slice(j + 1);
      expanded.push(`-${body[j]}`);
      if (value) expanded.push(value.startsWith('=') ? value.slice(1) : value);
      else takesNext = true;
      break;
    }
    if (!ok) {
      out.push(arg); // the parser reports the unknown flag
      continue;
    }
    out.push(...expanded);
    if (takesNext && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/** Parses a command's argv with docker's short-flag forms. */
export function parseCommand(argv: string[], specs: FlagSpec[], stopAtPositional = false): Parsed & { rest: string[] } {
  return parseArgs(expandShortFlags(argv, specs, stopAtPositional), specs, stopAtPositional);
}

/** A command's usage text: the synopsis line, a description and its flags. */
export function usageText(synopsis: string, description: string, specs: FlagSpec[]): string {
  const flags = flagHelp(specs);
  return `Usage:  berth ${synopsis}\n\n${description}\n${flags ? `\nOptions:\n${flags}\n` : ''}`;
}

export const HELP_FLAG: FlagSpec = { name: 'help', kind: 'bool', help: 'print usage' };
