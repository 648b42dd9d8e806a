// What a bridge network needs in the host's iptables (pure), as Docker does it: one MASQUERADE rule and a few
// FORWARD accepts per NETWORK in Berth's own chains, instead of the CNI plugins' per-container chains and rules.
// Rules are written exactly as iptables-save prints them, so a snapshot can be compared with them line by line.
import { NetworkError } from '../errors.js';
import type { NetworkResource } from '../types.js';

export type Table = 'nat' | 'filter';

/** Berth's chain in a table and the built-in chain that jumps to it. */
export interface BerthChain {
  table: Table;
  chain: string;
  from: string;
}

export const BERTH_CHAINS: Record<Table, BerthChain> = {
  nat: { table: 'nat', chain: 'BERTH-POSTROUTING', from: 'POSTROUTING' },
  filter: { table: 'filter', chain: 'BERTH-FORWARD', from: 'FORWARD' },
};

/** The jump from the built-in chain, as iptables-save prints it. */
export function jumpRule(c: BerthChain): string {
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
  );
  return rules;
}
