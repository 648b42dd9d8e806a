// The runtime's error taxonomy; the CLI maps kinds to exit codes and messages, the engine to HTTP codes.

export type ErrorKind = 'NotFound' | 'AlreadyExists' | 'InvalidArgument' | 'FailedPrecondition' | 'Internal';

export class RuntimeError extends Error {
  constructor(message: string, readonly kind: ErrorKind = 'Internal') {
    super(message);
    this.name = 'RuntimeError';
  }
}
