// Variable substitution as Docker's Dockerfile word lexer does it: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
// `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, `${VAR#pat}`/`##`, `${VAR%pat}`/`%%`, `${VAR/pat/rep}`/`//`,
// single quotes (literal), double quotes (only `$`, `"` and the escape character are special inside), the escape
// character outside quotes (escapes anything; dropped at the end of the word). Unset variables expand to nothing.
// Only variables are expanded: no command substitution, globbing or tilde, as in Docker.

import { ExpansionError } from './errors.js';
import { shellPatternRegex, trimPatternPrefix, trimPatternSuffix } from './shell-pattern.js';

/** Variables for expansion: a Map, or a plain record (own keys only). */
export type ShellEnv = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export { ExpansionError };

/** Lexer switches Docker uses internally (heredoc delimiters, heredoc bodies); plain expansion uses none. */
export interface LexOptions {
  /** Leave `$X`/`${X…}` untouched when X is unset. */
  skipUnset?: boolean;
  /** Keep quote characters in the output. */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipQuotes?: boolean;
}

/** Expands variables in `text` and removes quoting, keeping whitespace (Docker's ProcessWord). */
export function expandWord(text: string, env: ShellEnv, escapeChar: string = '\\', options: LexOptions = {}): string {
  return lex(text, env, escapeChar, options).text;
}

/** Expands variables and splits into words on unquoted whitespace, also inside expanded values (ProcessWords). */
export function expandWords(text: string, env: ShellEnv, escapeChar: string = '\\', options: LexOptions = {}): string[] {
  return lex(text, env, escapeChar, options).words;
}

function lex(text: string, env: ShellEnv, escapeChar: string, options: LexOptions): { text: string; words: string[] } {
  const lookup = envLookup(env);
  const lexer = new Lexer(text, lookup, escapeChar, options);
  try {
    return lexer.run();
  } catch (err) {
    if (err instanceof ExpansionError) throw new ExpansionError(`failed to process "${text}": ${err.message}`);
    throw err;
  }
}

function envLookup(env: ShellEnv): (name: string) => string | undefined {
  if (env instanceof Map) return (name) => env.get(name);
  const record = env as Readonly<Record<string, string>>;
  return (name) => (Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined);
}

/** Collects output words: unquoted whitespace separates them, quoted or escaped characters never do. */
class WordCollector {
  private buf = '';
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(ch);
    }
  }

  addRaw(text: string): void {
    this.buf += text;
    this.inWord = true;
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  finish(): string[] {
    if (this.buf.length > 0) this.words.push(this.buf);
    this.buf = '';
    this.inWord = false;
    return this.words;
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

class Lexer {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;

  constructor(
    text: string,
    private readonly lookup: (name: string) => string | undefined,
    private readonly escape: string,
    private readonly options: LexOptions,
  ) {
    this.chars = Array.from(text);
    this.rawEscapes = options.rawEscapes === true;
  }

  run(): { text: string; words: string[] } {
    return this.until(undefined, this.rawEscapes);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    return this.chars[this.pos++];
  }

  /** Reads up to `stop` (consumed) or the end; `stop` missing is an error. */
  private until(stop: string | undefined, rawEscapes: boolean): { text: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let text = '';
      const words = new WordCollector();
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stop !== undefined && ch === stop) {
          this.next();
          return { text, words: words.finish() };
        }
        if (ch === '$') {
          const value = this.dollar();
          text += value;
          words.addString(value); // expanded values are split into words
        } else if (ch === '<') {
          const value = this.possibleHeredoc();
          text += value;
          words.addRaw(value);
        } else if ((ch === "'" || ch === '"') && !this.options.skipQuotes) {
          const value = ch === "'" ? this.singleQuoted() : this.doubleQuoted();
          text += value;
          words.addRaw(value);
        } else {
          this.next();
          if (ch === this.escape) {
            if (this.rawEscapes) {
              words.addRaw(ch);
              text += ch;
            }
            const escaped = this.next();
            if (escaped === undefined) break; // a trailing escape character is dropped
            words.addRaw(escaped);
            text += escaped;
          } else {
            words.addChar(ch);
            text += ch;
          }
        }
      }
      if (stop !== undefined) throw new ExpansionError(`unexpected end of statement while looking for matching ${stop}`);
      return { text, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuoted(): string {
    let out = '';
    const open = this.next()!;
    if (this.options.rawQuotes) out += open;
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.options.rawQuotes) out += ch;
        return out;
      }
      out += ch;
    }
  }

  private doubleQuoted(): string {
    let out = '';
    const open = this.next()!;
    if (this.options.rawQuotes) out += open;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        if (this.options.rawQuotes) out += ch;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      let c = this.next()!;
      if (c === this.escape) {
        if (this.rawEscapes) out += c;
        const after = this.peek();
        if (after === undefined) continue; // reported as the missing closing quote
        // Inside double quotes the escape character only escapes ", $ and itself; elsewhere it stays literal.
        if (after === '"' || after === '$' || after === this.escape) c = this.next()!;
      }
      out += c;
    }
  }

  /** `<<` keeps the whitespace after it in the same word, so `<< EOF` stays one heredoc word. */
  private possibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let out = '<<';
    for (let ch = this.peek(); ch === ' ' || ch === '\t' || ch === '\r'; ch = this.peek()) out += this.next();
    return out;
  }

  private name(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && isDigit(ch)) {
        // positional parameters: all digits ($10 is one name); never set in a Dockerfile
        while (this.peek() !== undefined && isDigit(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next()!;
      if (!isNameChar(ch)) break;
      name += this.next();
    }
    return name;
  }

  private dollar(): string {
    this.next(); // $
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const value = this.lookup(name);
      if (value === undefined && this.options.skipUnset) return `$${name}`;
      return value ?? '';
    }
    this.next(); // {
    const first = this.peek();
    if (first === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ExpansionError('syntax error: bad substitution');
    const name = this.name();
    let op = this.next();
    if (op === '}') {
      const value = this.lookup(name);
      if (value === undefined && this.options.skipUnset) return `\${${name}}`;
      return value ?? '';
    }
    if (op === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (op === '/') return this.substitute(name);
    let modifier = op;
    const colon = op === ':';
    if (colon) {
      op = this.next();
      modifier += op ?? '';
    }
    if (op === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (!['+', '-', '?', '#', '%'].includes(op) || (colon && (op === '#' || op === '%'))) {
      throw new ExpansionError(`unsupported modifier (${modifier}) in substitution`);
    }
    const word = this.modifierWord(op === '#' || op === '%');
    const value = this.lookup(name);
    if (value === undefined && this.options.skipUnset) return `\${${name}${modifier}${word}}`;
    const unset = value === undefined || (colon && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new ExpansionError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (colon && value === '') throw new ExpansionError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      default: {
        // # and % remove the shortest matching prefix/suffix; ## and %% the longest
        const greedy = word.startsWith(op);
        const pattern = greedy ? word.slice(1) : word;
        return op === '#'
          ? trimPatternPrefix(pattern, value ?? '', greedy)
          : trimPatternSuffix(pattern, value ?? '', greedy);
      }
    }
  }

  private modifierWord(rawEscapes: boolean): string {
    try {
      return this.until('}', rawEscapes).text;
    } catch (err) {
      if (err instanceof ExpansionError && this.peek() === undefined) throw new ExpansionError("syntax error: missing '}'");
      throw err;
    }
  }

  /** `${name/pattern/replacement}` (first match) and `${name//pattern/replacement}` (all matches). */
  private substitute(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.until('/', true).text;
    } catch (err) {
      if (err instanceof ExpansionError && this.peek() === undefined) throw new ExpansionError("syntax error: missing '/' in ${}");
      throw err;
    }
    const replacement = this.modifierWord(true);
    const value = this.lookup(name);
    if (value === undefined && this.options.skipUnset) return `\${${name}/${pattern}/${replacement}}`;
    const re = shellPatternRegex(pattern, true, false, all);
    return (value ?? '').replace(re, () => replacement);
  }
}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

function isNameChar(ch: string): boolean {
  return ch === '_' || /^[\p{L}\p{Nd}]$/u.test(ch);
}

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}
