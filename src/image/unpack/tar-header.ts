// Decoding of tar headers: ustar (with prefix), GNU (base-256 numbers, long names via 'L'/'K' entries) and
// PAX extended records. PAX values stay raw bytes, because xattr values such as security.capability are
// binary and a text decode would corrupt them.
import { ImageError } from '../errors.js';

export const BLOCK = 512;

export type EntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** A header block as stored (before PAX / GNU long-name overrides). */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const bad = (what: string, offset: number) =>
  new ImageError(`layer is not a valid tar archive: ${what} in the header at byte ${offset}`, 'InvalidArgument');

/** A numeric header field: octal text, or GNU base-256 when the high bit of the first byte is set. */
export function parseNumeric(buf: Buffer, start: number, len: number, field: string, offset: number): number {
  const first = buf[start]!;
  if (first & 0x80) {
    if (first === 0xff) throw bad(`negative ${field}`, offset);
    let value = first & 0x7f;
    for (let i = start + 1; i < start + len; i++) value = value * 256 + buf[i]!;
    if (!Number.isSafeInteger(value)) throw bad(`${field} too large`, offset);
    return value;
  }
  let i = start;
  const end = start + len;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw bad(`invalid ${field}`, offset);
    value = value * 8 + (c - 0x30);
  }
  return value;
}

function cString(buf: Buffer, start: number, len: number): string {
  let end = start;
  const max = start + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

function isZeroBlock(buf: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Decodes one 512-byte header; null for an all-zero block (end of archive). `offset` is for messages. */
export function decodeHeader(buf: Buffer, offset: number): RawHeader | null {
  if (isZeroBlock(buf)) return null;
  const stored = parseNumeric(buf, 148, 8, 'checksum', offset);
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += buf[i]!;
    signed += (buf[i]! << 24) >> 24;
  }
  if (stored !== unsigned && stored !== signed) throw bad('checksum mismatch', offset);
  let name = cString(buf, 0, 100);
  // POSIX ustar ("ustar\0") splits long names into prefix + name; GNU ("ustar  ") uses that area otherwise.
  if (buf.toString('latin1', 257, 263) === 'ustar\0' && buf[345] !== 0) name = `${cString(buf, 345, 155)}/${name}`;
  const flag = buf[156] === 0 ? '0' : String.fromCharCode(buf[156]!);
  return {
    name,
    mode: parseNumeric(buf, 100, 8, 'mode', offset),
    uid: parseNumeric(buf, 108, 8, 'uid', offset),
    gid: parseNumeric(buf, 116, 8, 'gid', offset),
    size: parseNumeric(buf, 124, 12, 'size', offset),
    mtime: parseNumeric(buf, 136, 12, 'mtime', offset),
    typeflag: flag,
    linkname: cString(buf, 157, 100),
    devmajor: parseNumeric(buf, 329, 8, 'devmajor', offset),
    devminor: parseNumeric(buf, 337, 8, 'devminor', offset),
  };
}

/** The entry type for a typeflag; null for the metadata types (PAX, GNU long names) and unsupported ones. */
export function entryType(flag: string): EntryType | null {
  switch (flag) {
    case '0':
    case '7': // contiguous file: a regular file everywhere that matters
      return 'file';
    case '1':
      return 'link';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      return null;
  }
}

/** Parses PAX extended header records ("<len> <key>=<value>\n"); values are kept as bytes. */
export function parsePax(buf: Buffer, offset: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] === 0) break; // NUL padding after the last record
    const space = buf.indexOf(0x20, pos);
    if (space < 0) throw bad('malformed PAX record', offset);
    const len = Number(buf.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= space - pos + 1 || pos + len > buf.length || buf[pos + len - 1] !== 0x0a) {
      throw bad('malformed PAX record', offset);
    }
    const eq = buf.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= pos + len - 1) throw bad('malformed PAX record', offset);
    out.set(buf.toString('utf8', space + 1, eq), buf.subarray(eq + 1, pos + len - 1));
    pos += len;
  }
  return out;
}

/** The NUL-terminated text of a GNU long name / long link body. */
export function gnuLongText(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.toString('utf8', 0, nul < 0 ? buf.length : nul);
}
