// Registry answers that are not successes, turned into ImageErrors that name the registry, repository and
// object, and say what to do. The OCI error body is `{"errors":[{"code","message","detail"}]}`.
import { ImageError, type ImageErrorKind } from '../errors.js';

export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

export interface ErrorContext {
  /** The registry as the user wrote it (`127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** What the request was about: `127.0.0.1:5000/a/b:tag`, `…/a/b@sha256:…`, `127.0.0.1:5000/a/b`. */
  subject: string;
  method: string;
  /** Credentials were sent (a 401 then means they were refused). */
  hadCredentials: boolean;
  /** The bearer challenge said `error="insufficient_scope"`. */
  insufficientScope?: boolean;
  /** Actions the request needed, for PermissionDenied messages (`pull,push`). */
  actions?: string;
}

const errorsMarkedTransient = new WeakSet<object>();

/** Marks an error as worth retrying (network trouble, 5xx, 429). */
export function markTransient<E extends Error>(err: E): E {
  errorsMarkedTransient.add(err);
  return err;
}

/** True for errors a retry may cure. */
export function isTransient(err: unknown): boolean {
  return typeof err === 'object' && err !== null && errorsMarkedTransient.has(err);
}

/** The entries of an OCI error body; [] when the body is not one. */
export function parseRegistryErrors(body: Buffer | string): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(body.toString()) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
      .map((e) => ({ code: String(e['code']).toUpperCase(), message: typeof e['message'] === 'string' ? e['message'] : undefined, detail: e['detail'] }));
  } catch {
    return [];
  }
}

const CODE_PHRASE: Record<string, [ImageErrorKind, string]> = {
  MANIFEST_UNKNOWN: ['NotFound', 'manifest unknown'],
  NAME_UNKNOWN: ['NotFound', 'repository name not known to registry'],
  BLOB_UNKNOWN: ['NotFound', 'blob unknown to registry'],
  BLOB_UPLOAD_UNKNOWN: ['NotFound', 'blob upload unknown to registry'],
  TAG_INVALID: ['NotFound', 'manifest tag did not match URI'],
  DIGEST_INVALID: ['DataLoss', 'provided digest did not match uploaded content'],
  SIZE_INVALID: ['DataLoss', 'provided length did not match content length'],
  MANIFEST_BLOB_UNKNOWN: ['FailedPrecondition', 'manifest references a blob the registry does not have (push the blobs first)'],
  MANIFEST_INVALID: ['InvalidArgument', 'manifest invalid'],
  MANIFEST_UNVERIFIED: ['InvalidArgument', 'manifest failed signature verification'],
  NAME_INVALID: ['InvalidArgument', 'invalid repository name'],
  BLOB_UPLOAD_INVALID: ['InvalidArgument', 'blob upload invalid'],
  RANGE_INVALID: ['InvalidArgument', 'invalid content range'],
  PAGINATION_NUMBER_INVALID: ['InvalidArgument', 'invalid number of results requested'],
  UNSUPPORTED: ['FailedPrecondition', 'the operation is unsupported'],
  TOOMANYREQUESTS: ['Unavailable', 'too many requests'],
  UNAVAILABLE: ['Unavailable', 'service unavailable'],
};

/** The ImageError for a failed registry response (status, headers, and up to 64 KiB of body). */
export function errorFromResponse(status: number, body: Buffer, ctx: ErrorContext): ImageError {
  const entries = parseRegistryErrors(body);
  const first = entries[0];
  if (status === 401 || first?.code === 'UNAUTHORIZED') return unauthorized(ctx);
  if (status === 403 || first?.code === 'DENIED') {
    return new ImageError(`${ctx.subject}: access denied${withRegistryMessage(first, 'denied')} — the account lacks ${ctx.actions ?? 'the needed'} access`, 'PermissionDenied');
  }
  const detail = first ? `: ${first.code}${first.message ? ` ${first.message}` : ''}` : '';
  if (status === 429 || first?.code === 'TOOMANYREQUESTS') {
    return markTransient(new ImageError(`${ctx.registry}: too many requests (HTTP ${status}${detail}) — try again later`, 'Unavailable'));
  }
  if (status >= 500) return markTransient(new ImageError(`${ctx.registry}: registry error HTTP ${status} for ${ctx.subject}${detail}`, 'Unavailable'));
  if (first && CODE_PHRASE[first.code]) {
    const [kind, phrase] = CODE_PHRASE[first.code]!;
    const err = new ImageError(`${ctx.subject}: ${phrase}${withRegistryMessage(first, phrase)}`, kind);
    return kind === 'Unavailable' ? markTransient(err) : err;
  }
  if (status === 404) return new ImageError(`${ctx.subject}: not found (HTTP 404 from ${ctx.registry}${detail})`, 'NotFound');
  if (status === 405) return new ImageError(`${ctx.registry}: ${ctx.method} is not allowed here (HTTP 405${detail})`, 'FailedPrecondition');
  return new ImageError(`${ctx.subject}: registry answered HTTP ${status}${detail}`, status === 400 ? 'InvalidArgument' : 'Internal');
}

/** 401: either log in, or the credentials given were refused, or they lack the scope. */
export function unauthorized(ctx: ErrorContext): ImageError {
  if (!ctx.hadCredentials) {
    return new ImageError(`${ctx.registry}: authentication required — run \`berth login ${ctx.registry}\``, 'Unauthorized');
  }
  if (ctx.insufficientScope) {
    return new ImageError(`${ctx.subject}: access denied — the credentials for ${ctx.registry} do not grant ${ctx.actions ?? 'this'} access (insufficient_scope)`, 'PermissionDenied');
  }
  return new ImageError(`${ctx.registry}: authentication failed — check the username and password (\`berth login ${ctx.registry}\`)`, 'Unauthorized');
}

function withRegistryMessage(e: RegistryErrorEntry | undefined, phrase: string): string {
  const msg = e?.message?.trim();
  if (!msg || msg.toLowerCase() === phrase.toLowerCase()) return '';
  return ` (registry says: ${msg})`;
}
