// ObjectMeta, labels, annotations and label selectors: the checks every kind shares.
import type { Cause, KubeObject } from '../types.js';
import { childPath, forbidden, goValue, immutable, indexPath, invalid, required, tooLong } from './field.js';
import { isQualifiedName, isValidLabelValue, type NameValidator } from './names.js';
import { isDNS1123Label } from './names.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** Label keys must be qualified names, values valid label values. */
export function validateLabels(labels: unknown, path: string): Cause[] {
  if (!isObject(labels)) return [];
  const causes: Cause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) causes.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v ?? ''))) causes.push(invalid(path, v, msg));
  }
  return causes;
}

/** Annotation keys are qualified names (case-insensitively); all annotations together stay under 256 KiB. */
export function validateAnnotations(annotations: unknown, path: string): Cause[] {
  if (!isObject(annotations)) return [];
  const causes: Cause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) causes.push(invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v ?? ''));
  }
  if (size > TOTAL_ANNOTATION_SIZE) causes.push(tooLong(path, TOTAL_ANNOTATION_SIZE));
  return causes;
}

/** A metav1.LabelSelector: matchLabels as labels, matchExpressions with known operators. */
export function validateLabelSelector(selector: unknown, path: string): Cause[] {
  if (!isObject(selector)) return [];
  const causes = validateLabels(selector.matchLabels, childPath(path, 'matchLabels'));
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  exprs.forEach((e: KubeObject, i: number) => {
    const p = indexPath(childPath(path, 'matchExpressions'), i);
    const values = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          causes.push(required(childPath(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          causes.push(
            forbidden(childPath(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        break;
      default:
        causes.push(invalid(childPath(p, 'operator'), e?.operator ?? '', 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(String(e?.key ?? '')))
      causes.push(invalid(childPath(p, 'key'), e?.key ?? '', msg));
    values.forEach((v: unknown, j: number) => {
      for (const msg of isValidLabelValue(String(v)))
        causes.push(invalid(indexPath(childPath(p, 'values'), j), v, msg));
    });
  });
  return causes;
}

/** True when a selector selects nothing in particular (no labels, no expressions): such selectors are refused. */
export function selectorIsEmpty(selector: KubeObject): boolean {
  const labels = isObject(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return labels + exprs === 0;
}

/** Whether a label set satisfies a LabelSelector. */
export function selectorMatches(selector: KubeObject, labels: Record<string, string>): boolean {
  if (isObject(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  }
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The Go rendering of a LabelSelector that immutability errors print. */
export function goLabelSelector(s: unknown): string {
  if (!isObject(s)) return '(*v1.LabelSelector)(nil)';
  const labels = isObject(s.matchLabels) ? goValue(s.matchLabels) : 'map[string]string(nil)';
  const exprs =
    Array.isArray(s.matchExpressions) && s.matchExpressions.length
      ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map(
            (e: KubeObject) =>
              `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${Array.isArray(e.values) ? goValue(e.values) : '[]string(nil)'}}`,
          )
          .join(', ')}}`
      : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}

function validateOwnerReferences(refs: unknown, path: string): Cause[] {
  if (!Array.isArray(refs)) return [];
  const causes: Cause[] = [];
  refs.forEach((r: KubeObject, i: number) => {
    const p = indexPath(path, i);
    if (!r?.apiVersion)
      causes.push(invalid(childPath(p, 'apiVersion'), r?.apiVersion ?? '', 'version must not be empty'));
    if (!r?.kind) causes.push(invalid(childPath(p, 'kind'), r?.kind ?? '', 'kind must not be empty'));
    if (!r?.name) causes.push(invalid(childPath(p, 'name'), r?.name ?? '', 'name must not be empty'));
    if (!r?.uid) causes.push(invalid(childPath(p, 'uid'), r?.uid ?? '', 'uid must not be empty'));
  });
  const controllers = refs.filter((r: KubeObject) => r?.controller === true);
  if (controllers.length > 1) {
    const names = controllers.map((r: KubeObject) => `${r.kind}/${r.name}`).join(', ');
    causes.push(
      invalid(
        path,
        refs.length,
        `Only one reference can have Controller set to true. Found "true" in references for ${names}`,
      ),
    );
  }
  return causes;
}

function validateFinalizers(finalizers: unknown, path: string): Cause[] {
  if (!Array.isArray(finalizers)) return [];
  const causes: Cause[] = [];
  for (const f of finalizers) for (const msg of isQualifiedName(String(f))) causes.push(invalid(path, f, msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

/** ObjectMeta on create: name or generateName, namespace presence by scope, labels, annotations, owners. */
export function validateObjectMeta(obj: KubeObject, namespaced: boolean, nameFn: NameValidator): Cause[] {
  const meta: KubeObject = isObject(obj.metadata) ? obj.metadata : {};
  const causes: Cause[] = [];
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  if (generateName)
    for (const msg of nameFn(generateName, true)) causes.push(invalid('metadata.generateName', generateName, msg));
  const name = typeof meta.name === 'string' ? meta.name : '';
  // The registry turns generateName into a name before validating; only both missing is an error here.
  if (!name) {
    if (!generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  } else for (const msg of nameFn(name, false)) causes.push(invalid('metadata.name', name, msg));
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespaced) {
    if (!ns) causes.push(required('metadata.namespace'));
    else for (const msg of isDNS1123Label(ns)) causes.push(invalid('metadata.namespace', ns, msg));
  } else if (ns) {
    causes.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    causes.push(invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  causes.push(...validateLabels(meta.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  causes.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return causes;
}

/** ObjectMeta on update: identity fields immutable, no new finalizers while deleting, generation never drops. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const meta: KubeObject = isObject(obj.metadata) ? obj.metadata : {};
  const prev: KubeObject = isObject(old.metadata) ? old.metadata : {};
  const causes: Cause[] = [];
  if (prev.deletionTimestamp) {
    const before = new Set(Array.isArray(prev.finalizers) ? prev.finalizers : []);
    const added = (Array.isArray(meta.finalizers) ? meta.finalizers : []).filter((f: string) => !before.has(f)).sort();
    if (added.length) {
      causes.push(
        forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goValue(added)}`,
        ),
      );
    }
  }
  if (typeof meta.generation === 'number' && typeof prev.generation === 'number' && meta.generation < prev.generation) {
    causes.push(invalid('metadata.generation', meta.generation, 'must not be decremented'));
  }
  // creationTimestamp and the deletion fields are copied from the stored object before validation
  // (preserveSystemMetadata), as kube-apiserver's registry does; an update without a uid keeps the old one.
  for (const f of ['name', 'namespace']) causes.push(...immutable(`metadata.${f}`, meta[f] ?? '', prev[f] ?? ''));
  if (meta.uid) causes.push(...immutable('metadata.uid', meta.uid, prev.uid ?? ''));
  causes.push(...validateLabels(meta.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  causes.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return causes;
}
