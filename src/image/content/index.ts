// The content store: content-addressed blobs with atomic, resumable ingest, leases and garbage collection.
export type { BlobInfo, ContentIngester, ContentProvider, ContentStore, IngestWriter } from './types.js';
export { openContentStore, DEFAULT_READ_LIMIT } from './local-store.js';
export { createLease, activeLeaseResources, type Lease } from './leases.js';
export { collectGarbage, DEFAULT_INGEST_MAX_AGE_MS, type GcResult } from './gc.js';
