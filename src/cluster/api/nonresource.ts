// Requests that are not about objects: /version, the health checks, the OpenAPI v3 documents and the
// discovery documents. Returns false when the path is none of these (a resource path, or a 404).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultOpenApiV3 } from '../openapi/index.js';
import { aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { writeJson } from './http-io.js';
import { contentTypeOf, wantsAggregatedDiscovery } from './negotiate.js';
import { splitPath } from './request-info.js';
import { pathNotFound } from './status.js';

/** The Kubernetes version Berth's API corresponds to; gitVersion is strict semver, as kubectl requires. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-berth' };

/** Paths anyone may read without credentials (health checks and the version, as Kubernetes allows). */
export const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version'];

/** True for a path under one of PUBLIC_PATHS. */
export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(p + '/'));
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** The body of GET /version. */
export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
  };
}

/** What the health endpoints check: resolves when storage answers. */
export type ReadinessProbe = () => Promise<void>;

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

async function health(res: ServerResponse, kind: string, check: string | undefined, verbose: boolean, probe: ReadinessProbe): Promise<void> {
  // livez and healthz report the process; readyz (and an explicit etcd check) also needs etcd.
  const needsEtcd = kind === 'readyz' || check === 'etcd';
  if (check && check !== 'etcd' && check !== 'ping') return text(res, 404, `404 page not found\n`);
  let etcdOk = true;
  if (needsEtcd) {
    try {
      await probe();
    } catch {
      etcdOk = false;
    }
  }
  if (!verbose) return text(res, etcdOk ? 200 : 500, etcdOk ? 'ok' : `[-]etcd failed: reason withheld\n${kind} check failed\n`);
  const lines = ['[+]ping ok', needsEtcd ? `[${etcdOk ? '+' : '-'}]etcd ${etcdOk ? 'ok' : 'failed: reason withheld'}` : '[+]etcd ok'];
  text(res, etcdOk ? 200 : 500, `${lines.join('\n')}\n${kind} check ${etcdOk ? 'passed' : 'failed'}\n`);
}

function openapi(req: IncomingMessage, res: ServerResponse, parts: string[]): void {
  const api = defaultOpenApiV3();
  const doc = parts.length === 2 ? api.index() : api.document(parts.slice(2).join('/'));
  if (!doc) throw pathNotFound();
  const hashed = new URL(req.url ?? '/', 'http://x').searchParams.has('hash');
  const headers = {
    ETag: doc.etag,
    'Cache-Control': hashed ? 'public, immutable' : 'no-cache, private',
    Vary: 'Accept',
  };
  if (req.headers['if-none-match'] === doc.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.body) });
  res.end(doc.body);
}

/** Serves a non-resource path; false when the path is not one (the caller routes it as a resource). */
export async function handleNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, probe: ReadinessProbe): Promise<boolean> {
  const parts = splitPath(path);
  const accept = req.headers.accept;
  const [first, second, third] = parts;
  if (first === 'version' && parts.length === 1) {
    writeJson(res, 200, versionInfo());
    return true;
  }
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && parts.length <= 2) {
    await health(res, first, second, query.has('verbose'), probe);
    return true;
  }
  if (first === 'openapi' && second === 'v3') {
    openapi(req, res, parts);
    return true;
  }
  if (first === 'api' && parts.length <= 2) {
    if (parts.length === 1) {
      if (wantsAggregatedDiscovery(accept)) writeJson(res, 200, aggregatedDiscovery('api'), contentTypeOf({ kind: 'discovery-v2' }), { Vary: 'Accept' });
      else writeJson(res, 200, apiVersions(req.headers.host ?? '127.0.0.1'), 'application/json', { Vary: 'Accept' });
      return true;
    }
    const list = apiResourceList('', second!);
    if (!list) throw pathNotFound();
    writeJson(res, 200, list);
    return true;
  }
  if (first === 'apis' && parts.length <= 3) {
    if (parts.length === 1) {
      if (wantsAggregatedDiscovery(accept)) writeJson(res, 200, aggregatedDiscovery('apis'), contentTypeOf({ kind: 'discovery-v2' }), { Vary: 'Accept' });
      else writeJson(res, 200, apiGroupList(), 'application/json', { Vary: 'Accept' });
      return true;
    }
    const doc = parts.length === 2 ? apiGroupDocument(second!) : apiResourceList(second!, third!);
    if (!doc) throw pathNotFound();
    writeJson(res, 200, doc);
    return true;
  }
  if (first === 'api' || first === 'apis') return false;
  throw pathNotFound();
}
