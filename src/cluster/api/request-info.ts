// What a request is about, from its method, path and query alone — the same decomposition kube-apiserver's
// RequestInfoFactory makes, because authorization (RBAC rules name verbs, groups, resources, subresources
// and namespaces) must see exactly what Kubernetes would show it.

/** The parsed target of a request. */
export interface RequestInfo {
  /** False for /version, /healthz, /openapi/…, and the discovery documents. */
  isResourceRequest: boolean;
  /** The URL path (no query). */
  path: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; or the lowercased HTTP method. */
  verb: string;
  /** `api` or `apis` for resource requests. */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the resource's name and subresource (none are served, but they must 404). */
  extra: string[];
}

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

// Paths after /namespaces/{name}/ that are subresources of the namespace itself, not namespaced resources.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses a request as kube-apiserver does; `query` is the URL's search params. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const upper = method.toUpperCase();
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: upper.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    extra: [],
  };
  let parts = splitPath(path);
  if (parts.length === 0 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0]!;
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    // /apis and /apis/{group} are discovery, not resources.
    if (parts.length < 3) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  } else if (parts.length < 2) {
    return info;
  }
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);
  info.isResourceRequest = true;
  info.verb = METHOD_VERBS[upper] ?? upper.toLowerCase();

  // The legacy `/watch/` prefix: GET /api/v1/watch/namespaces/x/pods.
  if (parts[0] === 'watch') {
    if (info.verb === 'get') info.verb = 'watch';
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  info.resource = parts[0] ?? '';
  info.name = parts[1] ?? '';
  info.subresource = parts[2] ?? '';
  info.extra = parts.slice(3);

  // A GET without a name is a list, or a watch when asked.
  if (!info.name && info.verb === 'get') {
    info.verb = isTrue(query.get('watch')) ? 'watch' : 'list';
    // A list or watch of one name (fieldSelector=metadata.name=x) is authorized as that name, as in Kubernetes.
    const m = /^metadata\.name==?([^,]+)$/.exec(query.get('fieldSelector') ?? '');
    if (m && /^[^/%]+$/.test(m[1]!) && m[1] !== '.' && m[1] !== '..') info.name = m[1]!;
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

/** Path segments, decoded, without empty ones. */
export function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** Query booleans as Go's strconv.ParseBool reads them. */
export function isTrue(v: string | null | undefined): boolean {
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T';
}
