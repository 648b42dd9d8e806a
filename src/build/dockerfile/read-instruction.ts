// First pass over one logical line: the keyword (case-insensitive), its flags, and its arguments read the way
// that instruction reads them. The typed instruction is built in instructions.ts once heredoc bodies (which
// follow the line) have been read.

import { SyntaxProblem } from './errors.js';
import { jsonArray, quotedWords, splitCommand, whitespaceWords } from './words.js';
import type { KeyValue } from './types.js';

export const KEYWORDS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** One instruction line cut into its parts, before instruction-specific checks. */
export interface RawInstruction {
  keyword: Keyword;
  /** The logical line as read (leading whitespace removed, trailing kept). */
  line: string;
  flags: string[];
  /** Arguments as the instruction reads them (see readArgs). */
  args: string[];
  /** ENV and LABEL: the key/value pairs. */
  pairs?: KeyValue[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  /** ONBUILD: the instruction it wraps. */
  trigger?: RawInstruction;
}

/** Reads one logical line; unknown keywords are refused here. */
export function readInstruction(line: string, escape: string): RawInstruction {
  const split = splitCommand(line, escape);
  const keyword = split.keyword.toUpperCase();
  if (!(KEYWORDS as readonly string[]).includes(keyword)) throw unknownInstruction(split.keyword);
  const raw: RawInstruction = { keyword: keyword as Keyword, line, flags: split.flags, args: [], json: false };
  const rest = split.rest;
  switch (raw.keyword) {
    case 'ADD':
    case 'COPY':
    case 'VOLUME': {
      const json = jsonArray(rest);
      raw.json = json !== undefined;
      raw.args = json ?? whitespaceWords(rest);
      break;
    }
    case 'CMD':
    case 'ENTRYPOINT':
    case 'RUN':
    case 'SHELL':
      readMaybeJson(raw, rest);
      break;
    case 'ARG':
      raw.args = quotedWords(rest, escape);
      break;
    case 'ENV':
    case 'LABEL':
      raw.pairs = nameValuePairs(rest, raw.keyword, escape);
      break;
    case 'EXPOSE':
    case 'FROM':
      raw.args = whitespaceWords(rest);
      break;
    case 'HEALTHCHECK': {
      // HEALTHCHECK [flags] TYPE [command]: the command part is read like CMD's
      const m = /^(\S+)\s*/.exec(rest);
      if (m) {
        readMaybeJson(raw, rest.slice(m[0].length));
        raw.args.unshift(m[1]!);
      }
      break;
    }
    case 'MAINTAINER':
    case 'STOPSIGNAL':
    case 'USER':
    case 'WORKDIR':
      raw.args = rest === '' ? [] : [rest];
      break;
    case 'ONBUILD':
      if (rest !== '') {
        raw.trigger = readInstruction(rest, escape);
        raw.args = [raw.trigger.keyword, ...raw.trigger.args];
      }
      break;
  }
  return raw;
}

/** Whether heredoc bodies follow this line: RUN, COPY and ADD in shell form, also wrapped by ONBUILD. */
export function takesHeredocs(raw: RawInstruction): boolean {
  const target = raw.keyword === 'ONBUILD' && raw.trigger ? raw.trigger : raw;
  return (target.keyword === 'RUN' || target.keyword === 'COPY' || target.keyword === 'ADD') && !target.json;
}

function readMaybeJson(raw: RawInstruction, rest: string): void {
  if (rest === '') return;
  const json = jsonArray(rest);
  raw.json = json !== undefined;
  raw.args = json ?? [rest];
}

/**
 * ENV/LABEL arguments: `KEY value with spaces` (the old form, when the first word has no `=`) or
 * `k=v k2="v 2"`. Values keep their quotes until expansion.
 */
function nameValuePairs(rest: string, keyword: string, escape: string): KeyValue[] {
  const words = quotedWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const m = /[\t\v\f\r ]+/.exec(rest);
    if (!m) throw new SyntaxProblem(`${keyword} must have two arguments (use ${keyword} name=value)`);
    return [{ key: rest.slice(0, m.index), value: rest.slice(m.index + m[0].length) }];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) throw new SyntaxProblem(`Syntax error - can't find = in "${word}". Must be of the form: name=value`);
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
}

function unknownInstruction(written: string): SyntaxProblem {
  const upper = written.toUpperCase();
  const close = KEYWORDS.filter((k) => editDistance(k, upper) <= (k.length <= 4 ? 1 : 2));
  const hint = close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : '';
  return new SyntaxProblem(`unknown instruction: ${upper}${hint}`);
}

/** Levenshtein distance where swapping two neighbouring letters also counts as one edit (FORM → FROM). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
