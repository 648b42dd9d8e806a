// The in-process ClusterClient: the same registry operations the HTTP handler runs (defaulting, validation,
// admission, finalizers, generation, managedFields), minus HTTP, for controllers inside the API server.
// Errors are the same ApiErrors (with Kubernetes' codes and reasons) the HTTP API would answer with.
import { findResource, type KubeObject, type ResourceInfo } from '../resources/index.js';
import type { RegistryContext } from './context.js';
import { deleteObject } from './registry-delete.js';
import { findObject, listObjects } from './registry-read.js';
import { createObject, updateObject, type Subresource } from './registry-write.js';
import { applyScale } from './scale.js';
import { pathNotFound, toApiError } from './status.js';
import { ApiError, type ClusterClient, type GroupVersionResourceRef, type UserInfo } from './types.js';
import { startWatch } from './watch.js';

function resolve(gvr: GroupVersionResourceRef): ResourceInfo {
  const info = findResource(gvr.group, gvr.version, gvr.resource);
  if (!info) throw pathNotFound();
  return info;
}

const nsOf = (info: ResourceInfo, namespace: string | undefined) => (info.namespaced ? namespace : undefined);

/** A ClusterClient acting as `user`; `ready` resolves once the API's bootstrap (system namespaces) is done. */
export function createClusterClient(ctx: RegistryContext, user: UserInfo, ready: () => Promise<void>): ClusterClient {
  const fieldManager = user.name.slice(0, 128);
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      await ready();
      return await fn();
    } catch (err) {
      throw toApiError(err);
    }
  };
  return {
    get: (gvr, namespace, name) => wrap(() => findObject(ctx, resolve(gvr), nsOf(resolve(gvr), namespace), name)),

    list: (gvr, namespace, opts = {}) =>
      wrap(async () => {
        const info = resolve(gvr);
        const r = await listObjects(ctx, info, nsOf(info, namespace), { labelSelector: opts.labelSelector ?? null, fieldSelector: opts.fieldSelector ?? null });
        return { items: r.items, resourceVersion: r.resourceVersion };
      }),

    create: (gvr, namespace, obj) =>
      wrap(() => {
        const info = resolve(gvr);
        return createObject(ctx, info, nsOf(info, namespace ?? obj.metadata?.namespace), obj, { user, fieldManager });
      }),

    update: (gvr, namespace, obj, subresource) =>
      wrap(async () => {
        const info = resolve(gvr);
        const ns = nsOf(info, namespace ?? obj.metadata?.namespace);
        const name = obj.metadata?.name ?? '';
        if (subresource === 'scale') {
          return (await updateObject(ctx, info, ns, name, (current) => applyScale(current, obj), { user, fieldManager })).object;
        }
        if (subresource && !info.subresources.some((s) => s.name === subresource)) throw pathNotFound();
        const out = await updateObject(ctx, info, ns, name, () => obj, { user, fieldManager, subresource: (subresource ?? '') as Subresource });
        return out.object;
      }),

    delete: (gvr, namespace, name, opts = {}) =>
      wrap(async () => {
        const info = resolve(gvr);
        try {
          const r = await deleteObject(ctx, info, nsOf(info, namespace), name, { ...opts }, { user });
          return r.object;
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) return undefined;
          throw err;
        }
      }),

    watch(gvr, namespace, resourceVersion, onEvent, onError) {
      let stopped = false;
      let stop: () => void = () => undefined;
      const fail = (err: unknown) => {
        if (!stopped) onError(err instanceof Error ? err : new Error(String(err)));
      };
      (async () => {
        await ready();
        const info = resolve(gvr);
        const s = await startWatch(
          ctx,
          info,
          nsOf(info, namespace),
          { resourceVersion, allowWatchBookmarks: true },
          (e) => {
            if (stopped) return;
            if (e.type === 'ERROR') {
              const st = e.object as KubeObject;
              fail(new ApiError(st.code ?? 500, st.reason ?? 'InternalError', st.message ?? 'watch failed', st.details ?? {}));
            } else onEvent(e);
          },
          () => undefined,
        );
        if (stopped) s();
        else stop = s;
      })().catch((err) => fail(toApiError(err)));
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}
