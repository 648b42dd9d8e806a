// Content negotiation: which representation a client asked for in its Accept header. Kubernetes clients
// list alternatives in order of preference (`…;as=Table;v=v1;g=meta.k8s.io, application/json`), so the
// first alternative this server can produce wins.

/** One media range of an Accept header. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** What a response will be encoded as. */
export type Representation =
  | { kind: 'object' }
  | { kind: 'table' }
  | { kind: 'partial-metadata' }
  | { kind: 'discovery-v2' };

/** Parses an Accept header into media ranges, in the order given. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

const isJsonish = (t: string) => t === 'application/json' || t === 'application/*' || t === '*/*' || t === 'application/yaml';

/**
 * The representation to use for an object or list response. Tables (meta.k8s.io v1 or v1beta1) and
 * PartialObjectMetadata are honoured when asked; anything else JSON-compatible gets the plain object;
 * undefined when nothing acceptable can be produced (→ 406).
 */
export function negotiateObject(accept: string | undefined): Representation | undefined {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { kind: 'object' };
  for (const m of ranges) {
    if (!isJsonish(m.type)) continue;
    const as = m.params.as;
    if (!as) return { kind: 'object' };
    if (m.params.g !== 'meta.k8s.io') continue;
    if (as === 'Table' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) return { kind: 'table' };
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && m.params.v === 'v1') return { kind: 'partial-metadata' };
  }
  return undefined;
}

/** True when the client asks for aggregated discovery (apidiscovery.k8s.io/v2) before plain JSON. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && m.params.v === 'v2') return true;
    if (!m.params.as && isJsonish(m.type)) return false;
  }
  return false;
}

/** The Content-Type of a response in the given representation. */
export function contentTypeOf(rep: Representation): string {
  switch (rep.kind) {
    case 'table':
      return 'application/json;as=Table;v=v1;g=meta.k8s.io';
    case 'partial-metadata':
      return 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';
    case 'discovery-v2':
      return 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    default:
      return 'application/json';
  }
}

/** The media type of a request body, lowercased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
