// Installs a bridge network's NAT and forward rules once — at its first attachment in this manager, verified
// against iptables-save — and removes them with the network. Per container there is no iptables process at all.
import { isNetworkError, NetworkError } from '../errors.js';
import type { NetworkResource } from '../types.js';
import { hostIptables, type IptablesOps } from './iptables.js';
import { ensureScript, parseSave, removeBridgeScript, removeScript, type Snapshot } from './plan.js';

// Another process (a second daemon, a test) may change Berth's chains between our save and restore; the restore
// then fails as a whole and a fresh snapshot settles it.
const ATTEMPTS = 3;

export class NetworkRules {
  /** Networks whose rules this manager has verified (or installed) since it opened. */
  private readonly installed = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly ops: IptablesOps) {}

  /** Makes sure a bridge network's rules are in place; after the first call per network, costs nothing. */
  ensure(net: NetworkResource): Promise<void> {
    if (this.installed.has(net.Id)) return Promise.resolve();
    return this.serial(async () => {
      if (this.installed.has(net.Id)) return;
      await this.apply(`network ${net.Name}`, net.Id, 'installing', (s) => ensureScript(s, net));
      this.installed.add(net.Id);
    });
  }

  /** Deletes a network's rules (and Berth's chains when no network has rules left). */
  remove(net: NetworkResource): Promise<void> {
    return this.serial(async () => {
      this.installed.delete(net.Id); // here, not before: an ensure queued earlier must not re-mark it afterwards
      // Two processes removing their last networks at once each see the other's rules and keep the chains; a
      // second look (one iptables-save, a restore only if the chains are now unused) deletes them.
      for (let look = 0; look < 2; look++) await this.apply(`network ${net.Name}`, net.Id, 'removing', (s) => removeScript(s, net));
    });
  }

  /**
   * Deletes every Berth rule naming a bridge device (and the chains when none is left): for tearing a host down for
   * good — tests, benchmarks — after a daemon whose predefined `bridge` network keeps its rules, as dockerd does.
   */
  removeBridge(bridge: string): Promise<void> {
    return this.serial(async () => {
      this.installed.clear(); // which networks used that bridge is unknown here: verify them all again
      for (let look = 0; look < 2; look++) await this.apply(`bridge ${bridge}`, bridge, 'removing', (s) => removeBridgeScript(s, bridge));
    });
  }

  // One change at a time in this process: a restore planned on a stale snapshot would only fail and retry.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  // Plans on a fresh snapshot and applies, until the plan is empty or applied; `grep` finds the rules concerned.
  private async apply(subject: string, grep: string, what: string, plan: (s: Snapshot) => string): Promise<void> {
    let last: unknown;
    for (let i = 0; i < ATTEMPTS; i++) {
      const script = plan(parseSave(await this.ops.save()));
      if (!script) return;
      try {
        await this.ops.restore(script);
        return;
      } catch (e) {
        if (isNetworkError(e, 'FailedPrecondition')) throw e;
        last = e;
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new NetworkError(
      `${subject}: ${what} its NAT/forward rules failed after ${ATTEMPTS} attempts: ${why}; ` +
        `check "iptables-save | grep '${grep}'" and that nothing else rewrites the BERTH-* chains`,
      'Internal',
    );
  }
}

/** Deletes every Berth rule naming a bridge device, and Berth's chains when none is left (see NetworkRules.removeBridge). */
export function removeBridgeRules(bridge: string, ops: IptablesOps = hostIptables): Promise<void> {
  return new NetworkRules(ops).removeBridge(bridge);
}
