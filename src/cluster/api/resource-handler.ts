// Resource requests over HTTP: resolve the resource, scope and subresource, then the verb — get and list
// (as objects, Tables or PartialObjectMetadata), watch (newline-delimited JSON events, flushed per event),
// and the writes in resource-writes.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { findResource, type KubeObject, type ResourceInfo } from '../resources/index.js';
import type { RegistryContext } from './context.js';
import { writeJson, writeStatus } from './http-io.js';
import { contentTypeOf, negotiateObject, type Representation } from './negotiate.js';
import { getObject, listObjects, listObject, type ListOutcome } from './registry-read.js';
import type { RequestInfo } from './request-info.js';
import { includeObjectOf, listQueryOf, watchQueryOf } from './request-options.js';
import { handleWrite } from './resource-writes.js';
import { toScale } from './scale.js';
import { methodNotSupported, pathNotFound, serviceUnavailable } from './status.js';
import { buildTable, partialObjectMetadata } from './table.js';
import { ApiError, type UserInfo } from './types.js';
import { startWatch } from './watch.js';

/** Everything a resource request handler needs about the request. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  ri: RequestInfo;
  info: ResourceInfo;
  /** The object's namespace (namespaced resources), undefined for cluster scope or all namespaces. */
  namespace: string | undefined;
  name: string;
  subresource: string;
  user: UserInfo;
  ctx: RegistryContext;
}

/** Default watch length when the client gives no timeoutSeconds (Kubernetes picks 30–60 minutes). */
const DEFAULT_WATCH_SECONDS = 1800;

/** Resolves a resource request's target; throws 404 for anything not served. */
export function resolveTarget(ri: RequestInfo): { info: ResourceInfo; namespace: string | undefined; name: string; subresource: string } {
  const info = findResource(ri.apiGroup, ri.apiVersion, ri.resource);
  if (!info || ri.extra.length > 0) throw pathNotFound();
  // /api/v1/namespaces/{name}[/status|/finalize] names the namespace itself.
  const isNamespaces = info.group === '' && info.resource === 'namespaces';
  let namespace: string | undefined = ri.namespace || undefined;
  if (isNamespaces) namespace = undefined;
  else if (!info.namespaced && namespace) throw pathNotFound();
  const subresource = ri.subresource;
  if (subresource && !info.subresources.some((s) => s.name === subresource)) throw pathNotFound();
  // A named object of a namespaced resource needs its namespace in the path.
  if (info.namespaced && !namespace && ri.name && ri.verb !== 'list' && ri.verb !== 'watch') throw pathNotFound();
  return { info, namespace, name: ri.name, subresource };
}

/** Serves one resource request (authentication and authorization already done). */
export async function handleResource(r: ResourceRequest): Promise<void> {
  const { info, subresource, ri } = r;
  const sub = info.subresources.find((s) => s.name === subresource);
  if (sub?.nodeFacing) {
    throw serviceUnavailable(`${info.resource}/${subresource} is served by the node agent, which is not running yet`);
  }
  if (sub && !sub.verbs.includes(ri.verb as never)) throw methodNotSupported(info, ri.verb);
  if (!sub && !info.verbs.includes(ri.verb as never)) throw methodNotSupported(info, ri.verb);
  if (info.namespaced && !r.namespace && !['list', 'watch', 'deletecollection'].includes(ri.verb)) throw pathNotFound();

  switch (ri.verb) {
    case 'get':
      return handleGet(r);
    case 'list':
      return handleList(r);
    case 'watch':
      return handleWatch(r);
    default:
      return handleWrite(r);
  }
}

function representation(r: ResourceRequest): Representation {
  const rep = negotiateObject(r.req.headers.accept);
  if (!rep) throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`, {});
  return rep;
}

/** Writes an object (or a one-row Table / PartialObjectMetadata when asked) with the given code. */
export function respondObject(r: ResourceRequest, code: number, obj: KubeObject, headers: Record<string, string | string[]> = {}): void {
  const rep = r.subresource ? { kind: 'object' as const } : representation(r);
  if (rep.kind === 'table') {
    const table = buildTable(r.info, [obj], { now: r.ctx.now(), includeObject: includeObjectOf(r.query), listMeta: { resourceVersion: obj.metadata?.resourceVersion ?? '' } });
    return writeJson(r.res, code, table, contentTypeOf(rep), headers);
  }
  if (rep.kind === 'partial-metadata') return writeJson(r.res, code, partialObjectMetadata(obj), 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', headers);
  writeJson(r.res, code, obj, 'application/json', headers);
}

async function handleGet(r: ResourceRequest): Promise<void> {
  const obj = await getObject(r.ctx, r.info, r.namespace, r.name);
  if (r.subresource === 'scale') return writeJson(r.res, 200, toScale(obj));
  respondObject(r, 200, obj);
}

function listMeta(l: ListOutcome): KubeObject {
  const m: KubeObject = { resourceVersion: l.resourceVersion };
  if (l.continue) m.continue = l.continue;
  if (l.remainingItemCount !== undefined) m.remainingItemCount = l.remainingItemCount;
  return m;
}

async function handleList(r: ResourceRequest): Promise<void> {
  const rep = representation(r);
  const q = listQueryOf(r.query);
  const includeObject = includeObjectOf(r.query);
  const result = await listObjects(r.ctx, r.info, r.namespace, q);
  if (rep.kind === 'table') {
    return writeJson(r.res, 200, buildTable(r.info, result.items, { now: r.ctx.now(), includeObject, listMeta: listMeta(result) }), contentTypeOf(rep));
  }
  if (rep.kind === 'partial-metadata') {
    const list = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta(result), items: result.items.map(partialObjectMetadata) };
    return writeJson(r.res, 200, list, contentTypeOf(rep));
  }
  writeJson(r.res, 200, listObject(r.info, result));
}

async function handleWatch(r: ResourceRequest): Promise<void> {
  const rep = representation(r);
  const q = watchQueryOf(r.query);
  // The legacy `/watch/…/pods/x` form watches one object.
  if (r.name && r.ri.path.includes('/watch/')) q.fieldSelector = [q.fieldSelector, `metadata.name=${r.name}`].filter(Boolean).join(',');
  const includeObject = includeObjectOf(r.query);
  const { res, req } = r;
  let open = true;
  let stop: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (!open) return;
    open = false;
    if (timer) clearTimeout(timer);
    stop();
    if (!res.writableEnded) res.end();
  };
  const write = (e: { type: string; object: KubeObject }) => {
    if (!open) return;
    if (!res.headersSent) startStream();
    let object = e.object;
    if (e.type !== 'ERROR' && e.type !== 'BOOKMARK') {
      if (rep.kind === 'table') object = buildTable(r.info, [e.object], { now: r.ctx.now(), includeObject, listMeta: { resourceVersion: e.object.metadata?.resourceVersion ?? '' } });
      else if (rep.kind === 'partial-metadata') object = partialObjectMetadata(e.object);
    }
    // Events of one etcd watch response arrive in the same tick: cork so a watcher gets them in one write
    // (with 100 watchers, a syscall per event per watcher was the fan-out's main cost).
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(`{"type":"${e.type}","object":${object === e.object ? serialized(object) : JSON.stringify(object)}}\n`);
  };
  let corked = false;
  const startStream = () => {
    res.writeHead(200, {
      'Content-Type': rep.kind === 'table' ? contentTypeOf(rep) : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
  };
  req.on('close', finish);
  res.on('close', finish);
  // Parameter errors reject before anything is written, so they are ordinary Status responses.
  stop = await startWatch(r.ctx, r.info, r.namespace, q, write, finish);
  if (!open) {
    stop();
    return;
  }
  if (!res.headersSent) startStream();
  timer = setTimeout(finish, (q.timeoutSeconds ?? DEFAULT_WATCH_SECONDS) * 1000);
  timer.unref?.();
}

/** Writes an error of a resource request. */
export function respondError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  writeStatus(res, err);
}

// Watch events fan out to every watcher as the same decoded object (watch.ts): serialize each once.
const serializedObjects = new WeakMap<KubeObject, string>();
function serialized(object: KubeObject): string {
  let text = serializedObjects.get(object);
  if (text === undefined) serializedObjects.set(object, (text = JSON.stringify(object)));
  return text;
}
