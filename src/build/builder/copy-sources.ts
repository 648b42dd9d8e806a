// COPY/ADD sources: resolved in the build context (never outside it: `../x` and symlinks leading out are refused,
// as are paths .dockerignore excludes) or in another stage's/image's root, with Go filepath.Match globs, and the
// content checksum the cache compares (relative path, mode, uid/gid, size, content; mtime left out as Docker does).
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { BuildError } from './errors.js';
import { isWithin, resolveInRoot } from './scoped-path.js';

export interface CopySource {
  /** Where the source is on the host. */
  abs: string;
  /** The name it gets inside a destination directory. */
  name: string;
  isDir: boolean;
  /** For downloads: the mode and mtime to give the file. */
  mode?: number;
  mtime?: Date;
}

/** Where sources are read from: the context (with the entries .dockerignore lets through) or an image's root. */
export interface SourceRoot {
  dir: string;
  /** Context only: relative paths that were sent (.dockerignore applied); undefined for an image root. */
  included?: ReadonlySet<string>;
  /** The instruction, for messages (`COPY`/`ADD`). */
  verb: string;
}

const GLOB = /[*?[]/;

/** Go's filepath.Match pattern as a regular expression (`*` and `?` never match `/`). */
export function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new BuildError(`syntax error in pattern ${pattern}`);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\(.)/g, '\\$1')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function notFound(root: SourceRoot, src: string): BuildError {
  return root.included
    ? new BuildError(`${root.verb} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`)
    : new BuildError(`${root.verb} failed: stat ${src}: file does not exist`);
}

/** Every relative path under `dir` (lstat, no link following), directories included. */
function walkAll(dir: string, rel = '', out: string[] = []): string[] {
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    out.push(r);
    if (fs.lstatSync(path.join(dir, r)).isDirectory()) walkAll(dir, r, out);
  }
  return out;
}

/** Resolves one source (a path or a glob) to the files and directories it names. */
export function resolveSource(root: SourceRoot, src: string): CopySource[] {
  // `dir/` names the directory itself (its contents are copied), as `dir` does.
  const cleaned = path.posix.normalize(`/${src}`).slice(1).replace(/\/+$/, '') || '.';
  if (root.included && !isWithin(root.dir, path.resolve(root.dir, src))) {
    throw new BuildError(`${root.verb} failed: forbidden path outside the build context: ${src} ()`);
  }
  if (GLOB.test(cleaned)) {
    const re = globRegex(cleaned);
    const candidates = root.included ? [...root.included] : walkAll(root.dir);
    const hits = candidates.filter((rel) => re.test(rel)).sort();
    // A matched directory brings its contents: drop matches below an earlier matched directory.
    const out: CopySource[] = [];
    for (const rel of hits) {
      if (out.some((o) => o.isDir && rel.startsWith(`${path.relative(root.dir, o.abs)}/`))) continue;
      out.push(...resolveOne(root, rel, src));
    }
    return out;
  }
  return resolveOne(root, cleaned, src);
}

function resolveOne(root: SourceRoot, rel: string, written: string): CopySource[] {
  if (root.included && rel !== '.' && !root.included.has(rel)) throw notFound(root, written);
  const lexical = path.join(root.dir, rel);
  let abs: string;
  if (root.included) {
    // The context: a symbolic link may point anywhere on the host; refuse one that leads outside the context.
    if (!fs.existsSync(lexical) && !fs.lstatSync(lexical, { throwIfNoEntry: false })) throw notFound(root, written);
    let real: string;
    try {
      real = fs.realpathSync(lexical);
    } catch {
      throw new BuildError(`${root.verb} failed: ${written} is a symbolic link to a file that does not exist in the build context`);
    }
    if (!isWithin(fs.realpathSync(root.dir), real)) {
      throw new BuildError(`${root.verb} failed: forbidden path outside the build context: ${written} (a symbolic link to ${fs.readlinkSync(lexical)})`);
    }
    abs = real;
  } else {
    abs = resolveInRoot(root.dir, rel);
  }
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) throw notFound(root, written);
  return [{ abs, name: rel === '.' ? path.basename(root.dir) : path.basename(rel), isDir: st.isDirectory() }];
}

/** Whether a context entry below a directory source was sent (.dockerignore); image roots send everything. */
export function includedBelow(root: SourceRoot, abs: string): boolean {
  if (!root.included) return true;
  const rel = path.relative(fs.realpathSync(root.dir), abs);
  return root.included.has(rel.split(path.sep).join('/'));
}

/** The checksum of the sources' contents the cache compares. */
export function contentChecksum(root: SourceRoot, sources: readonly CopySource[]): string {
  const h = createHash('sha256');
  const visit = (abs: string, rel: string): void => {
    const st = fs.lstatSync(abs);
    h.update(`${rel}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0`);
    if (st.isSymbolicLink()) h.update(fs.readlinkSync(abs));
    else if (st.isFile()) h.update(createHash('sha256').update(fs.readFileSync(abs)).digest());
    else if (st.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        const child = path.join(abs, name);
        if (includedBelow(root, child)) visit(child, `${rel}/${name}`);
      }
    }
    h.update('\n');
  };
  const rootDir = fs.realpathSync(root.dir);
  for (const s of sources) {
    // `COPY .` names the context itself: hash it as "." (its directory is a fresh temp dir on every build).
    const name = s.abs === rootDir ? '.' : s.name;
    h.update(`source ${name} ${s.mode ?? ''} ${s.mtime?.getTime() ?? ''}\n`);
    visit(s.abs, name);
  }
  return h.digest('hex');
}
