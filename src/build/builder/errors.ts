// A build failure with the message Docker prints (the CLI shows it as is) and, when known, the Dockerfile line.

export class BuildError extends Error {
  constructor(message: string, readonly line?: number, options?: { cause?: unknown; code?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'BuildError';
    if (options?.code !== undefined) this.code = options.code;
  }
  /** A RUN step's exit code, when that is what failed. */
  code?: number;
}
