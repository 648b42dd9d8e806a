// Shapes shared across the network layer and its callers (the engine).

/** Docker's NetworkResource (GET /networks/{id}) plus the Linux bridge name Berth gives the network. */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Driver: NetworkDriver;
  Scope: 'local';
  EnableIPv6: false;
  IPAM: { Driver: 'default'; Options: Record<string, string>; Config: IpamConfig[] };
  Internal: boolean;
  Attachable: false;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** Linux bridge device of a bridge network (absent for host and null). */
  bridgeName?: string;
}

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface IpamConfig {
  Subnet: string;
  Gateway: string;
}

export type PortProtocol = 'tcp' | 'udp';

/** One published port as programmed: host address and port → container port. hostIP '' means all addresses. */
export interface PortMapping {
  hostIP: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

/** A publish request: hostPort 0 asks for a random port; hostPortEnd > hostPort takes the first free port of the range. */
export interface PublishRequest {
  hostIP?: string;
  hostPort: number;
  hostPortEnd?: number;
  containerPort: number;
  protocol?: PortProtocol;
}

/** Docker's HostConfig.PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}. */
export type PortBindings = Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined>;

/** What attachContainer returns: Docker's EndpointSettings fields plus the ports actually published. */
export interface AttachResult {
  NetworkID: string;
  EndpointID: string;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  portMappings: PortMapping[];
}
