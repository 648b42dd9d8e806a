// Physical lines of a Dockerfile and the rules that join them: parser directives at the very top, comment
// lines, and line continuations with the escape character (`\` or `` ` ``).

import { SyntaxProblem } from './errors.js';
import { trimLeftSpace } from './words.js';
import type { EscapeChar } from './types.js';

/** The file's lines, each with its line ending; numbers are 1-based. */
export class SourceLines {
  private readonly lines: string[];
  private index = 0;

  constructor(text: string) {
    const body = text.startsWith('\ufeff') ? text.slice(1) : text; // a UTF-8 byte-order mark is dropped
    this.lines = body === '' ? [] : body.split(/(?<=\n)/);
  }

  /** The next line with its ending, or undefined at the end of the file. */
  next(): string | undefined {
    return this.index < this.lines.length ? this.lines[this.index++] : undefined;
  }

  /** The number of the line `next()` returned last (0 before the first). */
  get lineNumber(): number {
    return this.index;
  }
}

/** Removes the line ending (any trailing \r and \n characters). */
export function trimNewline(line: string): string {
  return line.replace(/[\r\n]+$/, '');
}

/** A comment line: `#` after optional whitespace. */
export function isComment(line: string): boolean {
  return trimLeftSpace(line).startsWith('#');
}

/** A continuation line with nothing but whitespace. */
export function isBlank(line: string): boolean {
  return trimLeftSpace(trimNewline(line)) === '';
}

/**
 * Parser directives (`# escape=\``, `# syntax=…`, `# check=…`): recognised only while every line so far has
 * been a directive; the first other line (a comment, a blank line, an instruction) ends them.
 */
export class DirectiveReader {
  private done = false;
  private readonly seen = new Set<string>();

  /** The directive on this (left-trimmed) line, if directives are still open and it is one. */
  read(line: string): { name: string; value: string } | undefined {
    if (this.done) return undefined;
    const m = /^#[\t\n\v\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/.exec(line);
    const name = m?.[1]!.toLowerCase();
    if (!m || (name !== 'syntax' && name !== 'escape' && name !== 'check')) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new SyntaxProblem(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name, value: m[2]! };
  }
}

/** Checks an escape directive's value. */
export function escapeToken(value: string): EscapeChar {
  if (value !== '\\' && value !== '`') {
    throw new SyntaxProblem(`invalid escape token '${value}' does not match \` or \\ (use "# escape=\\" or "# escape=\`")`);
  }
  return value;
}

/**
 * Whether a line continues on the next one: it ends with the escape character (trailing spaces and tabs
 * allowed) that is not itself escaped. Returns the line without that escape character.
 */
export function trimContinuation(line: string, escape: EscapeChar): { text: string; continues: boolean } {
  const e = escape === '\\' ? '\\\\' : '`';
  const re = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
  if (!re.test(line)) return { text: line, continues: false };
  return { text: line.replace(re, '$1'), continues: true };
}
