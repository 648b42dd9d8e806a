// API version bounds, the engine version the Docker clients see, and the headers every response carries.
import { VERSION } from '../../runtime/version.js';

/** The newest Docker Engine API version served (advertised as `Api-Version`). */
export const MAX_API_VERSION = '1.47';
/** The oldest Docker Engine API version served (`MinAPIVersion` in /version). */
export const MIN_API_VERSION = '1.24';
/**
 * The engine version reported in `Server` and /version. Clients and scripts compare it to Docker releases
 * (compose, testcontainers, "docker ≥ 20" checks), so it is Docker-like semver; Berth's own version is the
 * version of /version's Components.
 */
export const ENGINE_VERSION = '28.0.0-berth';
export { VERSION as BERTH_VERSION };

/** Compares two "X.Y" API versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number(n));
  const pb = b.split('.').map((n) => Number(n));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The headers Docker sends on every response (the CLI reads the OS from `Server`, the rest from /_ping). */
export function standardHeaders(): Record<string, string> {
  return {
    Server: `Docker/${ENGINE_VERSION} (linux)`,
    'Api-Version': MAX_API_VERSION,
    Ostype: 'linux',
    'Docker-Experimental': 'false',
  };
}
