// The two iptables processes the layer runs: iptables-save (read everything once) and iptables-restore --noflush
// (apply one atomic script). Whichever backend `iptables` is (nft here, or legacy) — the same one the CNI plugins use.
import { NetworkError } from '../errors.js';
import { runTool } from '../run-tool.js';

/** The effects on the host's packet filter (a recording double replaces it in unit tests). */
export interface IptablesOps {
  /** The whole ruleset as iptables-save prints it. */
  save(): Promise<string>;
  /** Applies a script atomically with --noflush; rejects with iptables-restore's message when any line fails. */
  restore(script: string): Promise<void>;
}

/** Runs iptables-save. */
export async function iptablesSave(): Promise<string> {
  const r = await runTool('iptables-save', []).catch((e: Error) => {
    throw new NetworkError(`${e.message}: install the iptables package`, 'FailedPrecondition');
  });
  if (r.code !== 0) throw new NetworkError(`iptables-save failed: ${r.stderr.trim() || `exit ${r.code}`}`, 'Internal');
  return r.stdout;
}

/** Runs iptables-restore --noflush on a script (-w: waits for the xtables lock with the legacy backend). */
export async function iptablesRestore(script: string): Promise<void> {
  const r = await runTool('iptables-restore', ['-w', '10', '--noflush'], script).catch((e: Error) => {
    throw new NetworkError(`${e.message}: install the iptables package`, 'FailedPrecondition');
  });
  if (r.code !== 0) throw new NetworkError(`iptables-restore failed: ${r.stderr.trim().replace(/\s+/g, ' ') || `exit ${r.code}`}`, 'Internal');
}

/** The real IptablesOps. */
export const hostIptables: IptablesOps = { save: iptablesSave, restore: iptablesRestore };
