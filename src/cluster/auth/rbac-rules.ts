// RBAC's matching rules, as pure functions: does a PolicyRule cover a request, does a binding's subject
// name the caller. Semantics follow Kubernetes: `*` matches any verb/group/resource, `*/scale` any
// resource's scale subresource, resourceNames restrict by object name (so they never match a list or a
// create without a name), nonResourceURLs match exactly or by a trailing-`*` prefix.
import type { RequestAttributes, UserInfo } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';

/** rbac/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** rbac/v1 Subject. */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

/** The verb is listed (or `*`). */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, verb);
}

/** The API group is listed (or `*`); the core group is "". */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, group);
}

/** `pods` matches pods only; `pods/log` the subresource only; `*` everything; `*\/scale` any scale. */
export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const wanted = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === wanted) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** No resourceNames: any object; otherwise the request must name one of them. */
export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return name !== undefined && name !== '' && rule.resourceNames.includes(name);
}

/** An exact URL, `*`, or a prefix ending in `*` (`/apis/*`). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request. */
export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path);
  return (
    apiGroupMatches(rule, attrs.apiGroup) &&
    resourceMatches(rule, attrs.resource, attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

/** `system:serviceaccount:<ns>:<name>`, the user name of a service account. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Whether a binding subject names the user (a ServiceAccount subject without namespace uses the binding's). */
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return !!ns && serviceAccountUser(ns, subject.name) === user.name;
    }
    default:
      return false;
  }
}

/** A binding's subjects, tolerating malformed objects. */
export function bindingSubjects(binding: KubeObject): Subject[] {
  return Array.isArray(binding.subjects) ? (binding.subjects as Subject[]).filter((s) => s && typeof s.name === 'string') : [];
}

/** A role's rules, tolerating malformed objects. */
export function roleRules(role: KubeObject | undefined): PolicyRule[] {
  return role && Array.isArray(role.rules) ? (role.rules as PolicyRule[]).filter((r) => r && Array.isArray(r.verbs)) : [];
}
