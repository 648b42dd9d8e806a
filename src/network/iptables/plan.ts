// From an iptables-save snapshot to the one iptables-restore --noflush script that installs or removes a network's
// rules (pure). Chains are created with -N, never declared (":CHAIN"): with --noflush a declaration flushes an
// existing chain, which would wipe other networks' rules if another process created it meanwhile; -N instead
// fails the whole (atomic) restore, and the caller re-reads and retries.
import { TABLE_CHAINS, jumpRule, networkComment, networkRules, type BerthChain, type Table } from './rules.js';
import type { NetworkResource } from '../types.js';

/** Chains and rules ("-A …" lines, counters stripped) of each table in a snapshot. */
export type Snapshot = Record<string, { chains: Set<string>; rules: string[] }>;

/** Parses iptables-save output. */
export function parseSave(text: string): Snapshot {
  const snap: Snapshot = {};
  let table: Snapshot[string] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = snap[line.slice(1)] ??= { chains: new Set(), rules: [] };
    else if (!table) continue;
    else if (line.startsWith(':')) table.chains.add(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) table.rules.push(line.replace(/^\[\d+:\d+\] /, ''));
  }
  return snap;
}

/** The script that makes a network's rules exactly what networkRules says; '' when they already are. */
export function ensureScript(snap: Snapshot, net: NetworkResource): string {
  const wanted = networkRules(net);
  const out: Record<string, string[]> = {};
  for (const table of ['nat', 'filter'] as const) {
    const want = wanted.filter((r) => r.table === table);
    const have = mine(snap, table, net.Id);
    const t = snap[table] ?? { chains: new Set<string>(), rules: [] };
    const lines: string[] = [];
    if (want.length) {
      for (const c of TABLE_CHAINS[table]) if (!t.chains.has(c.chain)) lines.push(`-N ${c.chain}`);
      for (const c of withJump(table)) if (!t.rules.includes(jumpRule(c))) lines.push(insertFirst(jumpRule(c), c.from));
    }
    const exact = have.length === want.length && want.every((r) => have.includes(r.line));
    if (!exact) {
      // Stale or partial rules (bridge renamed, rules edited by hand): replace them all.
      lines.push(...have.map(toDelete));
      for (const r of want) lines.push(r.first ? insertFirst(r.line, chainOf(r.line)) : r.line);
    }
    if (lines.length) out[table] = lines;
  }
  return script(out);
}

/** The script that deletes a network's rules, and Berth's chains and jumps when no other network's rule is left. */
export function removeScript(snap: Snapshot, net: NetworkResource | { Id: string }): string {
  const tag = `--comment "${networkComment(net.Id)}"`;
  return removeMatching(snap, (l) => l.includes(tag));
}

/** Like removeScript, for every Berth rule that names a bridge device (whatever network record it came from). */
export function removeBridgeScript(snap: Snapshot, bridge: string): string {
  const re = new RegExp(`(^| )(! )?-[io] ${bridge.replace(/[.]/g, '\\.')} .*--comment "berth network `);
  return removeMatching(snap, (l) => re.test(l));
}

function removeMatching(snap: Snapshot, match: (line: string) => boolean): string {
  const out: Record<string, string[]> = {};
  for (const table of ['nat', 'filter'] as const) {
    const t = snap[table];
    if (!t) continue;
    const chains = TABLE_CHAINS[table];
    const inBerth = (l: string) => chains.some((c) => l.startsWith(`-A ${c.chain} `));
    const structural = new Set(withJump(table).map(jumpRule));
    const have = t.rules.filter((l) => inBerth(l) && match(l));
    const lines = have.map(toDelete);
    // The last network's rules gone: every jump into Berth's chains (a race may have made two), then the chains.
    const others = t.rules.filter((l) => inBerth(l) && !have.includes(l) && !structural.has(l));
    if (chains.some((c) => t.chains.has(c.chain)) && !others.length) {
      for (const c of withJump(table)) lines.push(...jumpsTo(t.rules, c).map(toDelete));
      for (const c of chains) if (t.chains.has(c.chain)) lines.push(`-X ${c.chain}`);
    }
    if (lines.length) out[table] = lines;
  }
  return script(out);
}

/** The chains of a table that a jump rule leads into, outermost first. */
function withJump(table: Table): (BerthChain & { from: string })[] {
  return TABLE_CHAINS[table].filter((c): c is BerthChain & { from: string } => c.from !== undefined);
}

/** The chain an `-A CHAIN …` line appends to. */
function chainOf(line: string): string {
  return line.split(' ')[1]!;
}

/** A network's current rules in a table (found by their comment). */
function mine(snap: Snapshot, table: Table, networkId: string): string[] {
  const tag = `--comment "${networkComment(networkId)}"`;
  return (snap[table]?.rules ?? []).filter((l) => l.includes(tag));
}

// Every jump into a Berth chain (a race between two processes may have inserted it twice).
function jumpsTo(rules: string[], c: BerthChain & { from: string }): string[] {
  return rules.filter((l) => l.startsWith(`-A ${c.from} `) && l.endsWith(` -j ${c.chain}`));
}

function toDelete(line: string): string {
  return `-D ${line.slice(3)}`;
}

function insertFirst(line: string, chain: string): string {
  return `-I ${chain} 1 ${line.slice(3 + chain.length + 1)}`;
}

function script(tables: Record<string, string[]>): string {
  const parts = Object.entries(tables).map(([t, lines]) => [`*${t}`, ...lines, 'COMMIT'].join('\n'));
  return parts.length ? `${parts.join('\n')}\n` : '';
}
