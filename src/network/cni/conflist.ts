// The CNI configuration list of a Berth bridge network (pure): bridge + host-local IPAM, then portmap when the
// attachment publishes ports. NAT and forward rules are per network (iptables/), so the bridge plugin runs without
// ipMasq and the firewall plugin is not used: neither adds per-container iptables rules.
import { NetworkError } from '../errors.js';
import type { NetworkResource } from '../types.js';
import { CNI_VERSION, type CniConfList, type CniPluginConf } from './types.js';

export interface BridgeConfOptions {
  /** host-local's dataDir: leases live in <ipamDataDir>/<network name>/. */
  ipamDataDir: string;
  /** Include portmap (only when the attachment publishes ports: its DEL costs several iptables runs). */
  portmap: boolean;
  /** Give the container a default route through this network (default true; false for a second network). */
  defaultRoute?: boolean;
}

/** Builds the configuration list that attaches a container to a bridge network. */
export function bridgeConfList(net: NetworkResource, o: BridgeConfOptions): CniConfList {
  const ipam = net.IPAM.Config[0];
  if (net.Driver !== 'bridge' || !net.bridgeName || !ipam) {
    throw new NetworkError(`network ${net.Name} (${net.Driver}) has no bridge and subnet to attach containers to`, 'InvalidArgument');
  }
  const opt = net.Options;
  const bridge: CniPluginConf = {
    type: 'bridge',
    bridge: net.bridgeName,
    isGateway: true, // the bridge holds the gateway address, so the host reaches its containers
    ipMasq: false, // the network's MASQUERADE rule is installed once (iptables/rules.ts), not per container
    hairpinMode: true, // a container reaches its own published ports
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: ipam.Subnet, gateway: ipam.Gateway }]],
      // Internal networks get no default route: nothing leaves the subnet. Nor does a container's second network:
      // one default route (through its first network) as in Docker, and a second one would collide with it.
      routes: net.Internal || o.defaultRoute === false ? [] : [{ dst: '0.0.0.0/0' }],
      dataDir: o.ipamDataDir,
    },
    capabilities: { ips: true }, // a requested static address reaches host-local through runtimeConfig.ips
  };
  const mtu = Number(opt['com.docker.network.driver.mtu']);
  if (Number.isInteger(mtu) && mtu > 0) bridge.mtu = mtu;
  const plugins: CniPluginConf[] = [bridge];
  if (o.portmap && !net.Internal) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  return { cniVersion: CNI_VERSION, name: net.Name, plugins };
}
