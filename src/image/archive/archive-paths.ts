// Paths inside an image archive (`docker save` / OCI layout tars). Entry names are never used as host
// paths: the loader keeps a map of archive path → entry, so a hostile name can at worst be refused, never
// written outside anything. Symlinks and hardlinks (docker save links a layer shared by two images) are
// resolved inside that map, and one that leaves the archive root is refused.
import { ImageError } from '../errors.js';

/** What an archive path holds once read (file contents are kept elsewhere, keyed by the same path). */
export type ArchiveNode<F> =
  | { type: 'file'; file: F }
  | { type: 'dir' }
  | { type: 'symlink'; target: string }
  | { type: 'hardlink'; target: string };

const MAX_PATH = 4096;
const MAX_LINK_HOPS = 40;

/**
 * Normalizes a tar entry name to `a/b/c` (no leading `./`, no empty or `.` parts); '' is the root.
 * Absolute names and `..` parts are refused: a well-formed image archive never has them.
 */
export function normalizeEntryPath(name: string): string {
  if (name.length > MAX_PATH) throw new ImageError(`archive entry "${name.slice(0, 80)}…": path longer than ${MAX_PATH} bytes`, 'InvalidArgument');
  if (name.includes('\0')) throw new ImageError(`archive entry ${JSON.stringify(name)}: path contains a NUL byte`, 'InvalidArgument');
  if (name.startsWith('/')) throw new ImageError(`archive entry "${name}": absolute path (image archives hold relative paths only)`, 'InvalidArgument');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ImageError(`archive entry "${name}": path escapes the archive root ("..")`, 'InvalidArgument');
  return parts.join('/');
}

/**
 * Resolves `path` in the archive, following symlinks (relative to the link's directory) and hardlinks
 * (relative to the archive root) in every component. Returns the final path and its node, or undefined
 * when nothing is there; a link that leaves the root or loops is refused.
 */
export function resolveArchivePath<F>(
  nodes: ReadonlyMap<string, ArchiveNode<F>>,
  path: string,
): { path: string; node: ArchiveNode<F> } | undefined {
  const original = path;
  let pending = normalizeLookup(path, original);
  let done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      if (done.length === 0) throw escape(original);
      done.pop();
      continue;
    }
    const here = [...done, part].join('/');
    const node = nodes.get(here);
    if (!node) {
      // Tars need not list parent directories: a missing component is an implicit directory.
      if (pending.length === 0) return undefined;
      done.push(part);
      continue;
    }
    if (node.type === 'symlink' || node.type === 'hardlink') {
      if (++hops > MAX_LINK_HOPS) throw new ImageError(`archive path "${original}": too many levels of links`, 'InvalidArgument');
      if (node.target.startsWith('/')) throw new ImageError(`archive entry "${here}": link target "${node.target}" is absolute`, 'InvalidArgument');
      const targetParts = node.target.split('/').filter((p) => p !== '' && p !== '.');
      // A symlink is relative to its directory; a tar hardlink names a path from the archive root.
      if (node.type === 'hardlink') done = [];
      pending = [...targetParts, ...pending];
      continue;
    }
    if (node.type === 'file' && pending.length > 0) return undefined;
    done.push(part);
  }
  const finalPath = done.join('/');
  const node = nodes.get(finalPath);
  return node ? { path: finalPath, node } : undefined;
}

function normalizeLookup(path: string, original: string): string[] {
  if (path.startsWith('/')) throw new ImageError(`archive path "${original}": absolute path`, 'InvalidArgument');
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

function escape(path: string): ImageError {
  return new ImageError(`archive path "${path}" leads outside the archive root`, 'InvalidArgument');
}
