// Errors the engine client raises: the daemon's own answer (status + its `message`), and "nobody answers on
// the socket" — the CLI maps the first to docker's messages and exit codes, the second to exit 125.

/** A non-2xx answer from the daemon: `message` is the daemon's `{"message"}` (or the raw body). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 404: no such container/image/volume/network. */
  get notFound(): boolean {
    return this.status === 404;
  }
}

/** The socket does not answer (absent, refused, or not ours to open). */
export class DaemonUnreachableError extends Error {
  constructor(
    message: string,
    readonly socketPath: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DaemonUnreachableError';
  }
}

/** Whether a socket error means "no daemon listens there" (as opposed to a failure mid-request). */
export function isUnreachable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK' || code === 'EACCES' || code === 'EPERM';
}

/** The daemon's message from an error body: `{"message": …}` as dockerd sends it, else the text itself. */
export function messageFromBody(body: string, status: number): string {
  const text = body.trim();
  if (!text) return `the daemon answered ${status} without a message`;
  try {
    const doc = JSON.parse(text) as { message?: unknown };
    if (doc && typeof doc.message === 'string') return doc.message;
  } catch {
    /* not JSON: the text is the message */
  }
  return text;
}
