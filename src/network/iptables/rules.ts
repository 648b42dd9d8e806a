// What a bridge network needs in the host's iptables (pure), as Docker does it: one MASQUERADE rule and a few
// FORWARD accepts per NETWORK in Berth's own chains, instead of the CNI plugins' per-container chains and rules.
// Rules are written exactly as iptables-save prints them, so a snapshot can be compared with them line by line.
import { NetworkError } from '../errors.js';
import type { NetworkResource } from '../types.js';

export type Table = 'nat' | 'filter';

/** A chain of Berth's and the chain whose first rule jumps to it (none: only network rules jump there). */
export interface BerthChain {
  table: Table;
  chain: string;
  from?: string;
}

/** The chain each table's network rules start from, jumped to from the built-in chain. */
export const BERTH_CHAINS: Record<Table, BerthChain & { from: string }> = {
  nat: { table: 'nat', chain: 'BERTH-POSTROUTING', from: 'POSTROUTING' },
  filter: { table: 'filter', chain: 'BERTH-FORWARD', from: 'FORWARD' },
};

/**
 * Isolation between bridge networks, Docker's two stages: traffic entering from one Berth bridge and leaving
 * through another device goes to stage 2, which drops it when that device is another Berth bridge.
 */
export const ISOLATION_CHAINS = {
  stage1: { table: 'filter', chain: 'BERTH-ISOLATION-1', from: 'BERTH-FORWARD' },
  stage2: { table: 'filter', chain: 'BERTH-ISOLATION-2' },
} as const satisfies Record<string, BerthChain>;

/** Every Berth chain of a table, in the order they are created (and deleted). */
export const TABLE_CHAINS: Record<Table, readonly BerthChain[]> = {
  nat: [BERTH_CHAINS.nat],
  filter: [BERTH_CHAINS.filter, ISOLATION_CHAINS.stage1, ISOLATION_CHAINS.stage2],
};

/** The jump into a chain from the chain named by `from`, as iptables-save prints it. */
export function jumpRule(c: BerthChain & { from: string }): string {
  return `-A ${c.from} -m comment --comment "berth networks" -j ${c.chain}`;
}

/** The comment every rule of a network carries: how its rules are found again (and removed). */
export function networkComment(networkId: string): string {
  return `berth network ${networkId}`;
}

/** One rule of a network; `first` rules (DROPs) go to the top of the chain so no other network's ACCEPT precedes them. */
export interface NetworkRule {
  table: Table;
  line: string;
  first: boolean;
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const CIDR_RE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/**
 * The rules of a bridge network. Not internal: MASQUERADE of its subnet leaving through another device (unless
 * `enable_ip_masquerade=false`), and FORWARD accepts for replies, published ports (DNAT), outbound and
 * container↔container traffic, so containers work when the FORWARD policy is DROP. Internal: only
 * container↔container traffic; anything else crossing the bridge is dropped (Docker's isolation of internal networks).
 */
export function networkRules(net: NetworkResource): NetworkRule[] {
  const br = net.bridgeName ?? '';
  const subnet = net.IPAM.Config[0]?.Subnet ?? '';
  if (net.Driver !== 'bridge' || !NAME_RE.test(br) || !CIDR_RE.test(subnet)) {
    throw new NetworkError(`network ${net.Name} (${net.Driver}) has no bridge and IPv4 subnet to write NAT/forward rules for`, 'InvalidArgument');
  }
  const tail = `-m comment --comment "${networkComment(net.Id)}"`;
  const fwd = BERTH_CHAINS.filter.chain;
  const rule = (table: Table, spec: string, first = false): NetworkRule => ({ table, line: spec, first });
  if (net.Internal) {
    return [
      rule('filter', `-A ${fwd} ! -s ${subnet} -o ${br} ${tail} -j DROP`, true),
      rule('filter', `-A ${fwd} ! -d ${subnet} -i ${br} ${tail} -j DROP`, true),
      rule('filter', `-A ${fwd} -i ${br} -o ${br} ${tail} -j ACCEPT`),
    ];
  }
  const rules: NetworkRule[] = [];
  if (net.Options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false') {
    rules.push(rule('nat', `-A ${BERTH_CHAINS.nat.chain} -s ${subnet} ! -o ${br} ${tail} -j MASQUERADE`));
  }
  rules.push(
    rule('filter', `-A ${fwd} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED ${tail} -j ACCEPT`),
    // Published ports reached from other hosts: portmap DNATs them to a container on this bridge.
    rule('filter', `-A ${fwd} -o ${br} -m conntrack --ctstate DNAT ${tail} -j ACCEPT`),
    rule('filter', `-A ${fwd} -i ${br} ! -o ${br} ${tail} -j ACCEPT`),
    rule('filter', `-A ${fwd} -i ${br} -o ${br} ${tail} -j ACCEPT`),
    // No new connection from this bridge into another network's, nor from another into this one; a published
    // port (DNAT) stays reachable from every network, as it is from anywhere else.
    rule('filter', `-A ${ISOLATION_CHAINS.stage1.chain} -i ${br} ! -o ${br} -m conntrack ! --ctstate DNAT ${tail} -j ${ISOLATION_CHAINS.stage2.chain}`),
    rule('filter', `-A ${ISOLATION_CHAINS.stage2.chain} -o ${br} ${tail} -j DROP`),
  );
  return rules;
}
