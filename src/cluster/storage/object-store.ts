// The API server's only door to etcd: JSON objects under string keys, etcd's MVCC revisions as resource
// versions, and optimistic concurrency through transactions that compare create/mod revisions (so a lost
// race is a Conflict, never a silent overwrite). Values are stored without metadata.resourceVersion — the
// revision is etcd's, and the API layer writes it into responses from modRevision.
import { StorageError, isStorageError } from './errors.js';
import { EtcdClient, prefixEnd, type KeyValue } from './etcd-client.js';
import { watchPrefix } from './etcd-watch.js';
import { identityTransformer, type Transformer } from './transformer.js';

export interface StoredObject {
  key: string;
  value: Record<string, unknown>;
  modRevision: number;
  createRevision: number;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change to one object. For DELETED, object is the last state and its modRevision the deletion's. */
export interface StoreWatchEvent {
  type: StoreEventType;
  object: StoredObject;
  revision: number;
}

export interface ListOptions {
  limit?: number;
  /** Where the previous page stopped (its nextKey); must lie under the listed prefix. */
  continueKey?: string;
  /** Read as of this revision (consistent pages); omitted: the latest. */
  revision?: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The revision the list reflects: pass it back with continueKey for the next page. */
  revision: number;
  more: boolean;
  nextKey?: string;
  /** How many objects follow this page (at the list's revision). */
  remaining?: number;
}

export interface ObjectStore {
  get(key: string): Promise<StoredObject | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** AlreadyExists when the key is present. */
  create(key: string, value: Record<string, unknown>): Promise<StoredObject>;
  /** NotFound when absent; Conflict when its modRevision is no longer expectedModRevision. */
  update(key: string, value: Record<string, unknown>, expectedModRevision: number): Promise<StoredObject>;
  /** Returns the last state; NotFound when absent, Conflict when expectedModRevision is given and stale. */
  delete(key: string, expectedModRevision?: number): Promise<StoredObject>;
  /** Changes under prefix after fromRevision (0: from now on), in revision order; returns a cancel function.
   *  onError ends the watch (Expired when fromRevision was compacted). onProgress reports that every change
   *  up to a revision has been delivered. */
  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (e: StoreWatchEvent) => void,
    onError: (err: StorageError) => void,
    onProgress?: (revision: number) => void,
  ): () => void;
  currentRevision(): Promise<number>;
  /** Discards history before revision (already compacted: a no-op). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export interface EtcdObjectStoreOptions {
  client: EtcdClient;
  transformer?: Transformer;
  /** Close the client with the store (default true). */
  ownsClient?: boolean;
}

/** Returns value without metadata.resourceVersion (a shallow copy; value itself is untouched). */
export function stripResourceVersion(value: Record<string, unknown>): Record<string, unknown> {
  const meta = value.metadata;
  if (!meta || typeof meta !== 'object' || !('resourceVersion' in meta)) return value;
  const { resourceVersion: _rv, ...rest } = meta as Record<string, unknown>;
  return { ...value, metadata: rest };
}

/** An ObjectStore on etcd. */
export function createEtcdObjectStore(opts: EtcdObjectStoreOptions): ObjectStore {
  const { client } = opts;
  const transformer = opts.transformer ?? identityTransformer;
  const watches = new Set<() => void>();

  const encode = (key: string, value: Record<string, unknown>): Buffer =>
    transformer.toStorage(key, Buffer.from(JSON.stringify(stripResourceVersion(value)), 'utf8'));

  const decode = (kv: KeyValue, modRevision = kv.modRevision): StoredObject => {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(transformer.fromStorage(kv.key, kv.value).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new StorageError('Invalid', `cannot decode the stored value at ${kv.key}: ${(err as Error).message}`, { key: kv.key, cause: err });
    }
    return { key: kv.key, value, modRevision, createRevision: kv.createRevision };
  };

  /** After a failed compare: NotFound if the key is gone, else Conflict. */
  const notFoundOrConflict = (key: string, current: KeyValue | undefined, expected: number): StorageError =>
    current
      ? new StorageError('Conflict', `${key}: modified meanwhile (revision ${current.modRevision}, expected ${expected})`, { key })
      : new StorageError('NotFound', `${key} not found`, { key });

  return {
    async get(key) {
      const r = await client.range(key);
      return r.kvs[0] ? decode(r.kvs[0]) : undefined;
    },

    async list(prefix, o = {}) {
      const start = o.continueKey ?? prefix;
      if (!start.startsWith(prefix)) throw new StorageError('Invalid', `continue key ${JSON.stringify(start)} is not under ${prefix}`);
      const r = await client.range(start, { rangeEnd: prefixEnd(prefix), ...(o.limit ? { limit: o.limit } : {}), ...(o.revision ? { revision: o.revision } : {}) });
      const items = r.kvs.map((kv) => decode(kv));
      const revision = o.revision ?? r.revision;
      const result: ListResult = { items, revision, more: r.more };
      if (r.more && items.length > 0) {
        result.nextKey = items[items.length - 1]!.key + '\0';
        result.remaining = Math.max(0, r.count - items.length);
      }
      return result;
    },

    async create(key, value) {
      const r = await client.txn(
        [{ key, target: 'CREATE', result: 'EQUAL', value: 0 }],
        [{ put: { key, value: encode(key, value) } }],
      );
      if (!r.succeeded) throw new StorageError('AlreadyExists', `${key} already exists`, { key });
      return { key, value: stripResourceVersion(value), modRevision: r.revision, createRevision: r.revision };
    },

    async update(key, value, expectedModRevision) {
      const r = await client.txn(
        [{ key, target: 'MOD', result: 'EQUAL', value: expectedModRevision }],
        [{ put: { key, value: encode(key, value), prevKv: true } }],
        [{ range: { key } }],
      );
      if (!r.succeeded) throw notFoundOrConflict(key, r.responses[0]?.range?.kvs[0], expectedModRevision);
      const prev = r.responses[0]?.put?.prevKv;
      return { key, value: stripResourceVersion(value), modRevision: r.revision, createRevision: prev?.createRevision ?? r.revision };
    },

    async delete(key, expectedModRevision) {
      if (expectedModRevision === undefined) {
        const r = await client.deleteRange(key);
        if (!r.prevKvs[0]) throw new StorageError('NotFound', `${key} not found`, { key });
        return decode(r.prevKvs[0]);
      }
      const r = await client.txn(
        [{ key, target: 'MOD', result: 'EQUAL', value: expectedModRevision }],
        [{ deleteRange: { key, prevKv: true } }],
        [{ range: { key } }],
      );
      if (!r.succeeded) throw notFoundOrConflict(key, r.responses[0]?.range?.kvs[0], expectedModRevision);
      const prev = r.responses[0]?.deleteRange?.prevKvs[0];
      if (!prev) throw new StorageError('NotFound', `${key} not found`, { key });
      return decode(prev);
    },

    watch(prefix, fromRevision, onEvent, onError, onProgress) {
      let cancelled = false;
      const cancel = watchPrefix(client, prefix, fromRevision > 0 ? fromRevision + 1 : undefined, {
        onEvents(events) {
          for (const e of events) {
            if (cancelled) return;
            let ev: StoreWatchEvent;
            try {
              if (e.type === 'PUT') {
                ev = { type: e.kv.createRevision === e.kv.modRevision ? 'ADDED' : 'MODIFIED', object: decode(e.kv), revision: e.kv.modRevision };
              } else {
                // etcd gives the last state as prevKv; without it (history compacted) only the key is known.
                const object = e.prevKv ? decode(e.prevKv, e.kv.modRevision) : { key: e.kv.key, value: {}, modRevision: e.kv.modRevision, createRevision: 0 };
                ev = { type: 'DELETED', object, revision: e.kv.modRevision };
              }
            } catch (err) {
              stop();
              onError(err as StorageError);
              return;
            }
            onEvent(ev);
          }
        },
        onProgress: (rev) => !cancelled && onProgress?.(rev),
        onError: (err) => {
          if (cancelled) return;
          stop();
          onError(err);
        },
      });
      const stop = () => {
        cancelled = true;
        watches.delete(stop);
        cancel();
      };
      watches.add(stop);
      return stop;
    },

    async currentRevision() {
      return (await client.range('\0', { countOnly: true })).revision;
    },

    async compact(revision) {
      try {
        await client.compact(revision);
      } catch (err) {
        if (isStorageError(err, 'Expired')) return; // that history is gone already
        throw err;
      }
    },

    async close() {
      for (const stop of [...watches]) stop();
      if (opts.ownsClient !== false) client.close();
    },
  };
}

/** Convenience: an ObjectStore on the given etcd endpoints (failover across them). */
export function connectObjectStore(endpoints: string[], opts: { transformer?: Transformer; tls?: ConstructorParameters<typeof EtcdClient>[0]['tls'] } = {}): ObjectStore {
  const client = new EtcdClient({ endpoints, ...(opts.tls ? { tls: opts.tls } : {}) });
  return createEtcdObjectStore({ client, ...(opts.transformer ? { transformer: opts.transformer } : {}) });
}
