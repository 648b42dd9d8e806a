// Leases keep what an operation in flight has written (blobs, snapshot keys) safe from garbage collection
// before anything references it (a pull commits layers before the image record exists). A lease is a file
// `<root>/leases/<id>.json` naming its process; the lease of a process that died no longer protects anything.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { currentProcess, isAlive } from './process-identity.js';

export interface Lease {
  readonly id: string;
  /** Protects resources (digests or snapshot keys); written to disk (in one write) before it resolves. */
  add(...resources: string[]): Promise<void>;
  /** Drops the lease; its resources become collectable unless something else references them. */
  release(): Promise<void>;
}

interface LeaseRecord {
  id: string;
  label: string;
  pid: number;
  startTime: string;
  createdAt: string;
  resources: string[];
}

const leaseDir = (root: string): string => path.join(root, 'leases');

// tmp + rename: a reader never sees a half-written lease.
function writeRecord(file: string, record: LeaseRecord): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, file);
}

/** Creates a lease owned by this process, stored under `<root>/leases/`. */
export function createLease(root: string, label: string): Lease {
  const dir = leaseDir(root);
  fs.mkdirSync(dir, { recursive: true });
  const me = currentProcess();
  const id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  const file = path.join(dir, `${id}.json`);
  const record: LeaseRecord = { id, label, pid: me.pid, startTime: me.startTime, createdAt: new Date().toISOString(), resources: [] };
  writeRecord(file, record);
  let released = false;
  return {
    id,
    async add(...resources) {
      if (released) throw new Error(`lease ${id} (${label}) was already released`);
      const fresh = resources.filter((r, i) => !record.resources.includes(r) && resources.indexOf(r) === i);
      if (!fresh.length) return;
      record.resources.push(...fresh);
      writeRecord(file, record);
    },
    async release() {
      released = true;
      fs.rmSync(file, { force: true });
    },
  };
}

/** Resources protected by leases of live processes; leases of dead processes are deleted on the way. */
export async function activeLeaseResources(root: string): Promise<Set<string>> {
  const dir = leaseDir(root);
  const out = new Set<string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    let record: LeaseRecord;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      fs.rmSync(file, { force: true }); // unparseable: cannot protect anything
      continue;
    }
    if (!isAlive({ pid: record.pid, startTime: String(record.startTime) })) {
      fs.rmSync(file, { force: true });
      continue;
    }
    for (const r of record.resources ?? []) out.add(r);
  }
  return out;
}
