// What runs inside the API server process besides request handling: the RBAC cache, the bootstrap objects
// (default ClusterRoles and bindings, the `kubernetes` Service), the garbage collector, the namespace
// controller and the allocation repair loop. Each uses the in-process client under its own system
// identity (in `system:masters`, as kube-controller-manager's controllers effectively are).
import type { ClusterClient, UserInfo } from '../api/types.js';
import type { KubeObject } from '../resources/types.js';
import { RbacCache, ensureBootstrapPolicy } from '../auth/rbac-cache.js';
import { ensureKubernetesService } from '../admission/kubernetes-service.js';
import { startAllocationRepair } from '../admission/allocation-repair.js';
import type { AllocationStore } from '../admission/allocation-store.js';
import { isAssignable } from '../admission/cidr.js';
import { portInRange } from '../admission/port-range.js';
import type { ServiceAllocator } from '../admission/service-allocator.js';
import { GarbageCollector } from '../controllers/garbage-collector.js';
import { NamespaceLifecycle } from '../controllers/namespace-lifecycle.js';

/** A system identity (a kube-system service account, or the API server itself) with full access. */
export function systemUser(name: string): UserInfo {
  const sa = /^system:serviceaccount:([^:]+):/.exec(name);
  const groups = ['system:masters', 'system:authenticated'];
  if (sa) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  return { name, groups };
}

export const APISERVER_USER = systemUser('system:apiserver');
export const GC_USER = systemUser('system:serviceaccount:kube-system:generic-garbage-collector');
export const NAMESPACE_CONTROLLER_USER = systemUser('system:serviceaccount:kube-system:namespace-controller');

export interface ControlLoopsOptions {
  client: (user: UserInfo) => ClusterClient;
  allocator: ServiceAllocator;
  allocations: AllocationStore;
  rbac: RbacCache;
  /** The API server's address and port, for the `kubernetes` Service's endpoints. */
  endpointIP: string;
  port: number;
  log: (message: string) => void;
}

export interface ControlLoops {
  /** Resolves when the bootstrap objects exist and every controller has synced. */
  ready: Promise<void>;
  stop(): void;
}

const SERVICES = { group: '', version: 'v1', resource: 'services' };

/** Starts everything; failures of start-up tasks are retried (etcd may be briefly unavailable). */
export function startControlLoops(o: ControlLoopsOptions): ControlLoops {
  let stopped = false;
  const stops: Array<() => void> = [];
  const sys = o.client(APISERVER_USER);

  const retry = async (what: string, fn: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        o.log(`${what} failed (will retry): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)).unref());
      }
    }
  };

  o.allocator.lookupService = async (namespace, name) => {
    try {
      return await sys.get(SERVICES, namespace, name);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };

  o.rbac.start();
  stops.push(() => o.rbac.stop());

  const gc = new GarbageCollector({ client: o.client(GC_USER), log: o.log });
  const namespaces = new NamespaceLifecycle({ client: o.client(NAMESPACE_CONTROLLER_USER), log: o.log });
  stops.push(() => gc.stop(), () => namespaces.stop());

  const ready = Promise.all([
    o.rbac.synced,
    retry('creating the default RBAC policy', async () => {
      const n = await ensureBootstrapPolicy(sys);
      if (n) o.log(`created ${n} default RBAC objects`);
    }),
    // The `default` namespace is created by the handler at start-up; until then this is a 404 and retried.
    retry('creating the kubernetes Service', () =>
      ensureKubernetesService(sys, { clusterIP: o.allocator.kubernetesIP(), endpointIP: o.endpointIP, port: o.port }),
    ),
    gc.start(),
    namespaces.start(),
  ]).then(() => {
    if (stopped) return;
    stops.push(
      startAllocationRepair({
        allocations: o.allocations,
        listServices: async () => (await sys.list(SERVICES)).items as KubeObject[],
        inRange: (kind, value) => (kind === 'serviceips' ? isAssignable(o.allocator.cidr, value) : portInRange(o.allocator.ports, Number(value))),
        log: o.log,
      }),
    );
  });
  ready.catch((err) => o.log(`control loops failed to start: ${(err as Error).message}`));

  return {
    ready,
    stop() {
      stopped = true;
      for (const s of stops.reverse()) s();
      o.allocator.close();
    },
  };
}
