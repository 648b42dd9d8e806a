// Detach keys, as Docker reads them: `ctrl-p,ctrl-q` by default, configurable per attach (`detachKeys`) and per
// exec (`DetachKeys`). With a TTY, the key sequence typed on the client's stdin ends the attach session and leaves
// the container running; the keys themselves never reach the container.
import { EngineError } from '../errors.js';

/** Docker's default: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = Buffer.from([0x10, 0x11]);

/**
 * Parses a detach key spec: comma-separated keys, each a single character or `ctrl-<c>` with <c> a letter or one of
 * `@[\]^_` (the control codes 0–31). An empty spec means the default.
 */
export function parseDetachKeys(spec: string | null | undefined): Buffer {
  if (!spec) return DEFAULT_DETACH_KEYS;
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length === 1) out.push(k.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/i.test(k)) {
      const c = k.slice(5).toLowerCase();
      out.push(/[a-z]/.test(c) ? c.charCodeAt(0) - 0x60 : c.charCodeAt(0) - 0x40);
    } else {
      throw new EngineError(`Invalid detach keys (${spec}) provided: use keys such as "ctrl-p,ctrl-q", "ctrl-a" or "a,b" (a letter or @[\\]^_ after ctrl-, or one character)`, 'InvalidArgument');
    }
  }
  return Buffer.from(out);
}

/**
 * Watches a client's input for the detach sequence. push() returns what to forward to the container; bytes that
 * may start the sequence are held back until it completes (then `detached` is true and they are dropped) or breaks
 * (then they are forwarded).
 */
export class DetachFilter {
  private matched = 0;
  detached = false;

  constructor(private readonly keys: Buffer) {}

  push(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.detached) break;
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) this.detached = true;
        continue;
      }
      // The sequence broke: what was held goes through, and this byte may start a new sequence.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]!);
      this.matched = 0;
      if (b === this.keys[0]) {
        this.matched = 1;
        if (this.keys.length === 1) this.detached = true;
      } else out.push(b);
    }
    return Buffer.from(out);
  }
}
