// Content digests (`algorithm:hex`): validation and streaming hashing. Only sha256 and sha512 are accepted,
// as in the OCI image spec.
import { createHash, type Hash } from 'node:crypto';
import { ImageError } from './errors.js';

export type Digest = `${'sha256' | 'sha512'}:${string}`;

const PATTERN: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };

/** Validates a digest string; the error names where it came from. */
export function parseDigest(value: string, where = 'digest'): Digest {
  const i = value.indexOf(':');
  const alg = i > 0 ? value.slice(0, i) : '';
  const hex = value.slice(i + 1);
  const re = PATTERN[alg];
  if (!re) throw new ImageError(`${where}: "${value}" is not a digest (expected sha256:<64 hex digits>)`, 'InvalidArgument');
  if (!re.test(hex)) throw new ImageError(`${where}: "${value}" is not a valid ${alg} digest (expected ${alg === 'sha256' ? 64 : 128} lowercase hex digits)`, 'InvalidArgument');
  return value as Digest;
}

/** True when value is a well-formed digest. */
export function isDigest(value: string): value is Digest {
  const i = value.indexOf(':');
  const re = PATTERN[value.slice(0, i)];
  return !!re && re.test(value.slice(i + 1));
}

/** The algorithm and hex parts of a digest. */
export function splitDigest(d: Digest): { algorithm: 'sha256' | 'sha512'; hex: string } {
  const i = d.indexOf(':');
  return { algorithm: d.slice(0, i) as 'sha256' | 'sha512', hex: d.slice(i + 1) };
}

/** sha256 digest of a buffer or string. */
export function digestOf(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A hasher for the digest's algorithm (for streaming verification). */
export function hasherFor(d: Digest): Hash {
  return createHash(splitDigest(d).algorithm);
}
