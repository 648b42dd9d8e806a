// Writes the entries of one layer into a directory. Path rules are checked first (path-rules.ts), parents
// through TreeGuard, and every call that could follow a symlink is either a no-follow variant or made on a
// path just checked to be a real directory — so nothing is ever written outside the target.
// Directories, hardlinks, devices and whiteouts are made here, synchronously (they are few, and later
// entries depend on them). Regular files and symlinks — nearly all of a layer's inodes — go to a FileWriter
// that creates them off the main thread; PendingPaths makes every later entry that touches such a path (or
// a directory above it, or below it) wait for it, so the result is that of a sequential unpack.
import fs from 'node:fs';
import type { FsOps } from '../native/fsops.js';
import { ImageError } from '../errors.js';
import type { EntryMeta, FileWriter } from './file-writer.js';
import { hardlinkTarget, joinRel, parentOf, refuse, whiteoutOf, entryPath } from './path-rules.js';
import { PendingPaths } from './pending-paths.js';
import type { TarEntry, TarReader } from './tar-reader.js';
import { TreeGuard } from './tree-guard.js';
import { applyWhiteout, isOverlayWhiteout, setOpaque, WriteLog } from './whiteouts.js';

/** Files up to this size are gathered and handed over whole; larger ones are streamed in pieces. */
const SMALL_FILE = 256 * 1024;
const PIECE = 1024 * 1024;
const TYPE_BITS = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;
const ENOTSUP = 95;
const EPERM = 1;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

export class TreeApplier {
  private readonly guard: TreeGuard;
  private readonly log = new WriteLog();
  private readonly dirTimes = new Map<string, number>();
  private readonly pending = new PendingPaths();

  constructor(
    target: string,
    private readonly mode: 'overlay' | 'delete',
    private readonly fsops: FsOps,
    private readonly maxPathLength: number,
    private readonly files: FileWriter,
    private readonly hardlinkMetadata: 'target' | 'entry' = 'target',
  ) {
    this.guard = new TreeGuard(target);
  }

  /** Applies one entry; its body (regular files) is read from `tar`. Throws an earlier entry's write failure. */
  async apply(e: TarEntry, tar: TarReader): Promise<void> {
    this.pending.check();
    const rel = entryPath(e.name, this.maxPathLength);
    const wh = whiteoutOf(rel, e.name);
    if (wh) {
      if (wh.kind !== 'meta') {
        // A whiteout looks at (and may delete) what is at its path: writes there and below land first.
        const at = wh.kind === 'opaque' ? wh.dir : joinRel(wh.dir, wh.name);
        await this.pending.above(at);
        await this.pending.within(at);
        await applyWhiteout(wh, e, { mode: this.mode, guard: this.guard, fsops: this.fsops, log: this.log, onCreateDir: this.created });
      }
      return;
    }
    if (rel === '') {
      if (e.type !== 'directory') throw refuse(e.name, 'the layer root can only be a directory');
      await this.metadata(e, '', this.guard.target, true);
      return;
    }
    const parent = parentOf(rel);
    // A known directory has no write in flight at or above it; otherwise a pending file may be where a
    // directory is about to be made.
    if (!this.guard.isKnownDir(parent)) await this.pending.above(rel);
    const dir = this.guard.dir(parent, e.name, { create: true, onCreate: this.created })!;
    const abs = `${dir}/${rel.slice(rel.lastIndexOf('/') + 1)}`;
    await this.pending.at(rel);
    switch (e.type) {
      case 'file':
        await this.file(e, rel, abs, tar);
        break;
      case 'directory':
        await this.directory(e, rel, abs);
        break;
      case 'symlink':
        if (!e.linkname) throw refuse(e.name, 'symlink has an empty target');
        if (Buffer.byteLength(e.linkname) > this.maxPathLength) throw refuse(e.name, `symlink target is longer than ${this.maxPathLength} bytes`);
        await this.symlink(e, rel, abs);
        break;
      case 'link':
        await this.hardlink(e, rel, abs);
        break;
      default:
        await this.createAsync(rel, abs, () => this.fsops.mknod(abs, TYPE_BITS[e.type as keyof typeof TYPE_BITS] | (e.mode & 0o777), e.devmajor, e.devminor));
        await this.metadata(e, rel, abs, false);
    }
    if (this.mode === 'delete') this.log.add(rel);
  }

  /**
   * Waits for every write in flight (throwing the first failure), then sets directory mtimes, deepest first
   * (writing into a directory changes its mtime, so this comes last).
   */
  async finish(): Promise<void> {
    await this.pending.drain();
    const dirs = [...this.dirTimes].sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, mtime] of dirs) {
      const abs = this.guard.abs(rel);
      // Only what is still a real directory at that path (lutimes never follows a link anyway).
      if (!fs.lstatSync(abs, { throwIfNoEntry: false })?.isDirectory()) continue;
      fs.lutimesSync(abs, mtime, mtime);
    }
  }

  private readonly created = (rel: string): void => {
    if (this.mode === 'delete') this.log.add(rel);
  };

  /** Waits for every write in flight, ignoring failures (before the caller discards a failed target). */
  async abandon(): Promise<void> {
    await this.pending.settleAll();
  }

  private async file(e: TarEntry, rel: string, abs: string, tar: TarReader): Promise<void> {
    // The writer replaces files and directories it cannot know about; one of ours goes the tracked way.
    if (this.guard.isKnownDir(rel)) await this.remove(rel, abs);
    const meta: EntryMeta = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
    await this.files.ready();
    let write: Promise<void>;
    if (e.size <= SMALL_FILE) {
      const pieces: Buffer[] = [];
      for (let p = await tar.read(e.size); p; p = await tar.read(e.size)) pieces.push(p);
      write = this.files.writeFile(abs, meta, pieces);
    } else {
      const stream = this.files.openFile(abs, meta);
      try {
        for (let p = await tar.read(PIECE); p; p = await tar.read(PIECE)) {
          stream.write(p);
          await this.files.ready();
        }
      } catch (err) {
        this.pending.track(rel, stream.end().catch(() => {})); // closes the file; the read error is what counts
        throw err;
      }
      write = stream.end();
    }
    this.pending.track(rel, e.xattrs ? write.then(() => this.xattrs(e, abs)) : write);
  }

  private async symlink(e: TarEntry, rel: string, abs: string): Promise<void> {
    if (this.guard.isKnownDir(rel)) await this.remove(rel, abs);
    await this.files.ready();
    // Symlinks get owner and times, never chmod (it would follow the link; their mode means nothing).
    const write = this.files.symlink(abs, e.linkname, { uid: e.uid, gid: e.gid, mtime: e.mtime });
    this.pending.track(rel, e.xattrs ? write.then(() => this.xattrs(e, abs)) : write);
  }

  private async directory(e: TarEntry, rel: string, abs: string): Promise<void> {
    if (!this.guard.isKnownDir(rel)) {
      try {
        fs.mkdirSync(abs, 0o700);
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err;
        const st = fs.lstatSync(abs);
        if (!st.isDirectory()) {
          fs.unlinkSync(abs);
          fs.mkdirSync(abs, 0o700);
          // Replacing this layer's own whiteout: the new directory must still hide the lower one.
          if (this.mode === 'overlay' && isOverlayWhiteout(st)) await setOpaque(this.fsops, abs);
        }
      }
      this.guard.addDir(rel);
    }
    await this.metadata(e, rel, abs, true);
  }

  private async hardlink(e: TarEntry, rel: string, abs: string): Promise<void> {
    const src = hardlinkTarget(e.name, e.linkname, this.maxPathLength);
    if (!this.guard.isKnownDir(parentOf(src))) await this.pending.above(src);
    await this.pending.at(src);
    const role = `hardlink target ${JSON.stringify(e.linkname)}`;
    const srcDir = this.guard.dir(parentOf(src), e.name, { create: false, role });
    const srcAbs = this.guard.abs(src);
    const st = srcDir ? fs.lstatSync(srcAbs, { throwIfNoEntry: false }) : undefined;
    if (!st) throw refuse(e.name, `${role} does not exist in the layer`);
    if (st.isDirectory()) throw refuse(e.name, `${role} is a directory`);
    if (src === rel) return;
    try {
      fs.linkSync(srcAbs, abs);
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw err;
      await this.remove(rel, abs);
      fs.linkSync(srcAbs, abs);
    }
    if (this.hardlinkMetadata === 'entry') await this.linkEntryMetadata(e, abs, st.isSymbolicLink());
  }

  // Docker's archive (ADD of a local tar) gives the shared inode the link header's owner, then — unless the link
  // names a symlink — its mode; then its xattrs (after the chown, which drops security.capability) and times.
  private async linkEntryMetadata(e: TarEntry, abs: string, toSymlink: boolean): Promise<void> {
    fs.lchownSync(abs, e.uid, e.gid);
    if (!toSymlink) fs.chmodSync(abs, e.mode & 0o7777);
    await this.xattrs(e, abs);
    if (!toSymlink) fs.lutimesSync(abs, e.mtime, e.mtime);
  }

  /** Runs a create call; on EEXIST removes what is there (a directory recursively) and runs it again. */
  private async createAsync(rel: string, abs: string, make: () => Promise<void>): Promise<void> {
    try {
      await make();
    } catch (err) {
      if ((err as { errno?: number }).errno !== 17) throw err;
      await this.remove(rel, abs);
      await make();
    }
  }

  // Writes in flight below a directory land before it goes.
  private async remove(rel: string, abs: string): Promise<void> {
    await this.pending.within(rel);
    this.guard.forget(rel);
    for (const k of this.dirTimes.keys()) if (k === rel || k.startsWith(`${rel}/`)) this.dirTimes.delete(k);
    fs.rmSync(abs, { recursive: true, force: true });
  }

  /** Owner, mode, xattrs and times of a non-regular entry (directory times are deferred to finish()). */
  private async metadata(e: TarEntry, rel: string, abs: string, isDir: boolean): Promise<void> {
    fs.lchownSync(abs, e.uid, e.gid);
    // chmod follows links, so never on a symlink (their mode means nothing on Linux anyway).
    if (e.type !== 'symlink') fs.chmodSync(abs, e.mode & 0o7777);
    await this.xattrs(e, abs);
    if (isDir) this.dirTimes.set(rel, e.mtime);
    else fs.lutimesSync(abs, e.mtime, e.mtime);
  }

  private async xattrs(e: TarEntry, abs: string): Promise<void> {
    if (!e.xattrs) return;
    for (const [name, value] of e.xattrs) {
      // A layer must not forge overlayfs metadata (opaque, redirect, metacopy …): only whiteouts make it.
      if (name.startsWith('trusted.overlay.')) continue;
      try {
        await this.fsops.setxattr(abs, name, value);
      } catch (err) {
        const n = (err as { errno?: number }).errno;
        // Filesystems without xattr support, and user.* on symlinks and devices (the kernel forbids it).
        if (n === ENOTSUP || (n === EPERM && name.startsWith('user.') && e.type !== 'file' && e.type !== 'directory')) continue;
        throw new ImageError(`layer entry ${JSON.stringify(e.name)}: cannot set xattr ${name}: ${(err as Error).message}`, 'Internal', { cause: err });
      }
    }
  }
}

function depth(rel: string): number {
  let n = 0;
  for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) n++;
  return rel ? n + 1 : 0;
}
