// Pod templates inside workloads, and the pod update rule (a running pod's spec is mostly frozen).
import type { Cause, KubeObject } from '../types.js';
import { childPath as at, deepEqual, forbidden, invalid, required } from './field.js';
import { selectorMatches, validateAnnotations, validateLabels } from './meta.js';
import { validatePodSpec } from './pod.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Options for a workload's pod template. */
export interface TemplateOptions {
  /** The workload's selector; the template's labels must satisfy it. */
  selector?: KubeObject;
  restartPolicies?: string[];
  /** Controllers that keep pods running refuse an activeDeadlineSeconds. */
  forbidActiveDeadline?: boolean;
}

/** Validates `spec.template` of a workload at `path`. */
export function validatePodTemplate(template: unknown, path: string, opts: TemplateOptions): Cause[] {
  if (!isObject(template)) return [required(path)];
  const meta: KubeObject = isObject(template.metadata) ? template.metadata : {};
  const labelsPath = at(at(path, 'metadata'), 'labels');
  const causes = [
    ...validateLabels(meta.labels, labelsPath),
    ...validateAnnotations(meta.annotations, at(at(path, 'metadata'), 'annotations')),
  ];
  const labels: Record<string, string> = isObject(meta.labels) ? meta.labels : {};
  if (opts.selector && !selectorMatches(opts.selector, labels)) {
    causes.push(invalid(labelsPath, labels, '`selector` does not match template `labels`'));
  }
  const specPath = at(path, 'spec');
  causes.push(
    ...validatePodSpec(template.spec, specPath, opts.restartPolicies ? { restartPolicies: opts.restartPolicies } : {}),
  );
  if (opts.forbidActiveDeadline && isObject(template.spec) && template.spec.activeDeadlineSeconds != null) {
    causes.push(
      forbidden(at(specPath, 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'),
    );
  }
  return causes;
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * A pod's spec may only change container images, activeDeadlineSeconds, additional tolerations and a few
 * scheduling fields; anything else is `spec: Forbidden: pod updates may not change fields other than …`.
 */
export function validatePodSpecUpdate(spec: unknown, oldSpec: unknown): Cause[] {
  if (!isObject(spec) || !isObject(oldSpec)) return [];
  // Copy the allowed changes from the new spec onto the old one; any remaining difference is forbidden.
  const merged: KubeObject = structuredClone(oldSpec);
  for (const key of ['containers', 'initContainers']) {
    const next = Array.isArray(spec[key]) ? spec[key] : [];
    const prev = Array.isArray(merged[key]) ? merged[key] : [];
    if (next.length === prev.length)
      prev.forEach((c: KubeObject, i: number) => isObject(c) && (c.image = next[i]?.image));
  }
  merged.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  const oldTolerations: unknown[] = Array.isArray(oldSpec.tolerations) ? oldSpec.tolerations : [];
  const newTolerations: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const onlyAdded = oldTolerations.every((t) => newTolerations.some((n) => deepEqual(n, t)));
  if (onlyAdded) merged.tolerations = spec.tolerations;
  if (
    typeof oldSpec.terminationGracePeriodSeconds === 'number' &&
    oldSpec.terminationGracePeriodSeconds < 0 &&
    spec.terminationGracePeriodSeconds === 1
  ) {
    merged.terminationGracePeriodSeconds = 1;
  }
  // Scheduling gates may be removed, and a gated pod's node selector may be added to.
  if (Array.isArray(oldSpec.schedulingGates) && oldSpec.schedulingGates.length) {
    merged.schedulingGates = spec.schedulingGates;
    merged.nodeSelector = spec.nodeSelector;
  }
  return deepEqual(merged, spec) ? [] : [forbidden('spec', POD_UPDATE_MESSAGE)];
}
