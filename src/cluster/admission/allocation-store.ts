// Allocated Service IPs and NodePorts, one etcd key each (`/berth/allocations/serviceips/10.96.0.10`,
// `/berth/allocations/nodeports/30080`), taken with create-if-absent: two API servers (or two concurrent
// requests) can never hand out the same value, with no lock and no shared bitmap to contend on. Each key
// records which Service holds it, so releases and repairs only ever remove what the holder no longer uses.
import { isStorageError } from '../storage/errors.js';
import type { ObjectStore } from '../storage/object-store.js';

export type AllocationKind = 'serviceips' | 'nodeports';

/** What an allocation key holds. */
export interface AllocationRecord {
  /** `namespace/name` of the Service. */
  service: string;
  /** When it was taken (ISO time): repairs leave young allocations alone, their Service may be in flight. */
  claimedAt: string;
}

export interface Allocation {
  kind: AllocationKind;
  value: string;
  record: AllocationRecord;
  modRevision: number;
}

/** The part of ObjectStore allocations need. */
export type AllocationBackend = Pick<ObjectStore, 'get' | 'create' | 'delete' | 'list'>;

export const ALLOCATIONS_PREFIX = '/berth/allocations/';

/** The etcd key of one allocated value. */
export function allocationKey(kind: AllocationKind, value: string | number): string {
  return `${ALLOCATIONS_PREFIX}${kind}/${value}`;
}

/** Allocation keys in etcd. */
export class AllocationStore {
  constructor(
    private readonly backend: AllocationBackend,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Takes value for service; false when someone already holds it (whoever that is). */
  async claim(kind: AllocationKind, value: string | number, service: string): Promise<boolean> {
    try {
      await this.backend.create(allocationKey(kind, value), { service, claimedAt: this.now().toISOString() });
      return true;
    } catch (err) {
      if (isStorageError(err, 'AlreadyExists')) return false;
      throw err;
    }
  }

  /** The current holder of value, if any. */
  async get(kind: AllocationKind, value: string | number): Promise<Allocation | undefined> {
    const got = await this.backend.get(allocationKey(kind, value));
    return got ? { kind, value: String(value), record: got.value as unknown as AllocationRecord, modRevision: got.modRevision } : undefined;
  }

  /** Frees value if service still holds it (unchanged since expectedModRevision, when given); true if freed. */
  async release(kind: AllocationKind, value: string | number, service: string, expectedModRevision?: number): Promise<boolean> {
    const current = await this.get(kind, value);
    if (!current || current.record.service !== service) return false;
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) return false;
    try {
      await this.backend.delete(allocationKey(kind, value), current.modRevision);
      return true;
    } catch (err) {
      if (isStorageError(err, 'NotFound') || isStorageError(err, 'Conflict')) return false; // changed meanwhile: not ours to free
      throw err;
    }
  }

  /** Every allocation of a kind. */
  async list(kind: AllocationKind): Promise<Allocation[]> {
    const prefix = `${ALLOCATIONS_PREFIX}${kind}/`;
    const out: Allocation[] = [];
    let continueKey: string | undefined;
    let revision: number | undefined;
    for (;;) {
      const page = await this.backend.list(prefix, { limit: 1000, ...(continueKey ? { continueKey, revision } : {}) });
      for (const it of page.items) {
        out.push({ kind, value: it.key.slice(prefix.length), record: it.value as unknown as AllocationRecord, modRevision: it.modRevision });
      }
      if (!page.more || !page.nextKey) return out;
      continueKey = page.nextKey;
      revision = page.revision;
    }
  }
}
