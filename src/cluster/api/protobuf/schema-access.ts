// Field numbers and names from k8s.io/api v0.32.0 (Kubernetes 1.32) rbac/v1, authentication/v1, policy/v1 and scheduling/v1
// generated.proto and types.go: roles and bindings, TokenRequest, PodDisruptionBudget and Eviction, PriorityClass.
import type { SchemaTable } from './schema.js';

/** rbac/v1, authentication/v1, policy/v1 and scheduling/v1 messages. */
export const ACCESS_MESSAGES: SchemaTable = {
  // rbac/v1
  AggregationRule: 'clusterRoleSelectors=1:[LabelSelector]',
  ClusterRole: 'metadata=1:ObjectMeta rules=2:[PolicyRule]! aggregationRule=3:AggregationRule*',
  ClusterRoleBinding: 'metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef',
  PolicyRule: 'verbs=1:[]! apiGroups=2:[] resources=3:[] resourceNames=4:[] nonResourceURLs=5:[]',
  Role: 'metadata=1:ObjectMeta rules=2:[PolicyRule]!',
  RoleBinding: 'metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef',
  RoleRef: 'apiGroup=1! kind=2! name=3!',
  Subject: 'kind=1! apiGroup=2 name=3! namespace=4',
  // authentication/v1
  BoundObjectReference: 'kind=1 apiVersion=2 name=3 uid=4',
  TokenRequest: 'metadata=1:ObjectMeta spec=2:TokenRequestSpec status=3:TokenRequestStatus',
  TokenRequestSpec: 'audiences=1:[]! expirationSeconds=4:i64* boundObjectRef=3:BoundObjectReference*',
  TokenRequestStatus: 'token=1! expirationTimestamp=2:Time',
  // policy/v1
  Eviction: 'metadata=1:ObjectMeta deleteOptions=2:DeleteOptions*',
  PodDisruptionBudget: 'metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus',
  PodDisruptionBudgetSpec: `minAvailable=1:IntOrString* selector=2:LabelSelector* maxUnavailable=3:IntOrString*
    unhealthyPodEvictionPolicy=4*`,
  PodDisruptionBudgetStatus: `observedGeneration=1:i64 disruptedPods=2:{Time} disruptionsAllowed=3:i32! currentHealthy=4:i32!
    desiredHealthy=5:i32! expectedPods=6:i32! conditions=7:[Condition]`,
  // scheduling/v1
  PriorityClass: 'metadata=1:ObjectMeta value=2:i32! globalDefault=3:bool description=4 preemptionPolicy=5*',
};
