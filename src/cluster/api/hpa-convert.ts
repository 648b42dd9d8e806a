// HorizontalPodAutoscaler is served as autoscaling/v2 (stored form) and autoscaling/v1. v1 only knows a CPU
// utilization target, so — as Kubernetes does — what v1 cannot express (other metrics, behavior, current
// metrics, conditions) travels in annotations while an object is read and written through v1, and comes back
// out of them when converted to v2. A round trip through either version loses nothing.
import type { KubeObject } from '../resources/index.js';

const A_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const A_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const A_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const A_CURRENT = 'autoscaling.alpha.kubernetes.io/current-metrics';

const isCpuUtilization = (m: KubeObject): boolean =>
  m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

const isCpuCurrent = (m: KubeObject): boolean =>
  m?.type === 'Resource' && m.resource?.name === 'cpu' && typeof m.resource?.current?.averageUtilization === 'number';

function takeAnnotation(meta: KubeObject, key: string): unknown {
  const raw = meta.annotations?.[key];
  if (raw === undefined) return undefined;
  delete meta.annotations[key];
  if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function putAnnotation(meta: KubeObject, key: string, value: unknown): void {
  meta.annotations = { ...(meta.annotations ?? {}), [key]: JSON.stringify(value) };
}

/** An autoscaling/v1 HPA as autoscaling/v2 (a copy). */
export function hpaToV2(v1: KubeObject): KubeObject {
  const obj = structuredClone(v1);
  obj.apiVersion = 'autoscaling/v2';
  const meta = (obj.metadata ??= {});
  const spec = (obj.spec ??= {});
  const metrics: KubeObject[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  delete spec.targetCPUUtilizationPercentage;
  const other = takeAnnotation(meta, A_METRICS);
  if (Array.isArray(other)) metrics.push(...other);
  if (metrics.length) spec.metrics = metrics;
  const behavior = takeAnnotation(meta, A_BEHAVIOR);
  if (behavior && typeof behavior === 'object') spec.behavior = behavior;

  const conditions = takeAnnotation(meta, A_CONDITIONS);
  const current = takeAnnotation(meta, A_CURRENT);
  if (obj.status) {
    const status = obj.status;
    const currentMetrics: KubeObject[] = [];
    if (typeof status.currentCPUUtilizationPercentage === 'number') {
      currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
    }
    delete status.currentCPUUtilizationPercentage;
    if (Array.isArray(current)) currentMetrics.push(...current);
    if (currentMetrics.length) status.currentMetrics = currentMetrics;
    if (Array.isArray(conditions)) status.conditions = conditions;
  }
  return obj;
}

/** An autoscaling/v2 HPA as autoscaling/v1 (a copy). */
export function hpaToV1(v2: KubeObject): KubeObject {
  const obj = structuredClone(v2);
  obj.apiVersion = 'autoscaling/v1';
  const meta = (obj.metadata ??= {});
  const spec = (obj.spec ??= {});
  const metrics: KubeObject[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpuUtilization);
  if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const rest = metrics.filter((m) => m !== cpu);
  if (rest.length) putAnnotation(meta, A_METRICS, rest);
  delete spec.metrics;
  if (spec.behavior) putAnnotation(meta, A_BEHAVIOR, spec.behavior);
  delete spec.behavior;

  if (obj.status) {
    const status = obj.status;
    const current: KubeObject[] = Array.isArray(status.currentMetrics) ? status.currentMetrics : [];
    const cpuNow = current.find(isCpuCurrent);
    if (cpuNow) status.currentCPUUtilizationPercentage = cpuNow.resource.current.averageUtilization;
    const restNow = current.filter((m) => m !== cpuNow);
    if (restNow.length) putAnnotation(meta, A_CURRENT, restNow);
    delete status.currentMetrics;
    if (Array.isArray(status.conditions) && status.conditions.length) putAnnotation(meta, A_CONDITIONS, status.conditions);
    delete status.conditions;
  }
  return obj;
}
