// createApiHandler: one HTTP request at a time — authenticate (401), authorize (403), then either a
// non-resource path (version, health, OpenAPI, discovery) or a resource request (get, list, watch, create,
// update, patch, delete, deletecollection and subresources). Everything a handler throws ends up as a
// metav1.Status with Kubernetes' code, reason and message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createClusterClient } from './client.js';
import type { RegistryContext } from './context.js';
import { writeStatus } from './http-io.js';
import { ensureSystemNamespaces } from './namespaces.js';
import { handleNonResource, isPublicPath } from './nonresource.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { handleResource, resolveTarget } from './resource-handler.js';
import { forbiddenByAuthorizer, pathNotFound, serviceUnavailable, toApiError, unauthorized } from './status.js';
import type { ApiServerDeps, CreateApiHandler, RequestAttributes, UserInfo } from './types.js';

/** How long /readyz waits for etcd. */
const READY_TIMEOUT_MS = 2000;

/** Kubernetes' authorization attributes of a request. */
export function requestAttributes(ri: RequestInfo, user: UserInfo): RequestAttributes {
  if (!ri.isResourceRequest) {
    return { user, verb: ri.verb, resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', path: ri.path };
  }
  return {
    user,
    verb: ri.verb,
    resourceRequest: true,
    apiGroup: ri.apiGroup,
    apiVersion: ri.apiVersion,
    resource: ri.resource,
    ...(ri.subresource ? { subresource: ri.subresource } : {}),
    ...(ri.namespace ? { namespace: ri.namespace } : {}),
    ...(ri.name ? { name: ri.name } : {}),
    path: ri.path,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** The API server's request handler over the given store, watch cache, auth and admission. */
export const createApiHandler: CreateApiHandler = (deps: ApiServerDeps) => {
  const ctx: RegistryContext = {
    store: deps.store,
    watchCache: deps.watchCache,
    admission: deps.admission,
    now: deps.now ?? (() => new Date()),
  };
  // The system namespaces are created once, before the first resource request is served; a failure
  // (etcd not up yet) is retried by the next request.
  let bootstrap: Promise<void> | undefined;
  const ready = (): Promise<void> =>
    (bootstrap ??= ensureSystemNamespaces(ctx).catch((err) => {
      bootstrap = undefined;
      throw err;
    }));
  ready().catch(() => undefined);

  const inflight = new Set<ServerResponse>();
  let closed = false;
  const probe = async () => {
    await withTimeout(deps.store.currentRevision(), READY_TIMEOUT_MS);
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    let target: { group: string; resource: string } | undefined;
    try {
      if (closed) throw serviceUnavailable('the API server is shutting down');
      const open = isPublicPath(url.pathname);
      const user = await deps.authenticator.authenticate(req);
      if (!user && !open) throw unauthorized();
      if (user && !open) {
        const attrs = requestAttributes(ri, user);
        const decision = await deps.authorizer.authorize(attrs);
        if (!decision.allowed) throw forbiddenByAuthorizer(attrs, decision.reason);
      }
      if (!ri.isResourceRequest) {
        if (!(await handleNonResource(req, res, url.pathname, url.searchParams, probe))) throw pathNotFound();
        return;
      }
      const t = resolveTarget(ri);
      target = t.info;
      try {
        await ready();
      } catch (err) {
        throw serviceUnavailable(`the API is not ready: ${(err as Error).message}`);
      }
      await handleResource({ req, res, query: url.searchParams, ri, ...t, user: user!, ctx });
    } catch (err) {
      const e = toApiError(err, target, ri.name || undefined);
      if (res.headersSent) res.end();
      else writeStatus(res, e);
    }
  }

  return {
    handle(req, res) {
      inflight.add(res);
      res.on('close', () => inflight.delete(res));
      serve(req, res).catch(() => {
        if (!res.writableEnded) res.destroy();
      });
    },
    client(user) {
      return createClusterClient(ctx, user, ready);
    },
    async close() {
      closed = true;
      // Long-running responses (watches) end now; their subscriptions go with them.
      for (const res of inflight) res.destroy();
      inflight.clear();
    },
  };
};
