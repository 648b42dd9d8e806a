// A streaming tar reader: yields one entry at a time with PAX and GNU long-name overrides applied, and hands
// out the body in pieces. Types without data (links, devices, directories, fifos) have none, whatever their
// size field says, as in Go's archive/tar (what Docker and registries produce layers with).
import { ImageError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { BLOCK, decodeHeader, entryType, gnuLongText, parsePax, type EntryType } from './tar-header.js';

export interface TarEntry {
  /** The path as stored in the archive (not yet checked or normalised). */
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data (regular files only; 0 for the other types). */
  size: number;
  /** Seconds since the epoch (PAX may give a fraction). */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*` / `LIBARCHIVE.xattr.*`. */
  xattrs?: Map<string, Buffer>;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

export class TarReader {
  private remaining = 0;
  private pad = 0;
  private current = '';
  private global = new Map<string, Buffer>();
  private ended = false;

  constructor(private readonly input: ByteReader, private readonly maxHeaderSize: number) {}

  /** Bytes of the tar stream consumed so far. */
  get position(): number {
    return this.input.consumed;
  }

  /** The next entry (skipping any unread body of the previous one); null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    if (this.ended) return null;
    await this.skipBody();
    let pax: Map<string, Buffer> | undefined;
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const at = this.input.consumed;
      const block = await this.input.exact(BLOCK, 'a tar header');
      const raw = block && decodeHeader(block, at);
      if (!raw) {
        if (pax || longName !== undefined || longLink !== undefined) {
          throw new ImageError(`layer is not a valid tar archive: extended header at byte ${at} has no entry after it`, 'InvalidArgument');
        }
        this.ended = true;
        return null;
      }
      const type = entryType(raw.typeflag);
      if (type) {
        const entry: TarEntry = {
          name: raw.name,
          type,
          mode: raw.mode,
          uid: raw.uid,
          gid: raw.gid,
          size: raw.size,
          mtime: raw.mtime,
          linkname: raw.linkname,
          devmajor: raw.devmajor,
          devminor: raw.devminor,
        };
        if (longName !== undefined) entry.name = longName;
        if (longLink !== undefined) entry.linkname = longLink;
        if (this.global.size) applyPax(entry, this.global, at);
        if (pax) applyPax(entry, pax, at);
        const dataSize = type === 'file' ? entry.size : 0;
        if (type !== 'file') entry.size = 0;
        this.remaining = dataSize;
        this.pad = padding(dataSize);
        this.current = entry.name;
        return entry;
      }
      // Metadata entries: their body is the metadata.
      if (!['x', 'g', 'L', 'K'].includes(raw.typeflag)) {
        throw new ImageError(
          `layer entry "${raw.name}": unsupported tar entry type '${raw.typeflag}' (sparse, multi-volume and similar GNU extensions are not accepted in layers)`,
          'InvalidArgument',
        );
      }
      if (raw.size > this.maxHeaderSize) {
        throw new ImageError(
          `layer entry "${raw.name}": extended header of ${raw.size} bytes exceeds the limit of ${this.maxHeaderSize} bytes (maxHeaderSize)`,
          'InvalidArgument',
        );
      }
      const body = (await this.input.exact(raw.size, 'an extended header')) ?? Buffer.alloc(0);
      if (body.length < raw.size) throw new ImageError('layer is truncated: the stream ended inside an extended header', 'DataLoss');
      await this.input.skip(padding(raw.size), 'an extended header');
      if (raw.typeflag === 'x') pax = new Map([...(pax ?? []), ...parsePax(body, at)]);
      else if (raw.typeflag === 'g') for (const [k, v] of parsePax(body, at)) this.global.set(k, v);
      else if (raw.typeflag === 'L') longName = gnuLongText(body);
      else longLink = gnuLongText(body);
    }
  }

  /** The next piece (at most `max` bytes) of the current entry's body; null when it is all read. */
  async read(max: number): Promise<Buffer | null> {
    if (this.remaining === 0) {
      if (this.pad) await this.skipPadding();
      return null;
    }
    const piece = await this.input.upTo(Math.min(max, this.remaining), `the data of "${this.current}"`);
    this.remaining -= piece.length;
    if (this.remaining === 0 && this.pad) await this.skipPadding();
    return piece;
  }

  /** Skips what is left of the current body. */
  async skipBody(): Promise<void> {
    if (this.remaining) await this.input.skip(this.remaining, `the data of "${this.current}"`);
    this.remaining = 0;
    if (this.pad) await this.skipPadding();
  }

  /** Consumes the rest of the stream after the end-of-archive blocks. */
  async finish(): Promise<void> {
    while (await this.next()) {
      // an entry after end of archive is not expected; next() returns null once ended
    }
    await this.input.drain();
  }

  private async skipPadding(): Promise<void> {
    const n = this.pad;
    this.pad = 0;
    // Go's archive/tar (dockerd) takes a stream that ends right after an entry's data as the end of the
    // archive, and the docker CLI sends one (its build context with a replaced Dockerfile); a partial
    // padding is still an error.
    if ((await this.input.exact(n, `the data of "${this.current}"`)) === null) this.ended = true;
  }
}

const PAX_NUMBER = /^\d+$/;

/** Applies PAX records over the header's fields. */
function applyPax(entry: TarEntry, pax: Map<string, Buffer>, at: number): void {
  const num = (key: string, v: Buffer): number => {
    const s = v.toString('latin1');
    if (!PAX_NUMBER.test(s) || !Number.isSafeInteger(Number(s))) {
      throw new ImageError(`layer is not a valid tar archive: PAX ${key}="${s}" is not a number (header at byte ${at})`, 'InvalidArgument');
    }
    return Number(s);
  };
  for (const [key, value] of pax) {
    if (key === 'path') entry.name = value.toString('utf8');
    else if (key === 'linkpath') entry.linkname = value.toString('utf8');
    else if (key === 'size') entry.size = num(key, value);
    else if (key === 'uid') entry.uid = num(key, value);
    else if (key === 'gid') entry.gid = num(key, value);
    else if (key === 'mtime') {
      const t = Number(value.toString('latin1'));
      if (!Number.isFinite(t)) throw new ImageError(`layer is not a valid tar archive: PAX mtime is not a number (header at byte ${at})`, 'InvalidArgument');
      entry.mtime = t;
    } else if (key.startsWith('SCHILY.xattr.')) {
      (entry.xattrs ??= new Map()).set(key.slice('SCHILY.xattr.'.length), value);
    } else if (key.startsWith('LIBARCHIVE.xattr.')) {
      const name = decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length));
      (entry.xattrs ??= new Map()).set(name, Buffer.from(value.toString('latin1'), 'base64'));
    } else if (key.startsWith('GNU.sparse.')) {
      throw new ImageError(`layer entry "${entry.name}": sparse files are not accepted in layers`, 'InvalidArgument');
    }
  }
}
