// The RBAC objects, kept in memory by informers on the four RBAC resources so that authorizing a request
// never reads etcd. Until every informer has synced, the bootstrap policy answers instead (the first
// requests after start-up, including the server's own readiness checks, must not be refused).
import type { ClusterClient, GroupVersionResourceRef } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';
import { Informer } from '../controllers/informer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { staticPolicySource, type PolicySource } from './rbac.js';

/** The bootstrap policy alone, as a PolicySource. */
export function bootstrapPolicySource(): PolicySource {
  return staticPolicySource([...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()]);
}

const rbac = (resource: string): GroupVersionResourceRef => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource });

/** RBAC policy from the store, cached. */
export class RbacCache {
  private readonly roles: Informer;
  private readonly roleBindings: Informer;
  private readonly clusterRoles: Informer;
  private readonly clusterRoleBindings: Informer;
  private readonly bootstrap = bootstrapPolicySource();
  private readonly live: PolicySource;
  /** Resolves when all four resources have been listed. */
  readonly synced: Promise<void>;

  constructor(client: ClusterClient, log?: (message: string) => void) {
    const informer = (resource: string) => new Informer({ client, gvr: rbac(resource), ...(log ? { log } : {}) });
    this.roles = informer('roles');
    this.roleBindings = informer('rolebindings');
    this.clusterRoles = informer('clusterroles');
    this.clusterRoleBindings = informer('clusterrolebindings');
    const all = [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings];
    this.synced = Promise.all(all.map((i) => i.synced)).then(() => undefined);
    this.live = {
      clusterRole: (name) => this.clusterRoles.get(undefined, name),
      role: (ns, name) => this.roles.get(ns, name),
      clusterRoleBindings: () => this.clusterRoleBindings.list(),
      roleBindings: (ns) => this.roleBindings.list().filter((b: KubeObject) => b.metadata?.namespace === ns),
    };
  }

  start(): void {
    for (const i of [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings]) i.start();
  }

  /** The policy to evaluate now: the store's once synced, the bootstrap policy before. */
  source(): PolicySource {
    const ready = [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings].every((i) => i.hasSynced());
    return ready ? this.live : this.bootstrap;
  }

  stop(): void {
    for (const i of [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings]) i.stop();
  }
}

/** Creates the bootstrap ClusterRoles and ClusterRoleBindings that do not exist yet (existing ones are kept:
 *  an administrator's changes win). */
export async function ensureBootstrapPolicy(client: ClusterClient): Promise<number> {
  let created = 0;
  const ensure = async (resource: string, obj: KubeObject) => {
    const gvr = rbac(resource);
    if (await client.get(gvr, undefined, obj.metadata.name)) return;
    try {
      await client.create(gvr, undefined, obj);
      created++;
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err; // another API server made it meanwhile
    }
  };
  for (const r of bootstrapClusterRoles()) await ensure('clusterroles', r);
  for (const b of bootstrapClusterRoleBindings()) await ensure('clusterrolebindings', b);
  return created;
}
