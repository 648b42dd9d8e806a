// The pod row: Name, Ready, Status, Restarts, Age (wide: IP, Node, Nominated Node, Readiness Gates). The
// Status cell is not just status.phase: like kubectl against Kubernetes it shows what is going on —
// `Init:1/2`, `ContainerCreating`, `CrashLoopBackOff`, `Completed`, `Terminating` — derived from the
// container statuses in the same order of precedence.
import type { KubeObject } from '../resources/index.js';
import { ageOf, humanDuration } from './age.js';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table-columns.js';

const list = (v: unknown): KubeObject[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

const isRestartableInit = (c: KubeObject | undefined): boolean => c?.restartPolicy === 'Always';

interface Tally {
  reason: string;
  ready: number;
  restarts: number;
  lastRestart: number;
}

function terminatedAt(cs: KubeObject): number {
  const t = Date.parse(cs.lastState?.terminated?.finishedAt ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function terminatedReason(t: KubeObject, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

/** Walks init container statuses; returns true while the pod is still initializing. */
function tallyInit(pod: KubeObject, t: Tally, restartable: { restarts: number; last: number }): boolean {
  const inits = list(pod.spec?.initContainers);
  const byName = new Map(inits.map((c) => [c.name, c]));
  const statuses = list(pod.status?.initContainerStatuses);
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i]!;
    t.restarts += cs.restartCount ?? 0;
    t.lastRestart = Math.max(t.lastRestart, terminatedAt(cs));
    const sidecar = isRestartableInit(byName.get(cs.name));
    if (sidecar) {
      restartable.restarts += cs.restartCount ?? 0;
      restartable.last = Math.max(restartable.last, terminatedAt(cs));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) t.ready++;
      continue;
    }
    if (term) t.reason = terminatedReason(term, 'Init:');
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') t.reason = `Init:${waiting.reason}`;
    else t.reason = `Init:${i}/${inits.length}`;
    return true;
  }
  return false;
}

/** The Ready, Status and Restarts cells of a pod at `now`. */
export function podStatusCells(pod: KubeObject, now: Date): { ready: string; status: string; restarts: string } {
  const phase: string = pod.status?.phase ?? '';
  const conditions = list(pod.status?.conditions);
  let total = list(pod.spec?.containers).length + list(pod.spec?.initContainers).filter(isRestartableInit).length;
  const t: Tally = { reason: pod.status?.reason || phase, ready: 0, restarts: 0, lastRestart: 0 };
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) t.reason = 'SchedulingGated';

  const restartable = { restarts: 0, last: 0 };
  const initializing = tallyInit(pod, t, restartable);
  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    t.restarts = restartable.restarts;
    t.lastRestart = restartable.last;
    let hasRunning = false;
    const statuses = list(pod.status?.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      t.restarts += cs.restartCount ?? 0;
      t.lastRestart = Math.max(t.lastRestart, terminatedAt(cs));
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) t.reason = waiting.reason;
      else if (terminated) t.reason = terminatedReason(terminated, '');
      else if (cs.ready && running) {
        hasRunning = true;
        t.ready++;
      }
    }
    if (t.reason === 'Completed' && hasRunning) {
      t.reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && pod.status?.reason === 'NodeLost') t.reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') t.reason = 'Terminating';

  total = Math.max(total, 0);
  const restarts =
    t.restarts !== 0 && t.lastRestart > 0 ? `${t.restarts} (${humanDuration(now.getTime() - t.lastRestart)} ago)` : String(t.restarts);
  return { ready: `${t.ready}/${total}`, status: t.reason, restarts };
}

function readinessGates(pod: KubeObject): string {
  const gates = list(pod.spec?.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = list(pod.status?.conditions);
  const ok = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${ok}/${gates.length}`;
}

/** Pods as `kubectl get pods` shows them. */
export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted, and when the last one was.'),
    AGE_COLUMN,
    col('IP', 'string', 'The IP address allocated to the pod.', 1),
    col('Node', 'string', 'The node the pod is scheduled to.', 1),
    col('Nominated Node', 'string', 'The node the scheduler nominated for the pod while preempting others.', 1),
    col('Readiness Gates', 'string', 'How many of the pod readiness gates are satisfied.', 1),
  ],
  cells(pod, now) {
    const s = podStatusCells(pod, now);
    const ip = list(pod.status?.podIPs)[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata?.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      ageOf(pod.metadata?.creationTimestamp, now),
      ip,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};
