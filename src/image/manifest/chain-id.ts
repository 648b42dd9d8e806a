// ChainIDs (OCI image spec, config.md): a layer's identity together with everything under it, which is
// what a snapshot of that layer stack is named by.
import { createHash } from 'node:crypto';
import type { Digest } from '../digest.js';

/** chainID[i] for every layer: chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}` : d);
  }
  return out;
}
