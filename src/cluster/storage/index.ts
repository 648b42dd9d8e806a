// The cluster storage layer: etcd (embedded or external), the object store the API server uses, watch
// fan-out, compaction and encryption at rest.
export { StorageError, isStorageError, type StorageErrorKind } from './errors.js';
export { EtcdClient, prefixEnd, type EtcdClientOptions, type KeyValue } from './etcd-client.js';
export type { EtcdClientTls, EtcdTransport } from './etcd-http.js';
export {
  createEtcdObjectStore,
  connectObjectStore,
  stripResourceVersion,
  type ObjectStore,
  type StoredObject,
  type StoreWatchEvent,
  type StoreEventType,
  type ListOptions,
  type ListResult,
} from './object-store.js';
export { identityTransformer, prefixScopedTransformer, type Transformer } from './transformer.js';
export { aesGcmTransformer, aesGcmTransformerFromFile, loadOrCreateKey, AES_GCM_PREFIX } from './aes-gcm-transformer.js';
export { WatchCache, type CacheEvent, type WatchCacheOptions, type WatchSource } from './watch-cache.js';
export { startCompactor, type Compactor, type CompactorOptions } from './compactor.js';
export { startEmbeddedEtcd, freePort, probeHealth, type EmbeddedEtcd, type EmbeddedEtcdOptions } from './embedded-etcd.js';
export { startEtcdSupervisor, type EtcdSupervisor, type EtcdSupervisorOptions, type EtcdHealth, type EtcdState } from './etcd-supervisor.js';
