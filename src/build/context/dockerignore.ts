// .dockerignore with Docker's rules. Lines starting with `#` are comments; each pattern is trimmed, cleaned like
// Go's filepath.Clean (`a//b/../c/` → `a/c`), and a leading `/` dropped (patterns are relative to the context).
// `*` and `?` never match `/`, `**` matches any number of directories, `[...]` classes and `\` escapes are
// those of Go's filepath.Match. A `!` pattern re-includes what earlier patterns excluded; the last pattern that
// matches decides. A pattern also matches everything below a directory it matches.
//
// Matching follows Docker's context walker exactly: each path is matched using its parent directory's per-pattern
// results, and an excluded directory is walked into only when some exception pattern, as text, starts with the
// directory's path (so `!**/keep.txt` does not reach into an excluded directory, as in Docker).

import { compileGlob, validateGlob, type CompiledGlob } from './glob.js';

/** A .dockerignore that Docker would refuse, with the line that is wrong. */
export class DockerignoreError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `.dockerignore line ${line}: ${message}`);
    this.name = 'DockerignoreError';
  }
}

export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  pattern: string;
  exclusion: boolean;
  /** The .dockerignore line it came from (undefined for patterns added by the builder). */
  line?: number;
}

/** Per-pattern results for a directory, passed down to its entries. */
export type MatchInfo = readonly boolean[];

export interface DockerignoreMatcher {
  readonly patterns: readonly IgnorePattern[];
  /** Whether a context path is left out (`isDir` is accepted for callers that know it; Docker ignores it). */
  matches(relPath: string, isDir?: boolean): boolean;
  /** Whether an exception pattern could re-include something below this excluded directory. */
  mayMatchBelow(dir: string): boolean;
  /** One step of a walk: the result for `relPath` given its parent directory's MatchInfo (undefined at the top). */
  evaluate(relPath: string, parent?: MatchInfo): { excluded: boolean; info: MatchInfo };
}

/** Reads .dockerignore text into patterns (`!` kept as a prefix), as Docker's ignore-file reader does. */
export function readIgnorePatterns(text: string): { pattern: string; line: number }[] {
  const out: { pattern: string; line: number }[] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (index === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = line.trim();
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push({ pattern: invert ? `!${pattern}` : pattern, line: index + 1 });
  });
  return out;
}

/** Builds a matcher from .dockerignore text. */
export function createMatcher(text: string): DockerignoreMatcher {
  return matcherFromPatterns(readIgnorePatterns(text));
}

/** Builds a matcher from patterns (`!` prefix for exceptions). */
export function matcherFromPatterns(entries: readonly (string | { pattern: string; line?: number })[]): DockerignoreMatcher {
  const compiled: { spec: IgnorePattern; glob: CompiledGlob }[] = [];
  for (const entry of entries) {
    const { pattern: given, line } = typeof entry === 'string' ? { pattern: entry, line: undefined } : entry;
    let p = given.trim();
    if (p === '') continue;
    p = cleanPath(p);
    const exclusion = p.startsWith('!');
    if (exclusion) {
      if (p.length === 1) throw new DockerignoreError('illegal exclusion pattern: "!" (write !path)', line);
      p = p.slice(1);
    }
    const problem = validateGlob(p);
    if (problem) throw new DockerignoreError(`syntax error in pattern "${p}": ${problem}`, line);
    const spec: IgnorePattern = { pattern: p, exclusion };
    if (line !== undefined) spec.line = line;
    let glob: CompiledGlob;
    try {
      glob = compileGlob(p);
    } catch (err) {
      throw new DockerignoreError(`syntax error in pattern "${p}": ${(err as Error).message}`, line);
    }
    compiled.push({ spec, glob });
  }
  return new Matcher(compiled);
}

class Matcher implements DockerignoreMatcher {
  readonly patterns: readonly IgnorePattern[];

  constructor(private readonly compiled: readonly { spec: IgnorePattern; glob: CompiledGlob }[]) {
    this.patterns = compiled.map((c) => c.spec);
  }

  evaluate(relPath: string, parent?: MatchInfo): { excluded: boolean; info: MatchInfo } {
    let excluded = false;
    const info: boolean[] = new Array<boolean>(this.compiled.length).fill(false);
    this.compiled.forEach(({ spec, glob }, i) => {
      let match = parent !== undefined && parent.length > 0 ? parent[i] === true : false;
      if (!match) {
        // An inclusion pattern cannot change an excluded path, nor an exception an included one.
        if (spec.exclusion !== excluded) return;
        match = glob.test(relPath);
        if (!match && (parent === undefined || parent.length === 0)) {
          // Without the parent's results, try the path's ancestors (a pattern matching a directory matches its contents).
          const dirs = relPath.split('/').slice(0, -1);
          for (let k = 1; k <= dirs.length && !match; k++) match = glob.test(dirs.slice(0, k).join('/'));
        }
      }
      info[i] = match;
      if (match) excluded = !spec.exclusion;
    });
    return { excluded, info };
  }

  matches(relPath: string, _isDir?: boolean): boolean {
    const path = normalizeRelPath(relPath);
    if (path === '.') return false; // the context itself is never excluded
    let info: MatchInfo | undefined;
    let excluded = false;
    const parts = path.split('/');
    for (let k = 1; k <= parts.length; k++) {
      ({ excluded, info } = this.evaluate(parts.slice(0, k).join('/'), info));
    }
    return excluded;
  }

  mayMatchBelow(dir: string): boolean {
    const prefix = `${normalizeRelPath(dir)}/`;
    return this.patterns.some((p) => p.exclusion && `${p.pattern}/`.startsWith(prefix));
  }
}

/** A context-relative path as the matcher compares it: cleaned, no leading `/`. */
export function normalizeRelPath(relPath: string): string {
  const clean = cleanPath(relPath);
  if (clean === '/') return '.';
  return clean.startsWith('/') ? clean.slice(1) : clean;
}

/** Go's path.Clean: one `/` between elements, no `.` elements, `..` resolved lexically, no trailing `/`. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
