// A resilient etcd watch on one key prefix. The gateway serves one watch per HTTP stream (Go's HTTP/1 server
// is not full duplex, so a stream's request body is sent whole and never extended). When a stream breaks —
// a member restarts or is stopped — it reconnects, to another endpoint if need be, resuming at the revision
// after the last one delivered, so consumers see every event exactly once and in order. A resume point that
// was compacted meanwhile ends the watch with Expired.
import { StorageError } from './errors.js';
import { decodeKv, prefixEnd, type EtcdClient, type KeyValue } from './etcd-client.js';

/** One change as etcd reports it: a put (kv is the new state) or a delete (prevKv is the last state). */
export interface RawWatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface EtcdWatchHandlers {
  /** Events of one or more whole revisions, in revision order. */
  onEvents(events: RawWatchEvent[]): void;
  /** Every change up to and including revision has been delivered (etcd progress notification). */
  onProgress?(revision: number): void;
  /** The watch is over (Expired after compaction); no more callbacks follow. */
  onError(err: StorageError): void;
}

export interface EtcdWatchOptions {
  /** First reconnect delay; doubles up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Watches every key under prefix from startRevision (undefined: from now on); returns a cancel function. */
export function watchPrefix(
  client: EtcdClient,
  prefix: string,
  startRevision: number | undefined,
  handlers: EtcdWatchHandlers,
  opts: EtcdWatchOptions = {},
): () => void {
  const firstDelay = opts.reconnectDelayMs ?? 100;
  const maxDelay = opts.maxReconnectDelayMs ?? 2000;
  let nextRevision = startRevision; // the first revision not yet delivered
  let stopped = false;
  let stream: { close(): void } | undefined;
  let delay = firstDelay;
  let timer: NodeJS.Timeout | undefined;
  const rangeEnd = prefixEnd(prefix).toString('base64');

  const finish = (err: StorageError) => {
    if (stopped) return;
    stopped = true;
    stream?.close();
    handlers.onError(err);
  };

  const scheduleReconnect = () => {
    if (stopped || timer) return;
    stream?.close();
    stream = undefined;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, maxDelay);
  };

  const onMessage = (msg: unknown) => {
    if (stopped) return;
    const m = msg as Json;
    if (m.error) return scheduleReconnect();
    const r = (m.result ?? {}) as Json;
    const headerRevision = Number(r.header?.revision ?? 0);
    if (r.canceled) {
      const compact = Number(r.compact_revision ?? 0);
      if (compact > 0) {
        return finish(new StorageError('Expired', `watch of ${prefix} from revision ${nextRevision}: required revision has been compacted (oldest is ${compact})`, { compactRevision: compact }));
      }
      return scheduleReconnect();
    }
    delay = firstDelay;
    if (r.created) {
      // Watching "from now": the creation revision is where we stand; everything up to it is history.
      if (nextRevision === undefined && headerRevision > 0) {
        nextRevision = headerRevision + 1;
        handlers.onProgress?.(headerRevision);
      }
      return;
    }
    const events: Json[] = r.events ?? [];
    if (events.length === 0) {
      // A progress notification: etcd has sent everything up to headerRevision.
      if (headerRevision > 0 && (nextRevision === undefined || headerRevision >= nextRevision - 1)) {
        nextRevision = headerRevision + 1;
        handlers.onProgress?.(headerRevision);
      }
      return;
    }
    const decoded: RawWatchEvent[] = [];
    for (const e of events) {
      const kv = decodeKv(e.kv ?? {});
      // A reconnect may overlap what was already delivered; drop it rather than deliver twice.
      if (nextRevision !== undefined && kv.modRevision < nextRevision) continue;
      decoded.push({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv, ...(e.prev_kv ? { prevKv: decodeKv(e.prev_kv) } : {}) });
    }
    if (decoded.length === 0) return;
    nextRevision = decoded[decoded.length - 1]!.kv.modRevision + 1;
    handlers.onEvents(decoded);
  };

  const connect = async () => {
    if (stopped) return;
    const create: Json = { key: Buffer.from(prefix, 'utf8').toString('base64'), range_end: rangeEnd, prev_kv: true, progress_notify: true };
    if (nextRevision !== undefined) create.start_revision = String(nextRevision);
    try {
      const s = await client.openStream('/v3/watch', { create_request: create }, {
        onMessage,
        onClose: () => scheduleReconnect(),
      });
      if (stopped) s.close();
      else stream = s;
    } catch {
      scheduleReconnect(); // no endpoint reachable right now: keep trying, the resume point is kept
    }
  };

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    stream?.close();
  };
}
