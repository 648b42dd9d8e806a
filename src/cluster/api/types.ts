// The seams of the API server: who the caller is (authentication), whether they may (authorization), what
// admission does to objects on the way in, and the in-process client controllers use. The request handler
// (api/handler.ts) depends only on these interfaces; auth/, controllers/ and server/ implement or use them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceInfo } from '../resources/types.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { WatchCache } from '../storage/watch-cache.js';

/** An authenticated identity (Kubernetes' user.Info). */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** Kubernetes' authorization attributes of one request. */
export interface RequestAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection (resource requests); get, post… otherwise. */
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** For non-resource requests (/version, /api, /openapi/v3…). */
  path: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authenticator {
  /** The caller of a request, or undefined when it carries no valid credentials (→ 401). */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

export interface Authorizer {
  authorize(attrs: RequestAttributes): Promise<Decision>;
}

/** Context an admission plugin gets. */
export interface AdmissionContext {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  info: ResourceInfo;
  user: UserInfo;
  dryRun: boolean;
  subresource?: string;
}

/**
 * Mutating/validating admission (service clusterIP and nodePort allocation live here). `admit` may change
 * `obj` and may throw an ApiError; `release` frees what `admit` reserved when the object goes away or the
 * write failed.
 */
export interface AdmissionPlugin {
  name: string;
  admit(ctx: AdmissionContext, obj: KubeObject, old: KubeObject | undefined): Promise<void>;
  release?(ctx: AdmissionContext, obj: KubeObject): Promise<void>;
}

/** A Kubernetes Status error: code + reason + message (+ details). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface GroupVersionResourceRef {
  group: string;
  version: string;
  resource: string;
}

export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/**
 * The API's semantics without HTTP (defaulting, validation, admission, finalizers, generation…), for
 * controllers running inside the API server process. Calls run as `user` (system identities bypass RBAC).
 */
export interface ClusterClient {
  get(gvr: GroupVersionResourceRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(gvr: GroupVersionResourceRef, namespace?: string, opts?: { labelSelector?: string; fieldSelector?: string }): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  create(gvr: GroupVersionResourceRef, namespace: string | undefined, obj: KubeObject): Promise<KubeObject>;
  update(gvr: GroupVersionResourceRef, namespace: string | undefined, obj: KubeObject, subresource?: string): Promise<KubeObject>;
  delete(gvr: GroupVersionResourceRef, namespace: string | undefined, name: string, opts?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; preconditions?: { uid?: string; resourceVersion?: string } }): Promise<KubeObject | undefined>;
  /** Events after `resourceVersion` ('' = from now); returns a stop function. */
  watch(gvr: GroupVersionResourceRef, namespace: string | undefined, resourceVersion: string, onEvent: (e: WatchEventOut) => void, onError: (err: Error) => void): () => void;
}

export interface ApiServerDeps {
  store: ObjectStore;
  watchCache: WatchCache;
  authenticator: Authenticator;
  authorizer: Authorizer;
  admission: AdmissionPlugin[];
  /** Now, injectable for tests (creationTimestamp, deletionTimestamp, managedFields times). */
  now?: () => Date;
}

/** What api/handler.ts exports (implemented there). */
export type CreateApiHandler = (deps: ApiServerDeps) => {
  /** Serves one HTTP request (authentication, authorization, routing, Status errors). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The same semantics in process, for controllers. */
  client(user: UserInfo): ClusterClient;
  close(): Promise<void>;
};
