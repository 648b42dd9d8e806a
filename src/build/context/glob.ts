// One .dockerignore pattern → a test on slash-separated paths, with the semantics of Docker's pattern matcher:
// a pattern without wildcards compares exactly; `prefix/**` is a prefix test; a leading `**` (`**/name`) is a
// suffix test that also matches `name` at the top; anything else is a regular expression where `*` is `[^/]*`,
// `?` is `[^/]`, `**` (or `**/`) is "any number of directories", `[...]` a character class and `\x` the
// literal x.

/** A compiled pattern. */
export interface CompiledGlob {
  test(path: string): boolean;
}

/** Go filepath.Match's syntax check: a reason when the pattern is malformed, otherwise undefined. */
export function validateGlob(pattern: string): string | undefined {
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\') {
      if (i + 1 >= chars.length) return 'a trailing \\ escapes nothing';
      i++;
    } else if (ch === '[') {
      const end = readClass(chars, i);
      if (typeof end === 'string') return end;
      i = end.next - 1;
    }
  }
  return undefined;
}

interface ClassParse {
  next: number;
  negated: boolean;
  ranges: [string, string][];
}

/** Reads `[...]` starting at `start` (the `[`), per filepath.Match; a string is the syntax problem. */
function readClass(chars: string[], start: number): ClassParse | string {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: [string, string][] = [];
  const escaped = (): string | undefined => {
    const c = chars[i];
    if (c === undefined || c === '-' || c === ']') return undefined;
    if (c === '\\') {
      i++;
      if (chars[i] === undefined) return undefined;
    }
    const r = chars[i++]!;
    return i < chars.length ? r : undefined; // the class must go on after each character
  };
  for (;;) {
    if (chars[i] === ']' && ranges.length > 0) return { next: i + 1, negated, ranges };
    const lo = escaped();
    if (lo === undefined) return 'unterminated or malformed character class';
    let hi = lo;
    if (chars[i] === '-') {
      i++;
      const h = escaped();
      if (h === undefined) return 'malformed range in character class';
      hi = h;
    }
    ranges.push([lo, hi]);
  }
}

/** Compiles a validated pattern. */
export function compileGlob(pattern: string): CompiledGlob {
  const chars = Array.from(pattern);
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const first = i === 0;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` is the same as `**`
        if (i + 1 >= chars.length) {
          // `**` at the end matches everything below, like .gitignore
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(?:.*/)?';
          type = 'regexp';
        }
        if (first) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ch === '\\') {
      re += escapeRegex(chars[++i]!);
      type = 'regexp';
    } else if (ch === '[') {
      const cls = readClass(chars, i) as ClassParse;
      re += classRegex(cls);
      i = cls.next - 1;
      type = 'regexp';
    } else {
      re += escapeRegex(ch);
    }
  }
  switch (type) {
    case 'exact':
      return { test: (path) => path === pattern };
    case 'prefix': {
      const prefix = pattern.slice(0, -2);
      return { test: (path) => path.startsWith(prefix) };
    }
    case 'suffix': {
      const suffix = pattern.slice(2);
      return { test: (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1)) };
    }
    case 'regexp': {
      const regex = new RegExp(`${re}$`, 'u');
      return { test: (path) => regex.test(path) };
    }
  }
}

function classRegex(cls: ClassParse): string {
  const item = (c: string): string => (/[\\\]\[^-]/.test(c) ? `\\${c}` : c);
  const body = cls.ranges.map(([lo, hi]) => (lo === hi ? item(lo) : `${item(lo)}-${item(hi)}`)).join('');
  return `[${cls.negated ? '^' : ''}${body}]`;
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|\/]/.test(ch) ? `\\${ch}` : ch;
}
