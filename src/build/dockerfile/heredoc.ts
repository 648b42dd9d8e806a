// Here-documents (`RUN <<EOF`, `RUN <<-EOT`, `COPY <<"EOF" /dst`, `RUN 3<<A cat /dev/fd/3`): which words of a
// line open one, and what each delimiter is. As in Docker, a quoted delimiter (any quote in it) turns off
// variable expansion in the body, `<<-` strips leading tabs from body lines and the delimiter line.

import { expandWords } from './expand.js';

const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV: ReadonlyMap<string, string> = new Map();

export interface HeredocStart {
  name: string;
  expand: boolean;
  chomp: boolean;
  fd?: number;
}

/** Parses one word as a heredoc opener (`<<EOF`, `<<-"EOF"`, `2<<X`); undefined when it is not one. */
export function heredocStart(word: string): HeredocStart | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (!m || m[3] === '') return undefined;
  const rest = m[3]!;
  // Heredoc delimiters always use `\` as escape character, whatever the escape directive says.
  const words = expandWords(rest, NO_ENV, '\\', { skipUnset: true });
  if (words.length !== 1) return undefined;
  const raw = expandWords(rest, NO_ENV, '\\', { skipUnset: true, rawQuotes: true });
  const quotes = (s: string): number => (s.match(/["']/g) ?? []).length;
  const start: HeredocStart = { name: words[0]!, expand: quotes(words[0]!) === quotes(raw[0] ?? ''), chomp: m[2] === '-' };
  if (m[1] !== '') start.fd = Number(m[1]);
  return start;
}

/** The heredocs a logical line opens, in order (their bodies follow the line in the same order). */
export function heredocsInLine(line: string): HeredocStart[] {
  let words: string[];
  try {
    words = expandWords(line, NO_ENV, '\\', { skipUnset: true, rawQuotes: true, rawEscapes: true });
  } catch {
    return []; // a line the lexer cannot read (an open quote) opens no heredoc, as in Docker
  }
  const starts: HeredocStart[] = [];
  for (const word of words) {
    const start = heredocStart(word);
    if (start) starts.push(start);
  }
  return starts;
}

/** Removes leading tabs from every line (`<<-`). */
export function chompTabs(content: string): string {
  return content.replace(/(^|\n)\t+/g, '$1');
}
