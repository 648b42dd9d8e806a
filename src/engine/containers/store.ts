// Container records on disk (<root>/containers/<id>/config.v2.json, written atomically) with an in-memory
// index by id and name; lookups accept a full id, a name, or a unique id prefix, as Docker's do.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';
import type { ContainerRecord } from './types.js';
import { removeTreeSync } from '../../common/remove-tree.js';

const RECORD = 'config.v2.json';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o710 });
    for (const id of fs.readdirSync(dir)) {
      const file = path.join(dir, id, RECORD);
      try {
        const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerRecord;
        this.index(rec);
      } catch {
        // A directory without a complete record is a create that died half-way: nothing refers to it.
        fs.rmSync(path.join(dir, id), { recursive: true, force: true });
      }
    }
  }

  /** The container's own directory (logs, generated /etc files). */
  containerDir(id: string): string {
    return path.join(this.dir, id);
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  nameTaken(name: string): boolean {
    return this.byName.has(name.replace(/^\//, ''));
  }

  /** Throws Docker's 409 when `name` is taken. */
  checkNameFree(name: string): void {
    const bare = name.replace(/^\//, '');
    const holder = this.byName.get(bare);
    if (holder) {
      throw new EngineError(
        `Conflict. The container name "/${bare}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
        'Conflict',
      );
    }
  }

  /** Adds a new record, refusing a name in use. */
  add(rec: ContainerRecord): void {
    this.checkNameFree(rec.Name);
    fs.mkdirSync(this.containerDir(rec.Id), { recursive: true, mode: 0o710 });
    this.index(rec);
    this.save(rec);
  }

  /** Persists a record (after any change). */
  save(rec: ContainerRecord): void {
    const file = path.join(this.containerDir(rec.Id), RECORD);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec));
    fs.renameSync(tmp, file);
  }

  rename(rec: ContainerRecord, newName: string): void {
    const name = newName.replace(/^\//, '');
    const holder = this.byName.get(name);
    if (holder && holder !== rec.Id) {
      throw new EngineError(`Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`, 'Conflict');
    }
    this.byName.delete(rec.Name.replace(/^\//, ''));
    rec.Name = `/${name}`;
    this.byName.set(name, rec.Id);
    this.save(rec);
  }

  /** Forgets a record and deletes its directory. */
  remove(rec: ContainerRecord): void {
    this.byId.delete(rec.Id);
    if (this.byName.get(rec.Name.replace(/^\//, '')) === rec.Id) this.byName.delete(rec.Name.replace(/^\//, ''));
    removeTreeSync(this.containerDir(rec.Id));
  }

  /** Finds a container by full id, name or unique id prefix; 404 "No such container" otherwise. */
  get(ref: string): ContainerRecord {
    const found = this.find(ref);
    if (!found) throw new EngineError(`No such container: ${ref}`, 'NotFound');
    return found;
  }

  find(ref: string): ContainerRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.replace(/^\//, ''));
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw new EngineError(`multiple IDs found with provided prefix: ${ref}`, 'InvalidArgument');
    return matches.length ? this.byId.get(matches[0]!) : undefined;
  }

  private index(rec: ContainerRecord): void {
    this.byId.set(rec.Id, rec);
    this.byName.set(rec.Name.replace(/^\//, ''), rec.Id);
  }
}
