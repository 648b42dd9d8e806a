// Watch as Kubernetes defines it, on top of the WatchCache's fan-out: from a resourceVersion (every change
// after it, in order), or — without one — the current state as synthetic ADDED events first. Selectors are
// applied per watcher, with Kubernetes' transitions: an object that starts matching arrives as ADDED, one
// that stops matching leaves as DELETED. Bookmarks are passed on when asked for; a compacted start revision
// ends the watch with an ERROR event carrying a 410 Expired Status.
import type { KubeObject, ResourceInfo } from '../resources/index.js';
import type { CacheEvent } from '../storage/watch-cache.js';
import { isStorageError } from '../storage/errors.js';
import { apiVersionOf } from '../resources/index.js';
import { decodeValue } from './codec.js';
import type { RegistryContext } from './context.js';
import { filterFor, parseResourceVersion } from './registry-read.js';
import { listPrefix } from './storage-keys.js';
import { internalError, isFutureRevision, statusBody, toApiError, tooLargeResourceVersion, tooOldResourceVersion } from './status.js';
import type { ApiError, WatchEventOut } from './types.js';

export interface WatchQuery {
  resourceVersion?: string | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  allowWatchBookmarks?: boolean;
  /** With resourceVersion: also send the state at that revision first, then a bookmark marking its end. */
  sendInitialEvents?: boolean;
}

/** The last event of a watch that failed: an ERROR with a Status (410 for compacted history). */
export function errorEvent(err: ApiError): WatchEventOut {
  return { type: 'ERROR', object: statusBody(err) };
}

/** Recovers namespace and name from a key when etcd no longer has a deleted object's last state. */
function stub(info: ResourceInfo, key: string): KubeObject {
  const parts = key.split('/');
  const name = parts[parts.length - 1]!;
  return { metadata: info.namespaced ? { name, namespace: parts[parts.length - 2] } : { name } };
}

/**
 * Starts a watch; events go to `send` in order. Resolves to a stop function once the watch is
 * established (after any initial events), and rejects with an ApiError for bad parameters. A watch that
 * ends on its own (compaction, storage failure) sends one ERROR event and then calls `onEnd`.
 */
export async function startWatch(
  ctx: RegistryContext,
  info: ResourceInfo,
  namespace: string | undefined,
  q: WatchQuery,
  send: (e: WatchEventOut) => void,
  onEnd: () => void,
): Promise<() => void> {
  const filter = filterFor(info, q.labelSelector, q.fieldSelector);
  const prefix = listPrefix(info, namespace);
  const rvText = q.resourceVersion ?? '';
  const fromNow = rvText === '' || rvText === '0';
  let from = fromNow ? 0 : parseResourceVersion(rvText);
  // Keys currently matching the selectors (tracked only when there are selectors).
  const matching = new Set<string>();

  const bookmark = (revision: number, initialEnd = false): WatchEventOut => ({
    type: 'BOOKMARK',
    object: {
      kind: info.kind,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: String(revision), ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
    },
  });

  // Reading at the start revision also tells whether etcd still has it: the watch cache may hold events
  // older than the compaction in memory, but a revision etcd compacted away is a 410 for every client.
  if (fromNow || q.sendInitialEvents || !filter.empty || from > 0) {
    const needState = fromNow || q.sendInitialEvents || !filter.empty;
    let state;
    try {
      state = await ctx.store.list(prefix, { ...(fromNow ? {} : { revision: from }), ...(needState ? {} : { limit: 1 }) });
    } catch (err) {
      if (isStorageError(err, 'Expired')) {
        send(errorEvent(tooOldResourceVersion(from, err.compactRevision)));
        onEnd();
        return () => undefined;
      }
      if (!isFutureRevision(err)) throw toApiError(err);
      // A revision etcd has not reached yet: without selectors the stream simply starts there.
      if (needState) throw tooLargeResourceVersion(from);
      state = undefined;
    }
    if (fromNow && state) from = state.revision;
    for (const s of needState && state ? state.items : []) {
      const obj = decodeValue(info, s.value, s.modRevision);
      if (!filter.matches(obj)) continue;
      if (!filter.empty) matching.add(s.key);
      if (fromNow || q.sendInitialEvents) send({ type: 'ADDED', object: obj });
    }
    if (q.sendInitialEvents && q.allowWatchBookmarks) send(bookmark(from, true));
  }

  let ended = false;
  // Assigned below; events may arrive synchronously while subscribing (replay from the cache window).
  let unsubscribe: () => void = () => undefined;
  const end = (err: ApiError) => {
    if (ended) return;
    ended = true;
    unsubscribe();
    send(errorEvent(err));
    onEnd();
  };

  const onCacheEvent = (e: CacheEvent) => {
    if (ended) return;
    if (e.type === 'BOOKMARK') {
      if (q.allowWatchBookmarks) send(bookmark(e.revision));
      return;
    }
    if (e.type === 'ERROR') {
      end(isStorageError(e.error, 'Expired') ? tooOldResourceVersion(from, e.error.compactRevision) : internalError((e.error as Error).message));
      return;
    }
    const key = e.object.key;
    if (e.type === 'DELETED') {
      const value = e.object.value?.metadata ? e.object.value : stub(info, key);
      const obj = sharedDecode(info, e.object, value, e.revision);
      if (filter.empty || matching.delete(key) || filter.matches(obj)) send({ type: 'DELETED', object: obj });
      return;
    }
    const obj = sharedDecode(info, e.object, e.object.value, e.object.modRevision);
    if (filter.empty) {
      send({ type: e.type, object: obj });
      return;
    }
    const now = filter.matches(obj);
    const was = matching.has(key);
    if (now) matching.add(key);
    else matching.delete(key);
    if (now) send({ type: was ? 'MODIFIED' : 'ADDED', object: obj });
    else if (was) send({ type: 'DELETED', object: obj });
  };

  unsubscribe = ctx.watchCache.subscribe(prefix, from, onCacheEvent);
  if (ended) unsubscribe();
  return () => {
    ended = true;
    unsubscribe();
  };
}

// The watch cache hands the same stored object to every subscriber of a prefix: decode it once per served
// version and share the result (treated as read-only), instead of cloning it for each of 100 watchers.
const decoded = new WeakMap<object, Map<string, KubeObject>>();
function sharedDecode(info: ResourceInfo, stored: object, value: KubeObject, revision: number): KubeObject {
  let byVersion = decoded.get(stored);
  if (!byVersion) decoded.set(stored, (byVersion = new Map()));
  const k = `${info.group}/${info.version}/${revision}`;
  let obj = byVersion.get(k);
  if (!obj) byVersion.set(k, (obj = decodeValue(info, value, revision)));
  return obj;
}
