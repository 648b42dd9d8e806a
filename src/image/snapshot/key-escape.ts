// Snapshot keys are arbitrary strings (chainIDs, "default/ctr-1/rootfs", anything a caller picks), but each
// one names a metadata file. The escaping is injective so two keys never share a file, never yields "/",
// ".", ".." or a leading dot (temp files start with one), and stays under NAME_MAX.
import { createHash } from 'node:crypto';
import { ImageError } from '../errors.js';

// Longer escaped names are shortened to a prefix plus the key's hash; ext4 allows 255 bytes per name.
const MAX_NAME = 200;
const PREFIX = 120;

/** Rejects keys that cannot name a snapshot (empty, or not a string). */
export function checkKey(key: unknown, what = 'snapshot key'): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ImageError(`invalid ${what} ${JSON.stringify(key)}: it must be a non-empty string`, 'InvalidArgument');
  }
  return key;
}

/** The file name that stores `key`: [A-Za-z0-9._-] kept (no leading dot), every other byte as %XX. */
export function escapeKey(key: string): string {
  checkKey(key);
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    const plain = /[A-Za-z0-9_-]/.test(c) || (c === '.' && out.length > 0);
    out += plain ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length <= MAX_NAME) return out;
  // "~" never appears in an escaped name (it would be %7E), so shortened names cannot collide with plain ones.
  const prefix = out.slice(0, PREFIX).replace(/%[0-9A-F]?$/, '');
  return `${prefix}~${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
