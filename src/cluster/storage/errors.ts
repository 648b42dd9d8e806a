// The storage layer's error taxonomy. The API layer maps kinds to Status codes at its edge (NotFound → 404,
// AlreadyExists/Conflict → 409, Expired → 410, Unavailable → 503), so nothing here knows about HTTP.

export type StorageErrorKind = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Unavailable' | 'Invalid';

/** An error from the object store or watch machinery, tagged with a kind the API layer can map. */
export class StorageError extends Error {
  readonly kind: StorageErrorKind;
  readonly key: string | undefined;
  /** For Expired: the oldest revision still available (etcd's compact revision), when known. */
  readonly compactRevision: number | undefined;

  constructor(kind: StorageErrorKind, message: string, opts: { key?: string; compactRevision?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StorageError';
    this.kind = kind;
    this.key = opts.key;
    this.compactRevision = opts.compactRevision;
  }
}

/** True when err is a StorageError of the given kind. */
export function isStorageError(err: unknown, kind?: StorageErrorKind): err is StorageError {
  return err instanceof StorageError && (kind === undefined || err.kind === kind);
}
