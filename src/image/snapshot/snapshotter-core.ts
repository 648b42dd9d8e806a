// What the overlay and copy snapshotters share: metadata, numbered directories, the cross-process lock,
// parent/child rules, commit, remove and crash repair. A driver only decides how a new snapshot's
// directory is filled and how it is mounted.
//
// Layout under root: snapshots/<n>/{fs,work}, metadata/<escaped key>.json, l/<n> (overlay's short links),
// last-id, lock. Temp names start with ".tmp-<pid>_<start time>-" so repair knows whose they are. Every change of the metadata happens under the lock (lock.ts) so the checks it depends on
// hold across processes; slow work (copying a tree, deleting one) runs outside it in a dot-named temp dir
// that is renamed into place or out of the way inside it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageError } from '../errors.js';
import { checkKey } from './key-escape.js';
import { ownerAlive, ownerToken, withLock, type LockOptions } from './lock.js';
import { checkLabels, toInfo, type SnapshotRecord } from './metadata-codec.js';
import { MetadataDir } from './metadata-dir.js';
import { mountsAtOrBelow, mountsUsing, parseMountInfo, readMountInfo } from './mountinfo.js';
import { treeUsage } from './usage.js';
import type { ChangeSource, Mount, SnapshotInfo, Snapshotter, Usage } from './types.js';
import { removeTree, unlinkIfExists } from '../../common/remove-tree.js';

/** Paths of one snapshot. */
export interface Layer {
  key: string;
  id: number;
  dir: string;
  fs: string;
  work: string;
  /** <root>/l/<id>: a short path to fs, for overlay's size-limited lowerdir list. */
  link: string;
}

/** How one snapshotter implementation fills and mounts snapshot directories. */
export interface SnapshotDriver {
  readonly name: string;
  /** Fills a new snapshot directory `dir` (creating fs, and work if needed); parents nearest first. */
  populate(dir: string, kind: 'active' | 'view', parents: Layer[]): Promise<void>;
  mounts(self: Layer, kind: 'active' | 'view', parents: Layer[]): Promise<Mount[]>;
  applyTarget(self: Layer): { dir: string; whiteouts: 'overlay' | 'delete' };
  changes(self: Layer, parents: Layer[]): ChangeSource;
}

export interface CoreOptions extends LockOptions {
  /** The mount table text (default /proc/self/mountinfo); injectable for tests. */
  mountInfo?: () => Promise<string>;
}

const notFound = (key: string) => new ImageError(`snapshot "${key}" not found`, 'NotFound');
const parentNotFound = (parent: string, child: string, why = '') =>
  new ImageError(`parent snapshot "${parent}" of "${child}" not found${why}`, 'NotFound');
const exists = (key: string) => new ImageError(`snapshot "${key}" already exists; pick another key or remove it`, 'AlreadyExists');

/** Opens (creating if needed) a snapshot root driven by driver, repairing what a killed process left. */
export async function openSnapshotterCore(root: string, driver: SnapshotDriver, opts: CoreOptions = {}): Promise<Snapshotter> {
  if (!path.isAbsolute(root)) throw new ImageError(`snapshot root "${root}" must be an absolute path`, 'InvalidArgument');
  await fs.mkdir(root, { recursive: true, mode: 0o711 });
  // mountinfo and overlay options show real paths; comparing against them needs the same spelling.
  const real = await fs.realpath(root);
  if (/[,:\n]/.test(real)) {
    throw new ImageError(`snapshot root "${real}" must not contain ",", ":" or newlines (overlay cannot name such paths)`, 'InvalidArgument');
  }
  for (const d of ['snapshots', 'metadata', 'l']) await fs.mkdir(path.join(real, d), { recursive: true, mode: 0o711 });
  const core = new Core(real, driver, opts);
  await core.repair();
  return core;
}

class Core implements Snapshotter {
  private readonly meta: MetadataDir;
  private readonly lockFile: string;
  // Temp and trash names carry the owner's pid and start time, so repair removes only those of dead processes.
  private readonly tag = (ownerToken() ?? `${process.pid} 0`).replace(' ', '_');

  constructor(private readonly root: string, private readonly driver: SnapshotDriver, private readonly opts: CoreOptions) {
    this.meta = new MetadataDir(path.join(root, 'metadata'), this.tag);
    this.lockFile = path.join(root, 'lock');
  }

  get name(): string {
    return this.driver.name;
  }

  private layer(rec: SnapshotRecord): Layer {
    const dir = path.join(this.root, 'snapshots', String(rec.id));
    return { key: rec.key, id: rec.id, dir, fs: path.join(dir, 'fs'), work: path.join(dir, 'work'), link: path.join(this.root, 'l', String(rec.id)) };
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.lockFile, fn, this.opts);
  }

  private async get(key: string): Promise<SnapshotRecord> {
    const rec = await this.meta.read(checkKey(key));
    if (!rec) throw notFound(key);
    return rec;
  }

  /** The committed parent chain of a snapshot, nearest first. */
  private async parents(parent: string | undefined, child: string): Promise<SnapshotRecord[]> {
    const out: SnapshotRecord[] = [];
    for (let key = parent; key !== undefined;) {
      const rec = await this.meta.read(key);
      if (!rec) {
        if (out.length === 0) throw parentNotFound(key, child);
        throw new ImageError(`snapshot "${out[out.length - 1]!.key}" names a missing parent "${key}"`, 'DataLoss');
      }
      if (rec.kind !== 'committed') {
        throw new ImageError(`parent "${key}" of snapshot "${child}" is ${rec.kind === 'view' ? 'a view' : 'still active'}; `
          + 'only committed snapshots can be parents (commit it first)', 'FailedPrecondition');
      }
      if (out.some((r) => r.key === rec.key) || out.length > 10_000) {
        throw new ImageError(`snapshot parents of "${child}" form a loop at "${key}"`, 'DataLoss');
      }
      out.push(rec);
      key = rec.parent;
    }
    return out;
  }

  async stat(key: string): Promise<SnapshotInfo> {
    return toInfo(await this.get(key));
  }

  async list(): Promise<SnapshotInfo[]> {
    const recs = await this.meta.list();
    recs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
    return recs.map(toInfo);
  }

  prepare(key: string, parent?: string, labels?: Record<string, string>): Promise<Mount[]> {
    return this.create('active', key, parent, labels);
  }

  view(key: string, parent?: string, labels?: Record<string, string>): Promise<Mount[]> {
    return this.create('view', key, parent, labels);
  }

  private async create(kind: 'active' | 'view', key: string, parent: string | undefined, labels: unknown): Promise<Mount[]> {
    checkKey(key);
    if (parent !== undefined) checkKey(parent, `parent key of snapshot "${key}"`);
    const lbl = checkLabels(labels, key);
    // Checked once early so a taken key fails before a tree is copied, and again under the lock.
    if (await this.meta.read(key)) throw exists(key);
    const chain = await this.parents(parent, key);
    const tmp = path.join(this.root, 'snapshots', `.tmp-${this.tag}-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(tmp, { mode: 0o711 });
    let rec: SnapshotRecord;
    try {
      await this.driver.populate(tmp, kind, chain.map((r) => this.layer(r)));
      rec = await this.locked(async () => {
        if (await this.meta.read(key)) throw exists(key);
        const now = await this.parents(parent, key);
        if (now[0]?.id !== chain[0]?.id) throw parentNotFound(parent!, key, ' (removed meanwhile)');
        const r: SnapshotRecord = {
          id: await this.nextId(), key, ...(parent !== undefined ? { parent } : {}), kind, labels: lbl,
          createdAt: new Date().toISOString(),
        };
        await fs.rename(tmp, this.layer(r).dir);
        await this.meta.write(r);
        return r;
      });
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return this.driver.mounts(this.layer(rec), kind, chain.map((r) => this.layer(r)));
  }

  // Ids are never reused (a counter, not "highest dir + 1"), so a stale path held by a reader in another
  // process can never point at a newer snapshot.
  private async nextId(): Promise<number> {
    const file = path.join(this.root, 'last-id');
    const last = Number((await fs.readFile(file, 'utf8').catch(() => '0')).trim()) || 0;
    let id = last + 1;
    while (await fs.access(path.join(this.root, 'snapshots', String(id))).then(() => true, () => false)) id++;
    const tmp = path.join(this.root, `.tmp-${this.tag}-last-id`);
    await fs.writeFile(tmp, `${id}\n`);
    await fs.rename(tmp, file);
    return id;
  }

  async mounts(key: string): Promise<Mount[]> {
    const rec = await this.get(key);
    if (rec.kind === 'committed') {
      throw new ImageError(`snapshot "${key}" is committed and cannot be mounted; prepare or view a snapshot on it`, 'FailedPrecondition');
    }
    const chain = await this.parents(rec.parent, key);
    return this.driver.mounts(this.layer(rec), rec.kind, chain.map((r) => this.layer(r)));
  }

  async applyTarget(key: string): Promise<{ dir: string; whiteouts: 'overlay' | 'delete' }> {
    const rec = await this.get(key);
    if (rec.kind !== 'active') {
      throw new ImageError(`cannot apply a layer to snapshot "${key}": it is ${rec.kind === 'view' ? 'a read-only view' : 'committed'}`, 'FailedPrecondition');
    }
    return this.driver.applyTarget(this.layer(rec));
  }

  async changes(key: string): Promise<ChangeSource> {
    const rec = await this.get(key);
    if (rec.kind === 'view') throw new ImageError(`snapshot "${key}" is a read-only view and has no changes`, 'FailedPrecondition');
    const chain = await this.parents(rec.parent, key);
    return this.driver.changes(this.layer(rec), chain.map((r) => this.layer(r)));
  }

  async usage(key: string): Promise<Usage> {
    return treeUsage(this.layer(await this.get(key)).fs);
  }

  async commit(name: string, key: string, labels?: Record<string, string>): Promise<void> {
    checkKey(name, 'snapshot name');
    checkKey(key);
    const lbl = labels === undefined ? undefined : checkLabels(labels, name);
    await this.locked(async () => {
      const rec = await this.get(key);
      if (rec.kind !== 'active') {
        throw new ImageError(`cannot commit snapshot "${key}": it is ${rec.kind === 'view' ? 'a read-only view' : 'already committed'}`, 'FailedPrecondition');
      }
      if (await this.meta.read(name)) {
        throw new ImageError(`cannot commit "${key}" as "${name}": snapshot "${name}" already exists (another pull may `
          + `have committed the same layer); remove "${key}" and use "${name}"`, 'AlreadyExists');
      }
      await this.refuseMounted(rec, 'commit');
      // The committed record is written before the active one is deleted; a crash in between leaves two
      // records for one directory, which repair() resolves in favour of the committed one.
      await this.meta.write({
        id: rec.id, key: name, ...(rec.parent !== undefined ? { parent: rec.parent } : {}), kind: 'committed',
        labels: lbl ?? rec.labels, createdAt: new Date().toISOString(),
      });
      await this.meta.delete(key);
    });
  }

  async remove(key: string): Promise<void> {
    const trash = await this.locked(async () => {
      const rec = await this.get(key);
      const all = await this.meta.list();
      const children = all.filter((r) => r.parent === key).map((r) => `"${r.key}"`);
      if (children.length) {
        throw new ImageError(`cannot remove snapshot "${key}": ${children.join(', ')} ${children.length > 1 ? 'are' : 'is'} `
          + 'based on it; remove those first', 'FailedPrecondition');
      }
      await this.refuseMounted(rec, 'remove');
      await this.meta.delete(key);
      if (all.some((r) => r.id === rec.id && r.key !== key)) return undefined;
      return this.discard(this.layer(rec));
    });
    if (trash) await removeTree(trash);
  }

  // Under the lock: moves a snapshot directory out of the way (deleted after the lock is released).
  private async discard(l: Layer): Promise<string | undefined> {
    await unlinkIfExists(l.link);
    const trash = path.join(this.root, 'snapshots', `.trash-${this.tag}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(l.dir, trash);
      return trash;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private async refuseMounted(rec: SnapshotRecord, verb: string): Promise<void> {
    const l = this.layer(rec);
    const entries = parseMountInfo(await (this.opts.mountInfo ?? readMountInfo)());
    const users = mountsUsing(entries, [l.fs, l.work, l.link], l.dir);
    if (users.length) {
      throw new ImageError(`cannot ${verb} snapshot "${rec.key}": its files are mounted at ${users.join(', ')}; `
        + 'unmount first', 'FailedPrecondition');
    }
  }

  /** Undoes what a killed process left: half-done commits, unrecorded directories, temp files and links. */
  async repair(): Promise<void> {
    const trash: string[] = [];
    await this.locked(async () => {
      const recs = await this.meta.list();
      const committed = new Set(recs.filter((r) => r.kind === 'committed').map((r) => r.id));
      for (const r of recs) if (r.kind !== 'committed' && committed.has(r.id)) await this.meta.delete(r.key);
      const ids = new Set(recs.map((r) => String(r.id)));
      const dead = (name: string) => {
        const m = /^\.(?:tmp|trash)-(\d+)_(\d+)-/.exec(name);
        return m !== null && !ownerAlive(`${m[1]} ${m[2]}`);
      };
      const snaps = path.join(this.root, 'snapshots');
      const names = await fs.readdir(snaps);
      // Never delete recursively through a mount: that would delete the mounted filesystem's files.
      const entries = names.some((n) => /^\d+$/.test(n) && !ids.has(n))
        ? parseMountInfo(await (this.opts.mountInfo ?? readMountInfo)()) : [];
      for (const name of names) {
        if (/^\d+$/.test(name) && !ids.has(name)) {
          if (mountsAtOrBelow(entries, path.join(snaps, name)).length) continue;
          const t = path.join(snaps, `.trash-${this.tag}-${randomBytes(4).toString('hex')}`);
          await fs.rename(path.join(snaps, name), t);
          trash.push(t);
        } else if (dead(name)) {
          trash.push(path.join(snaps, name));
        }
      }
      for (const d of [path.join(this.root, 'metadata'), this.root]) {
        for (const name of await fs.readdir(d)) if (dead(name)) await unlinkIfExists(path.join(d, name));
      }
      for (const name of await fs.readdir(path.join(this.root, 'l'))) {
        if (!ids.has(name)) await unlinkIfExists(path.join(this.root, 'l', name));
      }
    });
    for (const t of trash) await fs.rm(t, { recursive: true, force: true });
  }
}
