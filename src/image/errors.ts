// The image layer's error taxonomy (containerd's shape): the CLI maps kinds to exit codes, the engine to
// HTTP statuses; messages name the image, blob or file and say what to do.

export type ImageErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'FailedPrecondition'
  | 'Unauthorized'
  | 'PermissionDenied'
  | 'Unavailable'
  | 'DataLoss'
  | 'Internal';

export class ImageError extends Error {
  constructor(message: string, readonly kind: ImageErrorKind = 'Internal', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
  }
}

/** True when err is an ImageError of the given kind. */
export function isImageError(err: unknown, kind?: ImageErrorKind): err is ImageError {
  return err instanceof ImageError && (kind === undefined || err.kind === kind);
}
