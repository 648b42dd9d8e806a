// Shapes shared by the resource catalog, defaulting, validation and the OpenAPI builder.

/** A Kubernetes group/version/kind; the core group is the empty string. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A Kubernetes group/version/resource (plural, lower case). */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** The verbs discovery advertises. */
export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

/** A subresource such as `pods/status` or `deployments/scale`. */
export interface SubresourceInfo {
  /** The path segment after the object name: `status`, `scale`, `log`, … */
  name: string;
  /** The kind the subresource reads and writes (Scale for `scale`, the parent kind for `status`). */
  kind: GroupVersionKind;
  verbs: Verb[];
  /** Served by the node agent; until it exists, the API answers with a Status error. */
  nodeFacing?: boolean;
}

/** Everything the API machinery needs to know about one served resource in one version. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural resource name as it appears in URLs. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  subresources: SubresourceInfo[];
  /**
   * Top-level fields whose change bumps `metadata.generation`; undefined when Kubernetes does not track a
   * generation for the kind (ConfigMap, Pod in 1.32, …).
   */
  specFields?: string[];
  /** Where the object is stored: resources served in several versions (HPA, Event) share one storage key. */
  storage: { group: string; resource: string };
  /** The version discovery lists first for this group (autoscaling prefers v2). */
  preferred: boolean;
  /** Name of the type in `@kubernetes/client-node`'s generated models, the source of the OpenAPI schema. */
  model: string;
  /** Model name of the list type. */
  listModel: string;
}

/** A JSON object as decoded from a request body. */
export type KubeObject = Record<string, any>;

/** The reason of one validation failure, as Kubernetes' `StatusCause.reason`. */
export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound';

/** One validation failure: a `metav1.StatusCause` (`reason`, `message` = error body, `field` = path). */
export interface Cause {
  reason: CauseReason;
  message: string;
  field: string;
}
