// The API layer's public surface: the request handler, the etcd key layout it writes (the server wires
// watchPrefixOf into the WatchCache and scopes encryption at rest to SECRETS_PREFIX), and the seams.
export { createApiHandler, requestAttributes } from './handler.js';
export { objectKey, listPrefix, resourcePrefix, watchPrefixOf, REGISTRY_ROOT, SECRETS_PREFIX } from './storage-keys.js';
export { SYSTEM_NAMESPACES } from './namespaces.js';
export { KUBERNETES_VERSION, PUBLIC_PATHS, versionInfo } from './nonresource.js';
export { parseRequestInfo, type RequestInfo } from './request-info.js';
export { statusBody, toApiError } from './status.js';
export * from './types.js';
