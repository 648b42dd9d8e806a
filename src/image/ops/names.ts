// Familiar forms of stored names, as Docker prints them (`busybox:latest`, `localhost:5000/a@sha256:…`).
import { familiarName, parseReference } from '../reference/parse.js';

/** The familiar form of a full reference string. */
export function familiarOf(name: string): string {
  const ref = parseReference(name);
  return `${familiarName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
