// Named and anonymous volumes of the local driver: a directory per volume under <root>/volumes/<name>/_data,
// with its metadata beside it. Volumes live independently of containers; removal is refused while in use.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EngineError } from '../errors.js';

/** Docker's Volume object (GET /volumes/{name}). */
export interface Volume {
  Name: string;
  Driver: 'local';
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  Scope: 'local';
  /** Not Docker's field: true for volumes made for an image VOLUME or `-v /path` (removed by `rm -v`). */
  Anonymous?: boolean;
}

const META = 'volume.json';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeStore {
  /** Names the containers using a volume; the container manager installs it (setUsage). */
  private inUse: (name: string) => string[] = () => [];

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o701 });
  }

  setUsage(inUse: (name: string) => string[]): void {
    this.inUse = inUse;
  }

  list(): Volume[] {
    const out: Volume[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const v = this.find(name);
      if (v) out.push(v);
    }
    return out;
  }

  find(name: string): Volume | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, name, META), 'utf8')) as Volume;
    } catch {
      return undefined;
    }
  }

  get(name: string): Volume {
    const v = this.find(name);
    if (!v) throw new EngineError(`get ${name}: no such volume`, 'NotFound');
    return v;
  }

  /** Creates a volume (a random 64-hex name when none is given); creating an existing name returns it, as Docker does. */
  create(opts: { name?: string; labels?: Record<string, string>; driver?: string; driverOpts?: Record<string, string>; anonymous?: boolean } = {}): { volume: Volume; created: boolean } {
    if (opts.driver && opts.driver !== 'local') {
      throw new EngineError(`error looking up volume plugin ${opts.driver}: plugin "${opts.driver}" not found (Berth has the local driver only)`, 'NotFound');
    }
    if (opts.driverOpts && Object.keys(opts.driverOpts).length) {
      throw new EngineError(`volume driver options (${Object.keys(opts.driverOpts).join(', ')}) are not supported by Berth's local driver: create the volume without --opt`, 'InvalidArgument');
    }
    const name = opts.name || randomBytes(32).toString('hex');
    if (!NAME_RE.test(name)) {
      throw new EngineError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`, 'InvalidArgument');
    }
    const existing = this.find(name);
    if (existing) return { volume: existing, created: false };
    const base = path.join(this.dir, name);
    const data = path.join(base, '_data');
    fs.mkdirSync(data, { recursive: true });
    const volume: Volume = {
      Name: name, Driver: 'local', Mountpoint: data, CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Labels: opts.labels ?? {}, Options: {}, Scope: 'local', ...(opts.anonymous ? { Anonymous: true } : {}),
    };
    const tmp = path.join(base, `${META}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(volume));
    fs.renameSync(tmp, path.join(base, META));
    return { volume, created: true };
  }

  /** Removes a volume; refused while a container uses it (even with force, as Docker does). */
  remove(name: string, force = false): void {
    const v = this.find(name);
    if (!v) {
      if (force) return;
      throw new EngineError(`get ${name}: no such volume`, 'NotFound');
    }
    const users = this.inUse(name);
    if (users.length) throw new EngineError(`remove ${name}: volume is in use - [${users.join(', ')}]`, 'Conflict');
    fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }

  /** Removes unused volumes (anonymous ones only unless `all`, the API ≥ 1.42 default); returns names and bytes freed. */
  prune(opts: { all?: boolean; labels?: string[] } = {}): { VolumesDeleted: string[]; SpaceReclaimed: number } {
    const deleted: string[] = [];
    let space = 0;
    for (const v of this.list()) {
      if (!opts.all && !v.Anonymous) continue;
      if (opts.labels?.length && !opts.labels.every((l) => matchesLabel(v.Labels, l))) continue;
      if (this.inUse(v.Name).length) continue;
      space += diskUsage(v.Mountpoint);
      fs.rmSync(path.join(this.dir, v.Name), { recursive: true, force: true });
      deleted.push(v.Name);
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  /** Bytes a volume's data takes (for system df and prune). */
  size(name: string): number {
    return diskUsage(this.get(name).Mountpoint);
  }
}

/** `key` or `key=value` label filter. */
export function matchesLabel(labels: Record<string, string>, filter: string): boolean {
  const i = filter.indexOf('=');
  if (i < 0) return filter in labels;
  return labels[filter.slice(0, i)] === filter.slice(i + 1);
}

/** Sum of file sizes under dir (no symlink following). */
export function diskUsage(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.lstatSync(p).size;
    }
  };
  walk(dir);
  return total;
}
