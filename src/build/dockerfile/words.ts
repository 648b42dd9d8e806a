// How Docker cuts one logical Dockerfile line into pieces before any instruction-specific parsing: the keyword,
// the leading `--flag` words, and the rest, which each instruction reads as whitespace-separated words, as
// quote-preserving words (ENV, LABEL, ARG), as one string, or as a JSON array (exec form).

import { SyntaxProblem } from './errors.js';
import { isSpace } from './expand.js';

const WHITESPACE_RUN = /[\t\v\f\r ]+/;

export interface SplitLine {
  /** The keyword as written. */
  keyword: string;
  /** Leading `--name[=value]` words, quotes and escapes removed. */
  flags: string[];
  /** Everything after the flags, trimmed. */
  rest: string;
}

/** Splits `KEYWORD [--flag…] rest`. */
export function splitCommand(line: string, escape: string): SplitLine {
  const trimmed = trimSpace(line);
  const m = WHITESPACE_RUN.exec(trimmed);
  if (!m) return { keyword: trimmed, flags: [], rest: '' };
  const keyword = trimmed.slice(0, m.index);
  const { flags, rest } = extractFlags(trimmed.slice(m.index + m[0].length), escape);
  return { keyword, flags, rest: trimSpace(rest) };
}

/**
 * Reads `--flag` words from the start of `text` until a word that does not start with `--`, or a bare `--`.
 * Inside a flag word quotes group (and are removed) and the escape character escapes the next character.
 */
export function extractFlags(text: string, escape: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  const chars = Array.from(text);
  let i = 0;
  for (;;) {
    while (i < chars.length && isSpace(chars[i]!)) i++;
    if (i >= chars.length) return { flags, rest: '' };
    if (chars[i] !== '-' || chars[i + 1] !== '-') return { flags, rest: chars.slice(i).join('') };
    let word = '';
    let quote: string | undefined;
    for (; i < chars.length; i++) {
      const ch = chars[i]!;
      if (quote === undefined && isSpace(ch)) break;
      if (quote === undefined && (ch === '"' || ch === "'")) {
        quote = ch;
        continue;
      }
      if (quote !== undefined && ch === quote) {
        quote = undefined;
        continue;
      }
      if (ch === escape) {
        if (i + 1 === chars.length) {
          quote = undefined;
          continue; // a trailing escape is dropped
        }
        word += chars[++i];
        continue;
      }
      word += ch;
    }
    if (word === '--') return { flags, rest: chars.slice(i).join('') };
    flags.push(word);
  }
}

/**
 * Splits on unquoted whitespace but keeps quotes and escapes in the words: ENV, LABEL and ARG values are
 * unquoted later, by variable expansion.
 */
export function quotedWords(text: string, escape: string): string[] {
  const words: string[] = [];
  const chars = Array.from(text);
  let word = '';
  let quoted = false; // a word that had quotes is kept even if empty
  let quote: string | undefined;
  const push = (): void => {
    if (word !== '' || quoted) words.push(word);
    word = '';
    quoted = false;
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (quote === undefined) {
      if (isSpace(ch)) {
        push();
        continue;
      }
      if (ch === '"' || ch === "'") {
        quote = ch;
        quoted = true;
      }
      else if (ch === escape) {
        if (i + 1 === chars.length) continue; // a trailing escape is dropped
        word += ch;
        word += chars[++i];
        continue;
      }
      word += ch;
    } else {
      if (ch === quote) quote = undefined;
      else if (ch === escape && quote !== "'") {
        // nothing can be escaped inside single quotes
        if (i + 1 === chars.length) {
          quote = undefined;
          continue;
        }
        word += ch;
        word += chars[++i];
        continue;
      }
      word += ch;
    }
  }
  push();
  return words;
}

/** Splits on runs of spaces and tabs (FROM, EXPOSE and the shell form of COPY/ADD/VOLUME). */
export function whitespaceWords(text: string): string[] {
  return text === '' ? [] : text.split(WHITESPACE_RUN);
}

/** The exec (JSON) form: undefined when `text` is not a JSON array, so that the shell form applies (as Docker). */
export function jsonArray(text: string): string[] | undefined {
  const trimmed = text.replace(/^\s+/, '');
  if (!trimmed.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((v) => typeof v === 'string')) {
    throw new SyntaxProblem('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return parsed as string[];
}

/** Go's strings.TrimSpace. */
export function trimSpace(text: string): string {
  return trimLeftSpace(text).replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/, '');
}

export function trimLeftSpace(text: string): string {
  return text.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, '');
}
