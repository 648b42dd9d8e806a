// The reference grammar of docker/distribution's `reference` package. Go matches it with RE2 (linear time);
// JavaScript backtracks, so the one big expression is split into anchored pieces without nested ambiguous
// repetition. The accepted language is the same: `[-]*` between alphanumerics is written `-+` because an
// empty separator adds nothing that `[a-z0-9]+` does not already match.

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|-+)';
const nameComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainNameComponent = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
// Newer Docker releases accept bracketed IPv6 literals (`[::1]:5000/x`); so do we.
const ipv6Address = '\\[[a-fA-F0-9:]+\\]';
const domain = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|${ipv6Address})(?::[0-9]+)?`;

/** A whole domain (`host[:port]`). */
export const DOMAIN_RE = new RegExp(`^${domain}$`);
/** A repository path below the domain. */
export const REMOTE_NAME_RE = new RegExp(`^${nameComponent}(?:/${nameComponent})*$`);
/** A tag on its own. */
export const TAG_RE = /^\w[\w.-]{0,127}$/;
/** A digest as the reference grammar allows it (validated further by the digest rules). */
export const DIGEST_SYNTAX_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** A bare image id, which Docker refuses as a repository name. */
export const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;
/** Longest name (domain and path) Docker accepts. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Docker's `ReferenceRegexp` match of `name[:tag][@digest]`; null when the text is not a reference. */
export function matchReference(text: string): { name: string; tag?: string; digest?: string } | null {
  const at = text.indexOf('@');
  const left = at < 0 ? text : text.slice(0, at);
  const digest = at < 0 ? undefined : text.slice(at + 1);
  if (digest !== undefined && !DIGEST_SYNTAX_RE.test(digest)) return null;
  // A tag follows the last ':' that comes after the last '/' (an earlier ':' is a registry port).
  const colon = left.lastIndexOf(':');
  const hasTag = colon > left.lastIndexOf('/');
  const name = hasTag ? left.slice(0, colon) : left;
  const tag = hasTag ? left.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG_RE.test(tag)) return null;
  if (!isName(name)) return null;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `[domain/]remoteName`. */
function isName(name: string): boolean {
  if (REMOTE_NAME_RE.test(name)) return true;
  const slash = name.indexOf('/');
  return slash > 0 && DOMAIN_RE.test(name.slice(0, slash)) && REMOTE_NAME_RE.test(name.slice(slash + 1));
}
