// The network layer's public API: networks (Docker's NetworkResource), CNI attachments, published ports,
// persistent network namespaces and the /etc files of a container.
export { NetworkManager, type NetworkManagerOptions } from './manager.js';
export { NetworkStore, isPredefined, PREDEFINED, type CreateNetworkOptions, type AttachedProbe, type NetworkStoreOptions } from './store.js';
export type { AttachOptions, DetachOptions } from './attach.js';
export type { AttachmentRecord } from './cache.js';
export { NetworkError, CniPluginError, isNetworkError, type NetworkErrorKind } from './errors.js';
export { createNetns, removeNetns, isNetnsMounted, type NetnsOps } from './netns.js';
export { parsePublishSpec, parsePortBindings } from './port-spec.js';
export { PortAllocator, DYNAMIC_PORTS, type PortProbe } from './ports.js';
export { hostIptables, type IptablesOps } from './iptables/iptables.js';
export { removeBridgeRules } from './iptables/network-rules.js';
export { probeHostPort } from './port-probe.js';
export { hostsFile, hostnameFile, resolvConf, peersFor, type HostsOptions, type HostsPeer, type ResolvOptions, type NetworkMember } from './etc-files.js';
export type { CniExec, CniInvocation, CniConfList, CniResult } from './cni/types.js';
export type { AttachResult, NetworkResource, NetworkDriver, IpamConfig, PortMapping, PortBindings, PortProtocol, PublishRequest } from './types.js';
export { createCniExec, spawnPlugin, DEFAULT_CNI_PATH, type PluginRunner, type CniExecOptions } from './cni/exec.js';
