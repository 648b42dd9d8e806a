// metav1.Status errors with Kubernetes' codes, reasons and wording. Clients match on these strings (kubectl
// prints `Error from server (NotFound): pods "x" not found`), so the wording is part of the API. Storage
// errors are mapped here, at the API edge, and nowhere else.
import { isStorageError } from '../storage/errors.js';
import { invalidStatus, qualifiedResource } from '../resources/index.js';
import type { Cause, GroupVersionKind } from '../resources/index.js';
import { ApiError, type RequestAttributes } from './types.js';

/** The group and plural resource an error is about (`{group: 'apps', resource: 'deployments'}`). */
export interface GroupResource {
  group: string;
  resource: string;
}

function details(gr: GroupResource | undefined, name?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (name) d.name = name;
  if (gr?.group) d.group = gr.group;
  if (gr?.resource) d.kind = gr.resource;
  return { ...d, ...extra };
}

/** 404 `pods "x" not found`. */
export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(gr)} ${JSON.stringify(name)} not found`, details(gr, name));
}

/** 404 for a path nothing is served at. */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 409 `pods "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(gr)} ${JSON.stringify(name)} already exists`, details(gr, name));
}

/** The optimistic-concurrency failure text Kubernetes uses (clients such as kubectl retry on it). */
export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** 409 `Operation cannot be fulfilled on pods "x": <why>`. */
export function conflict(gr: GroupResource, name: string, why: string = MODIFIED_MESSAGE): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} ${JSON.stringify(name)}: ${why}`, details(gr, name));
}

/** 422 from validation causes (`Pod "x" is invalid: spec.containers[0].image: Required value`). */
export function invalid(gvk: GroupVersionKind, name: string, causes: Cause[]): ApiError {
  const s = invalidStatus(gvk, name, causes) as { message: string; details: Record<string, unknown> };
  return new ApiError(422, 'Invalid', s.message, s.details);
}

/** 400 BadRequest with a free-form message. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message, {});
}

/** 405: the verb is not served for this resource. */
export function methodNotSupported(gr: GroupResource, verb: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind ${JSON.stringify(qualifiedResource(gr))}`, details(gr));
}

/** 401 for requests without valid credentials. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized', {});
}

/** 403 worded like kube-apiserver's authorization failure. */
export function forbiddenByAuthorizer(attrs: RequestAttributes, reason?: string): ApiError {
  const user = attrs.user.name;
  let why: string;
  if (!attrs.resourceRequest) {
    why = `User ${JSON.stringify(user)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  } else {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const scope = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
    why = `User ${JSON.stringify(user)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${scope}`;
  }
  if (reason) why += `: ${reason}`;
  const gr = { group: attrs.resourceRequest ? attrs.apiGroup : '', resource: attrs.resourceRequest ? attrs.resource : '' };
  return forbidden(gr, attrs.resourceRequest ? attrs.name : undefined, why);
}

/** 403 `pods "x" is forbidden: <why>` (or `forbidden: <why>` when no resource is involved). */
export function forbidden(gr: GroupResource, name: string | undefined, why: string, causes?: Record<string, unknown>[]): ApiError {
  const what = gr.resource ? qualifiedResource(gr) : '';
  const subject = what ? (name ? `${what} ${JSON.stringify(name)} is forbidden` : `${what} is forbidden`) : 'forbidden';
  return new ApiError(403, 'Forbidden', `${subject}: ${why}`, details(gr, name, causes ? { causes } : {}));
}

/** 403 for new content in a namespace that is being deleted. */
export function namespaceTerminating(gr: GroupResource, name: string, namespace: string): ApiError {
  return forbidden(gr, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
    { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
  ]);
}

/** 410 for a watch or list at a revision etcd has compacted away. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message, {});
}

/** 410 `too old resource version: <asked> (<oldest available>)`. */
export function tooOldResourceVersion(asked: number | string, oldest?: number): ApiError {
  return expired(oldest ? `too old resource version: ${asked} (${oldest})` : `too old resource version: ${asked}`);
}

/** 504 for a resourceVersion newer than storage has (clients retry, then relist). */
export function tooLargeResourceVersion(asked: number | string): ApiError {
  return new ApiError(504, 'Timeout', `Too large resource version: ${asked}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** True for the storage error of a read at a revision etcd has not reached yet. */
export function isFutureRevision(err: unknown): boolean {
  return isStorageError(err, 'Invalid') && /future revision/.test(err.message);
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message, {});
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** 415 for a body (or patch) type the endpoint does not take. */
export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, contentType ? { kind: contentType } : {});
}

/** 413 for bodies over the size limit. */
export function requestEntityTooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `the request body is too large: limit is ${limit} bytes`, {});
}

/**
 * Turns whatever a handler threw into an ApiError: ApiErrors pass through, storage errors map to their
 * Status (NotFound 404, AlreadyExists/Conflict 409, Expired 410, Unavailable 503), the rest become 500.
 */
export function toApiError(err: unknown, gr?: GroupResource, name?: string): ApiError {
  if (err instanceof ApiError) return err;
  if (isStorageError(err)) {
    const target = gr ?? { group: '', resource: '' };
    switch (err.kind) {
      case 'NotFound':
        return gr && name ? notFound(gr, name) : pathNotFound();
      case 'AlreadyExists':
        return alreadyExists(target, name ?? '');
      case 'Conflict':
        return conflict(target, name ?? '');
      case 'Expired':
        return expired(err.message);
      case 'Unavailable':
        return serviceUnavailable(`etcd is unavailable: ${err.message}`);
      default:
        return internalError(err.message);
    }
  }
  return internalError(err instanceof Error ? err.message : String(err));
}

/** The metav1.Status body of an error. */
export function statusBody(err: ApiError): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    ...(err.details && Object.keys(err.details).length ? { details: err.details } : {}),
    code: err.code,
  };
}

/** A Success Status (for deletes of collections and things without an object to return). */
export function successStatus(detailsObj?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(detailsObj ? { details: detailsObj } : {}) };
}
