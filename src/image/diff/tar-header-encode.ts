// Encoding of tar headers for layers: POSIX ustar, with a PAX extended header whenever a field does not fit
// (long or non-ASCII names and link targets, large ids, sizes and times) and for xattrs
// (`SCHILY.xattr.<name>`, values as raw bytes — security.capability is binary).
import type { EntryType } from '../unpack/tar-header.js';

export const BLOCK = 512;
/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

export interface TarHeader {
  /** Path relative to the layer root, without trailing slash. */
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Whole seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
}

const TYPEFLAG: Record<EntryType, string> = {
  file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6',
};
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

const isPlainAscii = (s: string): boolean => /^[\x01-\x7f]*$/.test(s);

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function paddingFor(size: number): Buffer {
  const n = (BLOCK - (size % BLOCK)) % BLOCK;
  return n ? Buffer.alloc(n) : Buffer.alloc(0);
}

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
}

/** One PAX record "<len> <key>=<value>\n"; the length counts its own digits. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

// ustar's name field is 100 bytes, with an optional 155-byte prefix split at a '/'.
function splitUstarName(name: string): { name: string; prefix: string } | null {
  if (!isPlainAscii(name)) return null;
  if (name.length <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    if (i > 155) break;
    if (name.length - i - 1 <= 100 && i > 0) return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return null;
}

function ustarBlock(
  h: { name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number; flag: string; linkname: string; devmajor: number; devminor: number },
): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  if (h.size <= MAX_OCTAL_11) octal(b, 124, 12, h.size);
  else {
    // GNU base-256 as well as the PAX record, for readers that know only one of them.
    b[124] = 0x80;
    let v = h.size;
    for (let i = 135; i > 124; i--) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
  octal(b, 136, 12, h.mtime);
  b.write(h.flag, 156, 1, 'latin1');
  b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  octal(b, 329, 8, h.devmajor);
  octal(b, 337, 8, h.devminor);
  b.write(h.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/** The header blocks of one entry (a PAX header first when needed); the data and its padding follow. */
export function encodeHeader(h: TarHeader): Buffer {
  const records: Buffer[] = [];
  const fullName = h.type === 'directory' ? `${h.name}/` : h.name;
  let split = splitUstarName(fullName);
  if (!split) {
    records.push(paxRecord('path', fullName));
    split = { name: asciiStandIn(fullName, 100), prefix: '' };
  }
  let linkname = h.linkname ?? '';
  if (linkname && (!isPlainAscii(linkname) || linkname.length > 100)) {
    records.push(paxRecord('linkpath', linkname));
    linkname = asciiStandIn(linkname, 100);
  }
  let { uid, gid, mtime } = h;
  if (uid > MAX_OCTAL_7) {
    records.push(paxRecord('uid', String(uid)));
    uid = 0;
  }
  if (gid > MAX_OCTAL_7) {
    records.push(paxRecord('gid', String(gid)));
    gid = 0;
  }
  if (mtime < 0 || mtime > MAX_OCTAL_11) {
    records.push(paxRecord('mtime', String(mtime)));
    mtime = 0;
  }
  if (h.size > MAX_OCTAL_11) records.push(paxRecord('size', String(h.size)));
  for (const name of [...(h.xattrs?.keys() ?? [])].sort()) records.push(paxRecord(`SCHILY.xattr.${name}`, h.xattrs!.get(name)!));

  const main = ustarBlock({
    name: split.name, prefix: split.prefix, mode: h.mode & 0o7777, uid, gid, size: h.size, mtime,
    flag: TYPEFLAG[h.type], linkname, devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0,
  });
  if (!records.length) return main;
  const pax = Buffer.concat(records);
  const base = h.name.slice(h.name.lastIndexOf('/') + 1);
  const paxHeader = ustarBlock({
    name: asciiStandIn(`PaxHeaders.0/${base}`, 100), prefix: '', mode: 0o644, uid: 0, gid: 0, size: pax.length,
    mtime, flag: 'x', linkname: '', devmajor: 0, devminor: 0,
  });
  return Buffer.concat([paxHeader, pax, paddingFor(pax.length), main]);
}

// What goes in a ustar field when PAX carries the real value: ASCII only, cut to fit.
function asciiStandIn(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, '_').slice(0, max);
}
