// Who is calling: a client certificate the cluster CA signed (CN → user, each O → a group), else a bearer
// token from the token file. Certificates win, as in kube-apiserver's union of authenticators (x509 first).
// Every authenticated identity also belongs to `system:authenticated`; no valid credential → undefined,
// which the handler answers with 401.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Authenticator, UserInfo } from '../api/types.js';

export const AUTHENTICATED_GROUP = 'system:authenticated';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** A token table (TokenFile implements it). */
export interface TokenLookup {
  lookup(token: string): UserInfo | undefined;
}

/** The peer certificate's facts the authenticator needs (from a TLS socket, or a test double). */
export interface PeerCertificate {
  /** The chain verified against the CA the server trusts. */
  authorized: boolean;
  commonName?: string;
  organizations: string[];
  /** Extended key usages (OIDs); undefined when the certificate has no such extension. */
  extKeyUsage?: string[];
}

export interface AuthenticatorOptions {
  tokens?: TokenLookup;
  /** How to read the peer certificate of a request (default: from its TLS socket). */
  peerCertificate?: (req: IncomingMessage) => PeerCertificate | undefined;
}

/** Reads the verified peer certificate of a TLS request (undefined for plain HTTP or no certificate). */
export function tlsPeerCertificate(req: IncomingMessage): PeerCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const subject = (cert.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const cn = all(subject.CN);
  const eku = (cert as { ext_key_usage?: string[] }).ext_key_usage;
  return {
    authorized: socket.authorized === true,
    ...(cn.length ? { commonName: cn[cn.length - 1] } : {}),
    organizations: all(subject.O),
    ...(eku ? { extKeyUsage: eku } : {}),
  };
}

/** The bearer token of a request: `Authorization: Bearer …`, or the WebSocket subprotocol form. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  // Browsers cannot set headers on WebSockets, so Kubernetes accepts the token as a subprotocol.
  const proto = req.headers['sec-websocket-protocol'];
  if (typeof proto === 'string') {
    for (const p of proto.split(',').map((s) => s.trim())) {
      const prefix = 'base64url.bearer.authorization.k8s.io.';
      if (p.startsWith(prefix)) {
        const token = Buffer.from(p.slice(prefix.length), 'base64url').toString('utf8');
        if (token) return token;
      }
    }
  }
  return undefined;
}

/** The identity a verified certificate carries, or undefined when it cannot identify anyone. */
export function userFromCertificate(cert: PeerCertificate | undefined): UserInfo | undefined {
  if (!cert || !cert.authorized || !cert.commonName) return undefined;
  if (cert.extKeyUsage && !cert.extKeyUsage.includes(CLIENT_AUTH_OID)) return undefined;
  return { name: cert.commonName, groups: [...cert.organizations] };
}

/** Adds `system:authenticated` to the groups (once). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** The cluster's authenticator: client certificates, then bearer tokens. */
export function createAuthenticator(opts: AuthenticatorOptions = {}): Authenticator {
  const peer = opts.peerCertificate ?? tlsPeerCertificate;
  return {
    async authenticate(req) {
      const fromCert = userFromCertificate(peer(req));
      if (fromCert) return withAuthenticatedGroup(fromCert);
      const token = bearerToken(req);
      const fromToken = token !== undefined ? opts.tokens?.lookup(token) : undefined;
      return fromToken ? withAuthenticatedGroup(fromToken) : undefined;
    },
  };
}
