// The seam between containers and the network layer: what a container's NetworkMode needs before its
// process exists (a namespace, endpoints, published ports, /etc files) and what must be undone after it exits.
import type { NamespaceSource } from './oci-spec.js';
import type { ContainerRecord, EndpointSettings, PortBinding } from './types.js';

export interface NetworkSetup {
  namespace: NamespaceSource;
  /** Endpoint per network name (inspect's NetworkSettings.Networks). */
  endpoints: Record<string, EndpointSettings>;
  /** Published ports with the host ports actually bound. */
  ports: Record<string, PortBinding[] | null>;
}

export interface EtcFiles {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

export interface ContainerNetworking {
  /** Checks the container's NetworkMode and port bindings at create time (unknown network → 404). */
  validate(rec: ContainerRecord): void;
  /** Makes the namespace, attaches the networks and publishes ports; undoes its own work when it fails. */
  setup(rec: ContainerRecord): Promise<NetworkSetup>;
  /** Detaches and releases everything setup made; idempotent, and works after a daemon restart. */
  teardown(rec: ContainerRecord): Promise<void>;
  /** The generated /etc/hosts, /etc/resolv.conf and /etc/hostname of a container. */
  etcFiles(rec: ContainerRecord, setup: NetworkSetup): EtcFiles;
  /** A container's hosts file changed peers (members of its networks came or went): rewrite them in place. */
  refreshPeers(changed: ContainerRecord): void;
}
