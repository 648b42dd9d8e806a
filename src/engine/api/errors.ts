// Errors at the API edge: the engine's and the image layer's taxonomies become Docker's statuses and its
// `{"message": …}` body (the CLI prints `Error response from daemon: <message>`).
import { EngineError, type EngineErrorKind } from '../errors.js';
import { ImageError, type ImageErrorKind } from '../../image/index.js';

const STATUS_BY_KIND: Record<EngineErrorKind | ImageErrorKind, number> = {
  InvalidArgument: 400,
  Unauthorized: 401,
  Forbidden: 403,
  PermissionDenied: 403,
  NotFound: 404,
  Conflict: 409,
  AlreadyExists: 409,
  FailedPrecondition: 409,
  NotModified: 304,
  Unavailable: 503,
  DataLoss: 500,
  Internal: 500,
};

/** The HTTP status for an error: EngineError and ImageError by kind, any other error with a known `kind` likewise, else 500. */
export function statusOf(err: unknown): number {
  if (err instanceof EngineError || err instanceof ImageError) return STATUS_BY_KIND[err.kind] ?? 500;
  // Lower layers (runtime, network) use the same containerd-style kind names.
  const kind = (err as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && kind in STATUS_BY_KIND) return STATUS_BY_KIND[kind as keyof typeof STATUS_BY_KIND];
  return 500;
}

/** The message a client shows for an error. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Docker's error body. */
export function errorBody(err: unknown): { message: string } {
  return { message: messageOf(err) };
}

/** Writes an error as Docker does: `{"message"}` with its status; NotModified as a bare 304. */
export function sendError(res: { json(status: number, body: unknown): void; status(code: number): void }, err: unknown): number {
  const status = statusOf(err);
  if (status === 304) res.status(304);
  else res.json(status, errorBody(err));
  return status;
}

/** moby's answer for an unknown path or method. */
export const PAGE_NOT_FOUND = 'page not found';
