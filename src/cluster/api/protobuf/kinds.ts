// Which top-level message a protobuf body holds, by the apiVersion and kind of its envelope, and the one
// schema every decode uses. These are the kinds kubectl 1.32 sends as protobuf: its `create` subcommands,
// `autoscale` (autoscaling/v1), `create token` (TokenRequest), `drain` (DeleteOptions and Eviction).
import { buildSchema, type Schema } from './schema.js';
import { ACCESS_MESSAGES } from './schema-access.js';
import { CORE_MESSAGES } from './schema-core.js';
import { META_MESSAGES } from './schema-meta.js';
import { NETWORKING_MESSAGES } from './schema-networking.js';
import { POD_MESSAGES } from './schema-pod.js';
import { WORKLOAD_MESSAGES } from './schema-workloads.js';

/** Every message the decoder knows, by name. */
export const SCHEMA: Schema = buildSchema(
  META_MESSAGES,
  POD_MESSAGES,
  CORE_MESSAGES,
  WORKLOAD_MESSAGES,
  ACCESS_MESSAGES,
  NETWORKING_MESSAGES,
);

/** `apiVersion/kind` → top-level message (its name in SCHEMA is the kind unless noted). */
const ROOTS: Record<string, string> = Object.fromEntries(
  [
    ['v1', ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota']],
    ['apps/v1', ['Deployment']],
    ['batch/v1', ['Job', 'CronJob']],
    ['autoscaling/v1', ['HorizontalPodAutoscaler', 'Scale']],
    ['rbac.authorization.k8s.io/v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
    ['authentication.k8s.io/v1', ['TokenRequest']],
    ['policy/v1', ['PodDisruptionBudget', 'Eviction']],
    ['scheduling.k8s.io/v1', ['PriorityClass']],
    ['networking.k8s.io/v1', ['Ingress']],
  ].flatMap(([apiVersion, kinds]) => (kinds as string[]).map((kind) => [`${apiVersion as string}/${kind}`, kind])),
);

/** The message for an envelope's apiVersion and kind, or undefined when Berth has no schema for it. */
export function rootMessageOf(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version (clients send it as v1 or as the resource's version).
  if (kind === 'DeleteOptions') return 'DeleteOptions';
  return ROOTS[`${apiVersion}/${kind}`];
}

/** The apiVersion/kind pairs with a schema (for messages and tests). */
export function supportedKinds(): string[] {
  return Object.keys(ROOTS);
}
