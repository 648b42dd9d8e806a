// Container state on disk: <root>/<id>/state.json, written atomically, one directory per container.
import fs from 'node:fs';
import path from 'node:path';
import type { Spec } from '../spec/types.js';
import { RuntimeError } from '../errors.js';

/** What the runtime remembers about a container between commands. */
export interface PersistedState {
  id: string;
  bundle: string;
  rootfs: string;
  /** RFC3339Nano. */
  created: string;
  owner: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat when the container was created: detects pid reuse. */
  pidStartTime: string;
  annotations?: Record<string, string>;
  /** Set while create runs hooks; cleared once the process is ready. */
  creating?: boolean;
  config: Spec;
  cgroupPath: string;
  /** Rootless container created without cgroups (its caller could not create them). */
  cgroupless?: boolean;
  /** Cgroup directories this container's create made or owns (removed on delete when empty). */
  cgroupCreated?: string[];
  /** Namespace type → path, for exec (new namespaces as /proc/<pid>/ns/*). */
  namespaces: Record<string, string>;
}

const ID = /^[\w+\-.]+$/;

/** Refuses ids runc refuses: empty, with '/', '..', or characters outside [A-Za-z0-9_+-.]. */
export function validateId(id: string): void {
  if (!id) throw new RuntimeError('container id cannot be empty', 'InvalidArgument');
  if (!ID.test(id) || id === '.' || id === '..') {
    throw new RuntimeError(`invalid container id "${id}": use letters, digits, and _ + - . only`, 'InvalidArgument');
  }
}

/** The state directory tree of one runtime root (`--root`). */
export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  fifo(id: string): string {
    return path.join(this.root, id, 'exec.fifo');
  }

  /** Reserves the id: fails if a container with it exists. */
  reserve(id: string): string {
    validateId(id);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    const dir = this.dir(id);
    try {
      fs.mkdirSync(dir, { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new RuntimeError(`container "${id}" already exists (delete it first, or choose another id)`, 'AlreadyExists');
      }
      throw e;
    }
    return dir;
  }

  write(state: PersistedState): void {
    const file = path.join(this.dir(state.id), 'state.json');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, file);
  }

  read(id: string): PersistedState {
    validateId(id);
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir(id), 'state.json'), 'utf8')) as PersistedState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RuntimeError(`container "${id}" does not exist`, 'NotFound');
      }
      throw new RuntimeError(`container "${id}": unreadable state ${path.join(this.dir(id), 'state.json')}: ${(e as Error).message}`);
    }
  }

  exists(id: string): boolean {
    return fs.existsSync(path.join(this.dir(id), 'state.json'));
  }

  /** Ids of every container with a state file, sorted. */
  list(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => ID.test(n) && fs.existsSync(path.join(this.root, n, 'state.json'))).sort();
  }

  /** Removes a container's state dir; it holds only flat files (state.json, exec.fifo, temp files). */
  remove(id: string): void {
    // Not fs.rmSync({recursive}): its JS rimraf costs ~12 ms cold on the hot path of run/delete.
    const dir = this.dir(id);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const n of names) fs.unlinkSync(path.join(dir, n));
    fs.rmdirSync(dir);
  }
}
