// Field numbers and names from k8s.io/api v0.32.0 (Kubernetes 1.32) core/v1/generated.proto and types.go: the
// other core/v1 objects kubectl's create subcommands send (namespace, configmap, secret, service, serviceaccount, quota).
import type { SchemaTable } from './schema.js';

/** core/v1 messages outside the pod template. */
export const CORE_MESSAGES: SchemaTable = {
  ClientIPConfig: 'timeoutSeconds=1:i32*',
  ConfigMap: 'metadata=1:ObjectMeta immutable=4:bool* data=2:{} binaryData=3:{bytes}',
  LoadBalancerIngress: 'ip=1 hostname=2 ipMode=3* ports=4:[PortStatus]',
  LoadBalancerStatus: 'ingress=1:[LoadBalancerIngress]',
  Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
  NamespaceCondition: 'type=1! status=2! lastTransitionTime=4:Time reason=5 message=6',
  NamespaceSpec: 'finalizers=1:[]',
  NamespaceStatus: 'phase=1 conditions=2:[NamespaceCondition]',
  ObjectReference: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  PortStatus: 'port=1:i32! protocol=2! error=3*',
  ResourceQuota: 'metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus',
  ResourceQuotaSpec: 'hard=1:{Quantity} scopes=2:[] scopeSelector=3:ScopeSelector*',
  ResourceQuotaStatus: 'hard=1:{Quantity} used=2:{Quantity}',
  ScopeSelector: 'matchExpressions=1:[ScopedResourceSelectorRequirement]',
  ScopedResourceSelectorRequirement: 'scopeName=1! operator=2! values=3:[]',
  Secret: 'metadata=1:ObjectMeta immutable=5:bool* data=2:{bytes} stringData=4:{} type=3',
  Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
  ServiceAccount: `metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference]
    automountServiceAccountToken=4:bool*`,
  ServicePort: 'name=1 protocol=2 appProtocol=6* port=3:i32! targetPort=4:IntOrString nodePort=5:i32',
  ServiceSpec: `ports=1:[ServicePort] selector=2:{} clusterIP=3 clusterIPs=18:[] type=4 externalIPs=5:[]
    sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9:[] externalName=10
    externalTrafficPolicy=11 healthCheckNodePort=12:i32 publishNotReadyAddresses=13:bool
    sessionAffinityConfig=14:SessionAffinityConfig* ipFamilies=19:[] ipFamilyPolicy=17*
    allocateLoadBalancerNodePorts=20:bool* loadBalancerClass=21* internalTrafficPolicy=22*
    trafficDistribution=23*`,
  ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:[Condition]',
  SessionAffinityConfig: 'clientIP=1:ClientIPConfig*',
};
