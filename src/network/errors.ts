// The network layer's error taxonomy; the engine maps kinds to HTTP statuses at its API edge.
export type NetworkErrorKind = 'NotFound' | 'Conflict' | 'InvalidArgument' | 'FailedPrecondition' | 'Internal';

/** A network-layer failure whose message names the network/container involved and, where possible, the fix. */
export class NetworkError extends Error {
  constructor(message: string, readonly kind: NetworkErrorKind = 'Internal') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** True for NetworkErrors of `kind` (any kind when omitted). */
export function isNetworkError(e: unknown, kind?: NetworkErrorKind): e is NetworkError {
  return e instanceof NetworkError && (kind === undefined || e.kind === kind);
}

/** A CNI plugin's error result ({code, msg, details}) with the plugin, command and network it came from. */
export class CniPluginError extends NetworkError {
  constructor(
    message: string,
    readonly plugin: string,
    readonly command: string,
    readonly network: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(message, 'Internal');
    this.name = 'CniPluginError';
  }
}
