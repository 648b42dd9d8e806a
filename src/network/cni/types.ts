// CNI 1.0.0 shapes: network configuration lists, the runtime parameters of one attachment, results.

export const CNI_VERSION = '1.0.0';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

/** One plugin entry of a configuration list; `capabilities` names the runtimeConfig keys it accepts. */
export interface CniPluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
}

/** The per-attachment parameters (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME) and capability arguments. */
export interface CniRuntime {
  containerId: string;
  netns: string;
  ifName: string;
  /** Capability name → value (portMappings, ips …); only plugins declaring the capability receive it. */
  capabilityArgs: Record<string, unknown>;
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIPConfig {
  interface?: number;
  address: string;
  gateway?: string;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIPConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

/** One plugin execution: what the exec port runs. */
export interface CniInvocation {
  command: CniCommand;
  network: string;
  runtime: CniRuntime;
  plugin: CniPluginConf;
  /** The exact JSON object for the plugin's stdin. */
  stdin: Record<string, unknown>;
}

/** Runs one plugin; resolves with its parsed stdout (undefined when empty) or rejects with a CniPluginError. */
export type CniExec = (inv: CniInvocation) => Promise<unknown>;
