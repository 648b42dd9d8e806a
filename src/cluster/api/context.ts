// What the registry operations (read, write, delete, watch) share: the store, the watch cache, admission
// and the clock. Both entry points — HTTP requests and the in-process client — build one of these.
import type { ObjectStore } from '../storage/object-store.js';
import type { WatchCache } from '../storage/watch-cache.js';
import type { GroupVersionKind, ResourceInfo } from '../resources/index.js';
import type { AdmissionPlugin, UserInfo } from './types.js';

export interface RegistryContext {
  store: ObjectStore;
  watchCache: WatchCache;
  admission: AdmissionPlugin[];
  now(): Date;
}

/** Options of a write (create, update, patch, delete). */
export interface WriteOptions {
  user: UserInfo;
  /** `dryRun=All`: run everything, write nothing. */
  dryRun?: boolean;
  /** The field manager recorded in managedFields. */
  fieldManager?: string;
}

/** The group/version/kind of a catalog entry. */
export function gvkOf(info: ResourceInfo): GroupVersionKind {
  return { group: info.group, version: info.version, kind: info.kind };
}

/** True when the resource has a `status` subresource (so its main endpoint ignores status changes). */
export function hasStatus(info: ResourceInfo): boolean {
  return info.subresources.some((s) => s.name === 'status');
}
