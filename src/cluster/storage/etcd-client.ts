// A small etcd v3 client over the JSON gateway: range, txn, compaction, health and watch streams, with
// failover across endpoints. The gateway speaks proto3 JSON: bytes are base64, int64s are strings, and
// zero values (false, 0, empty lists) are omitted — every decoder below treats "absent" as zero.
import { StorageError } from './errors.js';
import { createHttpTransport, TransportError, type EtcdClientTls, type EtcdTransport, type StreamHandlers } from './etcd-http.js';

/** One key-value pair as etcd stores it. */
export interface KeyValue {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface RangeResult {
  revision: number;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export type CompareTarget = 'CREATE' | 'MOD' | 'VERSION';
export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
export interface Compare { key: string; target: CompareTarget; result: CompareResult; value: number }

export type TxnOp =
  | { put: { key: string; value: Buffer; prevKv?: boolean } }
  | { range: { key: string; rangeEnd?: string | Buffer } }
  | { deleteRange: { key: string; rangeEnd?: string | Buffer; prevKv?: boolean } };

export interface TxnOpResult {
  range?: { kvs: KeyValue[] };
  put?: { prevKv?: KeyValue };
  deleteRange?: { deleted: number; prevKvs: KeyValue[] };
}

export interface TxnResult { revision: number; succeeded: boolean; responses: TxnOpResult[] }

export interface EtcdClientOptions {
  endpoints: string[];
  tls?: EtcdClientTls;
  /** Injected for unit tests; defaults to node:http(s). */
  transport?: EtcdTransport;
  /** Per-attempt timeout (ms). */
  attemptTimeoutMs?: number;
  /** Total time an operation keeps failing over and retrying (ms). */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const b64 = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');
const unb64 = (s: unknown): Buffer => Buffer.from(typeof s === 'string' ? s : '', 'base64');
const num = (v: unknown): number => (v === undefined || v === null ? 0 : Number(v));
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The smallest key greater than every key starting with prefix (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string | Buffer): Buffer {
  const buf = Buffer.from(typeof prefix === 'string' ? Buffer.from(prefix, 'utf8') : prefix);
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i]! < 0xff) {
      const end = buf.subarray(0, i + 1);
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]); // every byte is 0xff: range to the end of the keyspace
}

/** Decodes a gateway KeyValue. */
export function decodeKv(kv: Json): KeyValue {
  return {
    key: unb64(kv.key).toString('utf8'),
    value: unb64(kv.value),
    createRevision: num(kv.create_revision),
    modRevision: num(kv.mod_revision),
    version: num(kv.version),
  };
}

/** Maps a gateway error reply to a StorageError; `safe` means etcd certainly did not apply the request. */
export function gatewayError(status: number, body: Json): { error: StorageError; retry: boolean; safe: boolean } {
  const message = String(body?.message ?? body?.error ?? `HTTP ${status}`);
  if (/required revision has been compacted/.test(message)) return { error: new StorageError('Expired', message), retry: false, safe: true };
  if (/future revision/.test(message)) return { error: new StorageError('Invalid', message), retry: false, safe: true };
  // No leader / leader changed / not capable: the proposal never entered the log.
  if (/no leader|leader changed|not capable|too many requests/.test(message)) return { error: new StorageError('Unavailable', message), retry: true, safe: true };
  if (num(body?.code) === 14 || num(body?.code) === 4 || status >= 500) return { error: new StorageError('Unavailable', message), retry: true, safe: false };
  return { error: new StorageError('Invalid', `etcd rejected the request: ${message}`), retry: false, safe: true };
}

function encodeOp(op: TxnOp): Json {
  if ('put' in op) return { request_put: { key: b64(op.put.key), value: b64(op.put.value), prev_kv: op.put.prevKv ?? false } };
  if ('range' in op) return { request_range: { key: b64(op.range.key), ...(op.range.rangeEnd ? { range_end: b64(op.range.rangeEnd) } : {}) } };
  const d = op.deleteRange;
  return { request_delete_range: { key: b64(d.key), ...(d.rangeEnd ? { range_end: b64(d.rangeEnd) } : {}), prev_kv: d.prevKv ?? false } };
}

function decodeOpResult(r: Json): TxnOpResult {
  if (r.response_range) return { range: { kvs: (r.response_range.kvs ?? []).map(decodeKv) } };
  if (r.response_put) return { put: r.response_put.prev_kv ? { prevKv: decodeKv(r.response_put.prev_kv) } : {} };
  const d = r.response_delete_range ?? {};
  return { deleteRange: { deleted: num(d.deleted), prevKvs: (d.prev_kvs ?? []).map(decodeKv) } };
}

const COMPARE_FIELD: Record<CompareTarget, string> = { CREATE: 'create_revision', MOD: 'mod_revision', VERSION: 'version' };

/** etcd v3 client over the JSON gateway. */
export class EtcdClient {
  readonly endpoints: string[];
  private readonly transport: EtcdTransport;
  private readonly ownsTransport: boolean;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private preferred = 0;

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd client: no endpoints');
    this.endpoints = opts.endpoints.map((e) => e.replace(/\/+$/, ''));
    this.ownsTransport = !opts.transport;
    this.transport = opts.transport ?? createHttpTransport(opts.tls ? { tls: opts.tls } : {});
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 3000;
    this.deadlineMs = opts.deadlineMs ?? 10_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  /** The endpoint requests currently go to first (the last one that answered). */
  get currentEndpoint(): string {
    return this.endpoints[this.preferred]!;
  }

  /** Sends one request with failover: reads retry on any failure, writes only where etcd surely did not apply them. */
  async call(path: string, body: unknown, opts: { idempotent: boolean }): Promise<Json> {
    const n = this.endpoints.length;
    const deadline = this.now() + this.deadlineMs;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      const index = (this.preferred + attempt) % n;
      const endpoint = this.endpoints[index]!;
      try {
        const timeout = Math.max(100, Math.min(this.attemptTimeoutMs, deadline - this.now()));
        const reply = await this.transport.post(endpoint, path, body, timeout);
        if (reply.status === 200) {
          this.preferred = index;
          return reply.body as Json;
        }
        const mapped = gatewayError(reply.status, reply.body as Json);
        if (!mapped.retry || (!mapped.safe && !opts.idempotent)) throw mapped.error;
        lastError = mapped.error;
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (!err.retriable && !opts.idempotent) {
          throw new StorageError('Unavailable', `etcd write outcome unknown: ${err.message}`, { cause: err });
        }
        lastError = err;
      }
      // After a full round over the endpoints, back off (an election takes about a second) until the deadline.
      if ((attempt + 1) % n === 0) {
        if (this.now() >= deadline) break;
        await this.sleep(Math.min(50 * 2 ** Math.floor(attempt / n), 1000));
        if (this.now() >= deadline) break;
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new StorageError('Unavailable', `etcd unavailable (${this.endpoints.join(', ')}): ${why}`, { cause: lastError });
  }

  /** Reads a key or a range [key, rangeEnd). */
  async range(key: string, opts: { rangeEnd?: string | Buffer; limit?: number; revision?: number; countOnly?: boolean } = {}): Promise<RangeResult> {
    const body: Json = { key: b64(key) };
    if (opts.rangeEnd) body.range_end = b64(opts.rangeEnd);
    if (opts.limit) body.limit = String(opts.limit);
    if (opts.revision) body.revision = String(opts.revision);
    if (opts.countOnly) body.count_only = true;
    const r = await this.call('/v3/kv/range', body, { idempotent: true });
    return { revision: num(r.header?.revision), kvs: (r.kvs ?? []).map(decodeKv), more: Boolean(r.more), count: num(r.count) };
  }

  /** Runs a transaction: if every compare holds, the success ops, else the failure ops. */
  async txn(compare: Compare[], success: TxnOp[], failure: TxnOp[] = []): Promise<TxnResult> {
    const body = {
      compare: compare.map((c) => ({ key: b64(c.key), target: c.target, result: c.result, [COMPARE_FIELD[c.target]]: String(c.value) })),
      success: success.map(encodeOp),
      failure: failure.map(encodeOp),
    };
    const r = await this.call('/v3/kv/txn', body, { idempotent: false });
    return { revision: num(r.header?.revision), succeeded: Boolean(r.succeeded), responses: (r.responses ?? []).map(decodeOpResult) };
  }

  /** Deletes a key or range, returning the deleted pairs. */
  async deleteRange(key: string, opts: { rangeEnd?: string | Buffer } = {}): Promise<{ revision: number; deleted: number; prevKvs: KeyValue[] }> {
    const body: Json = { key: b64(key), prev_kv: true };
    if (opts.rangeEnd) body.range_end = b64(opts.rangeEnd);
    const r = await this.call('/v3/kv/deleterange', body, { idempotent: false });
    return { revision: num(r.header?.revision), deleted: num(r.deleted), prevKvs: (r.prev_kvs ?? []).map(decodeKv) };
  }

  /** Compacts history up to revision (retrying is harmless: compaction is idempotent). */
  async compact(revision: number): Promise<void> {
    await this.call('/v3/kv/compaction', { revision: String(revision), physical: false }, { idempotent: true });
  }

  /** Opens a streaming call on the first endpoint that accepts it, starting with the preferred one. */
  async openStream(path: string, body: unknown, handlers: StreamHandlers): Promise<{ close(): void; endpoint: string }> {
    const n = this.endpoints.length;
    const first = this.preferred;
    let lastError: unknown;
    for (let attempt = 0; attempt < n; attempt++) {
      const index = (first + attempt) % n;
      const endpoint = this.endpoints[index]!;
      const s = this.transport.stream(endpoint, path, body, handlers);
      try {
        await s.connected;
        // Requests follow the watch away from an endpoint that refused (it is likely down).
        if (attempt > 0) this.preferred = index;
        return { close: () => s.close(), endpoint };
      } catch (err) {
        s.close();
        lastError = err;
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new StorageError('Unavailable', `etcd unavailable for watch (${this.endpoints.join(', ')}): ${why}`, { cause: lastError });
  }

  /** Releases connections (only those of a transport this client created). */
  close(): void {
    if (this.ownsTransport) this.transport.close();
  }
}
