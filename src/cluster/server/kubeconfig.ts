// Kubeconfig documents: building one for an identity, and merging an entry into an existing config the way
// kind and minikube do — the named cluster, user and context are replaced or added, everything else is kept
// as it was, and the context becomes current.
import type { PemPair } from '../auth/pki.js';

export type Kubeconfig = Record<string, any>;

export interface KubeconfigEntry {
  /** Name of the cluster, user and context entries. */
  name: string;
  /** User entry name when it differs (credentials for another identity). */
  userName?: string;
  contextName?: string;
  server: string;
  caPem: string;
  /** Client certificate credentials… */
  client?: PemPair;
  /** …or a bearer token. */
  token?: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The three named entries an identity needs. */
export function kubeconfigEntries(e: KubeconfigEntry): { cluster: Kubeconfig; user: Kubeconfig; context: Kubeconfig } {
  const userName = e.userName ?? e.name;
  const contextName = e.contextName ?? e.name;
  const user: Kubeconfig = {};
  if (e.client) {
    user['client-certificate-data'] = b64(e.client.certPem);
    user['client-key-data'] = b64(e.client.keyPem);
  }
  if (e.token) user.token = e.token;
  return {
    cluster: { name: e.name, cluster: { server: e.server, 'certificate-authority-data': b64(e.caPem) } },
    user: { name: userName, user },
    context: { name: contextName, context: { cluster: e.name, user: userName, ...(e.namespace ? { namespace: e.namespace } : {}) } },
  };
}

/** A fresh kubeconfig holding only this entry (current context set). */
export function buildKubeconfig(e: KubeconfigEntry): Kubeconfig {
  return mergeKubeconfig(undefined, e);
}

function upsert(list: unknown, entry: Kubeconfig): Kubeconfig[] {
  const items: Kubeconfig[] = Array.isArray(list) ? list.filter((x) => x && typeof x === 'object') : [];
  const i = items.findIndex((x) => x.name === entry.name);
  if (i >= 0) items[i] = entry;
  else items.push(entry);
  return items;
}

/** existing (parsed kubeconfig, or undefined) with the entry merged in and its context current. */
export function mergeKubeconfig(existing: Kubeconfig | undefined | null, e: KubeconfigEntry, opts: { makeCurrent?: boolean } = {}): Kubeconfig {
  const base: Kubeconfig = existing && typeof existing === 'object' && !Array.isArray(existing) ? structuredClone(existing) : {};
  const { cluster, user, context } = kubeconfigEntries(e);
  const out: Kubeconfig = {
    apiVersion: base.apiVersion ?? 'v1',
    kind: base.kind ?? 'Config',
    preferences: base.preferences ?? {},
    ...base,
  };
  out.clusters = upsert(base.clusters, cluster);
  out.users = upsert(base.users, user);
  out.contexts = upsert(base.contexts, context);
  if (opts.makeCurrent !== false) out['current-context'] = context.name;
  return out;
}

/** The kubeconfig file kubectl would write to: the first entry of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
  return first ?? `${home}/.kube/config`;
}
