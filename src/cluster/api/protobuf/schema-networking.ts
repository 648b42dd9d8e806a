// Field numbers and names from k8s.io/api v0.32.0 (Kubernetes 1.32) networking/v1 generated.proto and types.go: Ingress.
// IngressRule embeds IngressRuleValue inline, so `http` sits directly in each rule.
import type { SchemaTable } from './schema.js';

/** networking/v1 messages. */
export const NETWORKING_MESSAGES: SchemaTable = {
  HTTPIngressPath: 'path=1 pathType=3* backend=2:IngressBackend',
  HTTPIngressRuleValue: 'paths=1:[HTTPIngressPath]!',
  Ingress: 'metadata=1:ObjectMeta spec=2:IngressSpec status=3:IngressStatus',
  IngressBackend: 'service=4:IngressServiceBackend* resource=3:TypedLocalObjectReference*',
  IngressLoadBalancerIngress: 'ip=1 hostname=2 ports=4:[IngressPortStatus]',
  IngressLoadBalancerStatus: 'ingress=1:[IngressLoadBalancerIngress]',
  IngressPortStatus: 'port=1:i32! protocol=2! error=3*',
  IngressRule: 'host=1 ~ingressRuleValue=2:IngressRuleValue',
  IngressRuleValue: 'http=1:HTTPIngressRuleValue*',
  IngressServiceBackend: 'name=1! port=2:ServiceBackendPort',
  IngressSpec: 'ingressClassName=4* defaultBackend=1:IngressBackend* tls=2:[IngressTLS] rules=3:[IngressRule]',
  IngressStatus: 'loadBalancer=1:IngressLoadBalancerStatus',
  IngressTLS: 'hosts=1:[] secretName=2',
  ServiceBackendPort: 'name=1 number=2:i32',
};
