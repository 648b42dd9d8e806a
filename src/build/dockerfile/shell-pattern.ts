// Shell wildcard patterns of `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`: `*` (any string), `?` (one
// character) and `\` escaping `*`, `?` or `\`; no bracket expressions, as in Docker.

import { ExpansionError } from './errors.js';

const REGEX_SPECIALS = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/** Compiles a shell pattern to a RegExp; `greedy` picks the longest `*` match, `anchored` matches at the start. */
export function shellPatternRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      out += greedy ? '.*' : '.*?';
    } else if (ch === '?') {
      out += '.';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      // `\}` and `\/` only kept the delimiter out of the ${} syntax: the backslash is not part of the pattern
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new ExpansionError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`);
      }
      out += '\\' + next;
      i++;
    } else {
      out += REGEX_SPECIALS.has(ch) ? '\\' + ch : ch;
    }
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

/** `${value#pattern}` / `${value##pattern}`: removes the shortest/longest matching prefix. */
export function trimPatternPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** `${value%pattern}` / `${value%%pattern}`: removes the shortest/longest matching suffix. */
export function trimPatternSuffix(pattern: string, value: string, greedy: boolean): string {
  // A regular expression finds the leftmost match, so search the reversed value with the reversed pattern.
  const trimmed = trimPatternPrefix(reversePattern(pattern), reverse(value), greedy);
  return reverse(trimmed);
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

/** Reverses a pattern but keeps each escape before the character it escapes (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\' && i + 1 < chars.length) {
      out.unshift('\\' + chars[i + 1]);
      i++;
    } else {
      out.unshift(chars[i]!);
    }
  }
  return out.join('');
}
