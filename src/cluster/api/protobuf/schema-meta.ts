// Field numbers and names from k8s.io/apimachinery v0.32.0 pkg/apis/meta/v1/generated.proto and types.go.
// Time, Quantity, IntOrString and FieldsV1 are not here: decode.ts gives them their custom JSON forms.
import type { SchemaTable } from './schema.js';

/** meta/v1 messages. */
export const META_MESSAGES: SchemaTable = {
  Condition: 'type=1! status=2! observedGeneration=3:i64 lastTransitionTime=4:Time reason=5! message=6!',
  DeleteOptions: `gracePeriodSeconds=1:i64* preconditions=2:Preconditions* orphanDependents=3:bool* propagationPolicy=4*
    dryRun=5:[] ignoreStoreReadErrorWithClusterBreakingPotential=6:bool*`,
  LabelSelector: 'matchLabels=1:{} matchExpressions=2:[LabelSelectorRequirement]',
  LabelSelectorRequirement: 'key=1! operator=2! values=3:[]',
  ManagedFieldsEntry: `manager=1 operation=2 apiVersion=3 time=4:Time* fieldsType=6 fieldsV1=7:FieldsV1* subresource=8`,
  ObjectMeta: `name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:i64
    creationTimestamp=8:Time deletionTimestamp=9:Time* deletionGracePeriodSeconds=10:i64* labels=11:{}
    annotations=12:{} ownerReferences=13:[OwnerReference] finalizers=14:[]
    managedFields=17:[ManagedFieldsEntry]`,
  OwnerReference: 'apiVersion=5! kind=1! name=3! uid=4! controller=6:bool* blockOwnerDeletion=7:bool*',
  Preconditions: 'uid=1* resourceVersion=2*',
};
