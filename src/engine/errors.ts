// The engine's error taxonomy; mapped to HTTP statuses only at the API edge (api/errors).
export type EngineErrorKind =
  | 'InvalidArgument' // 400
  | 'Unauthorized' // 401
  | 'Forbidden' // 403
  | 'NotFound' // 404
  | 'Conflict' // 409
  | 'NotModified' // 304 (start of a running container, stop of a stopped one)
  | 'FailedPrecondition' // 409 in Docker's mapping (e.g. a volume in use)
  | 'Internal'; // 500

/** An engine failure with the kind that decides its HTTP status and a message that names the fix. */
export class EngineError extends Error {
  constructor(message: string, readonly kind: EngineErrorKind = 'Internal') {
    super(message);
    this.name = 'EngineError';
  }
}

/** True for EngineErrors of `kind` (any kind when omitted). */
export function isEngineError(e: unknown, kind?: EngineErrorKind): e is EngineError {
  return e instanceof EngineError && (kind === undefined || e.kind === kind);
}
