// The RBAC authorizer: `system:masters` may do anything; anyone else needs a rule from a ClusterRole bound by
// a ClusterRoleBinding (cluster-wide), or from a Role/ClusterRole bound by a RoleBinding in the request's
// namespace. Where the policy objects come from is a PolicySource: the informer-backed cache in the server,
// a fixed list in tests.
import type { Authorizer, Decision, RequestAttributes, UserInfo } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';
import { bindingSubjects, roleRules, ruleAllows, subjectMatches } from './rbac-rules.js';

export const SUPERUSER_GROUP = 'system:masters';

/** Read access to the RBAC objects. */
export interface PolicySource {
  clusterRole(name: string): KubeObject | undefined;
  role(namespace: string, name: string): KubeObject | undefined;
  clusterRoleBindings(): KubeObject[];
  roleBindings(namespace: string): KubeObject[];
}

/** A PolicySource over fixed lists of objects (bootstrap policy, tests). */
export function staticPolicySource(objects: KubeObject[]): PolicySource {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    clusterRole: (name) => of('ClusterRole').find((o) => o.metadata?.name === name),
    role: (ns, name) => of('Role').find((o) => o.metadata?.namespace === ns && o.metadata?.name === name),
    clusterRoleBindings: () => of('ClusterRoleBinding'),
    roleBindings: (ns) => of('RoleBinding').filter((o) => o.metadata?.namespace === ns),
  };
}

function describeSubject(user: UserInfo, binding: KubeObject, ns?: string): string {
  const s = bindingSubjects(binding).find((x) => subjectMatches(x, user, ns));
  return s ? `${s.kind} ${JSON.stringify(s.name)}` : `User ${JSON.stringify(user.name)}`;
}

/** The first binding granting the request, as a reason string; undefined when nothing grants it. */
export function findGrant(source: PolicySource, attrs: RequestAttributes): string | undefined {
  const { user } = attrs;
  for (const b of source.clusterRoleBindings()) {
    if (b.roleRef?.kind !== 'ClusterRole') continue;
    if (!bindingSubjects(b).some((s) => subjectMatches(s, user))) continue;
    if (roleRules(source.clusterRole(b.roleRef.name)).some((r) => ruleAllows(attrs, r))) {
      return `RBAC: allowed by ClusterRoleBinding ${JSON.stringify(b.metadata?.name)} of ClusterRole ${JSON.stringify(b.roleRef.name)} to ${describeSubject(user, b)}`;
    }
  }
  const ns = attrs.namespace;
  if (!ns || !attrs.resourceRequest) return undefined;
  for (const b of source.roleBindings(ns)) {
    const ref = b.roleRef;
    if (ref?.kind !== 'Role' && ref?.kind !== 'ClusterRole') continue;
    if (!bindingSubjects(b).some((s) => subjectMatches(s, user, ns))) continue;
    const role = ref.kind === 'Role' ? source.role(ns, ref.name) : source.clusterRole(ref.name);
    if (roleRules(role).some((r) => ruleAllows(attrs, r))) {
      return `RBAC: allowed by RoleBinding ${JSON.stringify(`${b.metadata?.name}/${ns}`)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(user, b, ns)}`;
    }
  }
  return undefined;
}

/** An Authorizer evaluating RBAC against whatever source() returns at the time of each request. */
export function createRbacAuthorizer(source: () => PolicySource | Promise<PolicySource>): Authorizer {
  return {
    async authorize(attrs: RequestAttributes): Promise<Decision> {
      if (attrs.user.groups.includes(SUPERUSER_GROUP)) return { allowed: true, reason: `member of ${SUPERUSER_GROUP}` };
      const grant = findGrant(await source(), attrs);
      // A denial carries no reason: the handler's 403 message is then exactly Kubernetes' wording.
      return grant ? { allowed: true, reason: grant } : { allowed: false };
    },
  };
}
