// The build context as Docker sends it: every entry under the context directory that .dockerignore does not
// exclude, in the order of a lexical walk, never following symbolic links. The Dockerfile and .dockerignore are
// always sent (Docker adds `!Dockerfile` / `!.dockerignore` exceptions when the patterns would exclude them).

import { lstat, readdir, readFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { createMatcher, matcherFromPatterns, normalizeRelPath, type DockerignoreMatcher, type MatchInfo } from './dockerignore.js';

export interface ContextEntry {
  /** Path relative to the context, `/`-separated. */
  path: string;
  /** lstat of the entry: a symbolic link is described, not followed. */
  stat: Stats;
}

export interface ContextOptions {
  /** The .dockerignore to apply; by default `<context>/.dockerignore` is read (absent: nothing is excluded). */
  matcher?: DockerignoreMatcher;
  /** The Dockerfile's path inside the context (default `Dockerfile`); null when it is not in the context (stdin). */
  dockerfile?: string | null;
}

/** Lists the entries of the build context (directories included, the context root itself not). */
export async function listContext(contextDir: string, options: ContextOptions = {}): Promise<ContextEntry[]> {
  const base = options.matcher ?? (await readContextIgnore(contextDir));
  const dockerfile = options.dockerfile === undefined ? 'Dockerfile' : options.dockerfile;
  const matcher = withAlwaysSent(base, dockerfile === null ? [] : [normalizeRelPath(dockerfile)]);
  const entries: ContextEntry[] = [];
  await walk(contextDir, '', undefined, matcher, entries);
  return entries;
}

/** The context's .dockerignore as a matcher (no file: an empty one). */
export async function readContextIgnore(contextDir: string): Promise<DockerignoreMatcher> {
  let text = '';
  try {
    text = await readFile(join(contextDir, '.dockerignore'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`reading ${join(contextDir, '.dockerignore')}: ${(err as Error).message}`);
    }
  }
  return createMatcher(text);
}

/** Adds exceptions for .dockerignore and the Dockerfile when the patterns would exclude them. */
export function withAlwaysSent(matcher: DockerignoreMatcher, extra: readonly string[]): DockerignoreMatcher {
  const keep = ['.dockerignore', ...extra].filter((p) => matcher.matches(p));
  if (keep.length === 0) return matcher;
  const patterns = matcher.patterns.map((p) => {
    const entry: { pattern: string; line?: number } = { pattern: p.exclusion ? `!${p.pattern}` : p.pattern };
    if (p.line !== undefined) entry.line = p.line;
    return entry;
  });
  return matcherFromPatterns([...patterns, ...keep.map((p) => `!${p}`)]);
}

async function walk(dir: string, rel: string, parentInfo: MatchInfo | undefined, matcher: DockerignoreMatcher,
  out: ContextEntry[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new Error(`reading build context directory ${dir}: ${(err as Error).message}`);
  }
  // Go walks names in byte order
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const full = join(dir, name);
    let stat: Stats;
    try {
      stat = await lstat(full);
    } catch (err) {
      throw new Error(`build context entry ${path}: ${(err as Error).message}`);
    }
    const { excluded, info } = matcher.evaluate(path, parentInfo);
    if (!excluded) out.push({ path, stat });
    // An excluded directory is entered only if an exception could re-include something in it.
    if (stat.isDirectory() && (!excluded || matcher.mayMatchBelow(path))) await walk(full, path, info, matcher, out);
  }
}
