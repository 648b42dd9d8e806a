// The path rules of layer entries, as pure functions: what a name in a layer may be, and how whiteout
// names (OCI image spec, layer.md) are recognised. Everything here is checked before anything is written.
import { ImageError } from '../errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** An entry name for an error message (long names cut so the message stays readable). */
export function quoteName(name: string): string {
  const shown = name.length > 120 ? `${name.slice(0, 100)}…(${Buffer.byteLength(name)} bytes)` : name;
  return JSON.stringify(shown);
}

/** The InvalidArgument error for an entry that breaks a rule: `layer entry "<name>": <rule>`. */
export function refuse(name: string, rule: string): ImageError {
  return new ImageError(`layer entry ${quoteName(name)}: ${rule}`, 'InvalidArgument');
}

/**
 * The entry's path relative to the layer root, normalised ("./a//b/" → "a/b"; the root itself is "").
 * Refuses absolute paths, `..` components, NUL bytes and paths longer than `maxLength` bytes.
 */
export function entryPath(name: string, maxLength = 4096): string {
  if (Buffer.byteLength(name) > maxLength) throw refuse(name, `path is longer than ${maxLength} bytes`);
  if (name.includes('\0')) throw refuse(name, 'path contains a NUL byte');
  if (name.startsWith('/')) throw refuse(name, 'absolute paths are not allowed in a layer');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw refuse(name, 'path escapes the layer root');
    parts.push(part);
  }
  return parts.join('/');
}

/** The normalised path a hardlink points at (relative to the layer root); refuses absolute and `..` targets. */
export function hardlinkTarget(name: string, linkname: string, maxLength = 4096): string {
  if (linkname.startsWith('/')) throw refuse(name, `hardlink target ${quoteName(linkname)} is absolute`);
  if (Buffer.byteLength(linkname) > maxLength) throw refuse(name, `hardlink target is longer than ${maxLength} bytes`);
  if (linkname.includes('\0')) throw refuse(name, 'hardlink target contains a NUL byte');
  const parts = linkname.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refuse(name, `hardlink target ${quoteName(linkname)} escapes the layer root`);
  if (!parts.length) throw refuse(name, 'hardlink target is the layer root');
  return parts.join('/');
}

/** Parent directory of a normalised path ("" for top-level entries). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/** Last component of a normalised path. */
export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** Joins a directory (may be "") and a name. */
export function joinRel(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

export type Whiteout =
  | { kind: 'opaque'; dir: string }
  | { kind: 'whiteout'; dir: string; name: string }
  /** Other `.wh..wh.*` names: aufs bookkeeping (e.g. `.wh..wh.plnk`), not content; skipped. */
  | { kind: 'meta' };

/** Classifies a normalised path: null for ordinary entries. Refuses whiteouts of "", "." or "..". */
export function whiteoutOf(rel: string, originalName: string): Whiteout | null {
  const base = baseOf(rel);
  if (!base.startsWith(WHITEOUT_PREFIX)) return null;
  const dir = parentOf(rel);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.') throw refuse(originalName, 'whiteout names no file');
  if (name === '..') throw refuse(originalName, 'whiteout escapes the layer root');
  return { kind: 'whiteout', dir, name };
}

/** Every proper ancestor of a normalised path, outermost first ("a/b/c" → ["a", "a/b"]). */
export function ancestorsOf(rel: string): string[] {
  const out: string[] = [];
  for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  return out;
}
