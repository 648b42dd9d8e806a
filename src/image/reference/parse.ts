// Image references normalized as Docker's `reference.ParseNormalizedNamed` does: `busybox` is
// `docker.io/library/busybox`, `index.docker.io` is `docker.io`, and the first path component is a registry
// only when it looks like a host (has `.` or `:`, is `localhost`, or has uppercase letters).
import type { Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { ANCHORED_IDENTIFIER_RE, DOMAIN_RE, NAME_TOTAL_LENGTH_MAX, matchReference } from './grammar.js';

export interface ImageReference {
  /** Registry host[:port]; `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path below the domain (`library/busybox`, `team/app`). */
  path: string;
  tag?: string;
  digest?: Digest;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

/** Parses and normalizes a reference as Docker does; no default tag is added (see withDefaultTag). */
export function parseReference(input: string): ImageReference {
  const fail = (msg: string): never => {
    throw new ImageError(`"${input}": ${msg}`, 'InvalidArgument');
  };
  if (ANCHORED_IDENTIFIER_RE.test(input)) {
    fail(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remoteName = colon > -1 ? remainder.slice(0, colon) : remainder;
  if (remoteName.toLowerCase() !== remoteName) fail('invalid reference format: repository name must be lowercase');

  const full = `${domain}/${remainder}`;
  const m = matchReference(full);
  if (!m) {
    if (matchReference(full.toLowerCase())) fail('invalid reference format: repository name must be lowercase');
    fail('invalid reference format');
  }
  const { name, tag, digest } = m!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  // Docker would read `bad_host.com/x` as a domain-less name; a reference without a registry is of no use
  // to a client, so it is refused.
  if (!DOMAIN_RE.test(domain)) fail('invalid reference format');
  const ref: ImageReference = { domain, path: name.slice(domain.length + 1) };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) fail(problem);
    ref.digest = digest as Digest;
  }
  return ref;
}

/** The full reference: `docker.io/library/busybox:latest`, `host:5000/a/b@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The repository as `docker images` shows it: `busybox`, `team/app`, `localhost:5000/x`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  const rest = ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : '';
  return rest && !rest.includes('/') ? rest : ref.path;
}

/** familiarName plus tag and digest: `busybox:1.36`, `team/app@sha256:…`. */
export function familiarString(ref: ImageReference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The reference with tag `latest` when it has neither tag nor digest (Docker's TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** parseReference then withDefaultTag: what `docker pull busybox` means. */
export function normalizeReference(input: string): ImageReference {
  return withDefaultTag(parseReference(input));
}

/** The host a domain's registry API is served from (`docker.io` → `registry-1.docker.io`). */
export function registryEndpointHost(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain;
}

/** Docker's splitDockerDomain: where the registry ends and the repository begins. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/** go-digest's validation messages; Berth's digests are sha256 and sha512 only. */
function digestProblem(d: string): string | undefined {
  const i = d.indexOf(':');
  const alg = d.slice(0, i);
  const hex = d.slice(i + 1);
  const size = alg === 'sha256' ? 64 : alg === 'sha512' ? 128 : 0;
  if (!size) return `unsupported digest algorithm "${alg}" (expected sha256 or sha512)`;
  if (hex.length !== size) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}
