// Reads /proc/self/mountinfo to answer two questions: which mounts sit at or below a directory (to unmount
// them deepest first) and which mounts use a snapshot's directory (to refuse removing it). Parsing and the
// queries are pure; only readMountInfo touches /proc.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface MountEntry {
  id: number;
  parentId: number;
  /** major:minor of the filesystem. */
  dev: string;
  /** The directory of the filesystem that is mounted (a bind mount's source, relative to its filesystem). */
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

/** The calling process's mount table. */
export async function readMountInfo(): Promise<string> {
  return fs.readFile('/proc/self/mountinfo', 'utf8');
}

/** Decodes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash, \054 comma). */
export function unescapeOctal(s: string): string {
  if (!s.includes('\\')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const m = /^\\([0-7]{3})/.exec(s.slice(i, i + 4));
    if (m) {
      bytes.push(parseInt(m[1]!, 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses a mountinfo text (proc(5)); malformed lines are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || f.length < sep + 4) continue;
    out.push({
      id: Number(f[0]), parentId: Number(f[1]), dev: f[2]!, root: unescapeOctal(f[3]!),
      mountPoint: unescapeOctal(f[4]!), fsType: f[sep + 1]!, source: unescapeOctal(f[sep + 2]!),
      superOptions: f[sep + 3]!.split(',').map(unescapeOctal),
    });
  }
  return out;
}

const isAtOrBelow = (p: string, dir: string): boolean => p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);

/** Mount points at or below dir, in the order to unmount them: deepest first, the top of a stack first. */
export function mountsAtOrBelow(entries: MountEntry[], dir: string): string[] {
  const hits = entries.map((e, i) => ({ e, i })).filter(({ e }) => isAtOrBelow(e.mountPoint, dir));
  hits.sort((a, b) => depth(b.e.mountPoint) - depth(a.e.mountPoint) || b.i - a.i);
  return hits.map(({ e }) => e.mountPoint);
}

const depth = (p: string): number => (p === '/' ? 0 : p.split('/').length - 1);

/**
 * Mount points that use a snapshot: overlays naming one of `dirs` as upperdir/workdir/lowerdir, bind mounts
 * of one of `dirs` (or of something inside), and mounts placed inside `below`. `dirs` must be real paths.
 */
export function mountsUsing(entries: MountEntry[], dirs: string[], below?: string): string[] {
  const found = new Set<string>();
  const wanted = new Set(dirs);
  for (const e of entries) {
    if (below && isAtOrBelow(e.mountPoint, below)) found.add(e.mountPoint);
    if (e.fsType !== 'overlay') continue;
    for (const opt of e.superOptions) {
      const m = /^(upperdir|workdir|lowerdir)=(.*)$/.exec(opt);
      if (m && m[2]!.split(':').some((p) => wanted.has(p))) found.add(e.mountPoint);
    }
  }
  // A bind mount shows its source as (device, path inside that device's filesystem): find where each dir
  // lives in that coordinate system through the mount that contains it, then look for other mounts of it.
  for (const dir of dirs) {
    const host = containingMount(entries, dir);
    if (!host) continue;
    const inside = path.posix.join(host.root, path.posix.relative(host.mountPoint, dir));
    for (const e of entries) {
      if (e !== host && e.dev === host.dev && isAtOrBelow(e.root, inside)) found.add(e.mountPoint);
    }
  }
  return [...found];
}

/** The mount a path lives on: the longest mount point above it, the last one mounted when stacked. */
export function containingMount(entries: MountEntry[], p: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    if (isAtOrBelow(p, e.mountPoint) && (!best || e.mountPoint.length >= best.mountPoint.length)) best = e;
  }
  return best;
}
