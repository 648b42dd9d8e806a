// Instruction flags (`COPY --from=build`, `RUN --mount=…`): each instruction accepts a fixed set, with Docker's
// value rules: strings need `=value`, booleans are bare or `=true`/`=false`, list flags may repeat.

import { SyntaxProblem } from './errors.js';

export type FlagKind = 'string' | 'bool' | 'list';
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export interface ParsedFlags {
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  lists: Map<string, string[]>;
}

/** Parses `--name[=value]` words for `keyword` against `spec`; unknown, duplicate or malformed flags throw. */
export function parseFlags(keyword: string, words: readonly string[], spec: FlagSpec): ParsedFlags {
  const parsed: ParsedFlags = { strings: new Map(), bools: new Map(), lists: new Map() };
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) throw new SyntaxProblem(`arg should start with -- : ${word}`);
    const eq = word.indexOf('=');
    const flag = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const name = flag.slice(2);
    const kind = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new SyntaxProblem(`unknown flag: ${flag} (${allowedFlags(keyword, spec)})`);
    if (kind !== 'list' && (parsed.strings.has(name) || parsed.bools.has(name))) {
      throw new SyntaxProblem(`duplicate flag specified: ${flag}`);
    }
    if (kind === 'bool') {
      if (value === '') throw new SyntaxProblem(`missing a value on flag: ${flag}`);
      const lower = value?.toLowerCase();
      if (lower !== undefined && lower !== 'true' && lower !== 'false') {
        throw new SyntaxProblem(`expecting boolean value for flag ${flag}, not: ${value}`);
      }
      parsed.bools.set(name, lower !== 'false');
      continue;
    }
    if (value === undefined) throw new SyntaxProblem(`missing a value on flag: ${flag}`);
    if (kind === 'string') parsed.strings.set(name, value);
    else parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), value]);
  }
  return parsed;
}

function allowedFlags(keyword: string, spec: FlagSpec): string {
  const names = Object.keys(spec);
  if (names.length === 0) return `${keyword} takes no flags`;
  return `${keyword} accepts ${names.map((n) => `--${n}`).join(', ')}`;
}
