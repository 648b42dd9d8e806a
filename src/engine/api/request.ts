// The ApiRequest a handler gets: path parameters, query helpers with Docker's parsing rules, and the body.
import type { IncomingMessage } from 'node:http';
import { EngineError } from '../errors.js';
import type { ApiRequest } from './router.js';
import { compareApiVersions } from './version.js';

/** Largest JSON body read into memory (create bodies are a few KiB; this only stops runaway input). */
const MAX_JSON_BODY = 16 << 20;

export interface RequestParts {
  raw: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  version: string;
  /** The body stream: the request itself, or for an upgrade request the body read off the socket. */
  body: () => NodeJS.ReadableStream;
}

/** Builds the ApiRequest for one call. */
export function createApiRequest(parts: RequestParts): ApiRequest {
  const { raw, params, query, version } = parts;
  let filters: Map<string, string[]> | undefined;
  return {
    params,
    query,
    version,
    raw,
    header(name) {
      const v = raw.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    bool(name, fallback = false) {
      return parseBool(query.get(name), fallback);
    },
    int(name, fallback) {
      return parseInt(name, query.get(name), fallback);
    },
    filters() {
      filters ??= parseFilters(query.get('filters'));
      return filters;
    },
    async json<T>() {
      return parseJsonBody<T>(await readAll(parts.body(), MAX_JSON_BODY));
    },
    body: parts.body,
    versionAtLeast(v) {
      return compareApiVersions(version, v) >= 0;
    },
  };
}

/** moby's BoolValue: absent → fallback; "", "0", "no", "false", "none" (any case) → false; anything else true. */
export function parseBool(value: string | null, fallback = false): boolean {
  if (value === null) return fallback;
  const s = value.trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/** An integer query value; absent or empty → fallback; anything else must be a whole number. */
export function parseInt(name: string, value: string | null, fallback?: number): number | undefined {
  if (value === null || value.trim() === '') return fallback;
  const n = Number(value.trim());
  if (!Number.isInteger(n)) throw new EngineError(`invalid value for query parameter "${name}": "${value}" is not an integer`, 'InvalidArgument');
  return n;
}

/**
 * The `filters` parameter as Docker's clients send it: `{"label":{"a=b":true}}` (current) or
 * `{"label":["a=b"]}` (legacy, and what dockerode users often write). Absent or empty → empty map.
 */
export function parseFilters(text: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (text === null || text.trim() === '') return out;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new EngineError(`invalid filter: the filters parameter is not JSON (${(e as Error).message}); send {"key":["value"]}`, 'InvalidArgument');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new EngineError(`invalid filter: expected a JSON object like {"key":["value"]}, got ${text}`, 'InvalidArgument');
  }
  for (const [key, v] of Object.entries(doc as Record<string, unknown>)) {
    if (Array.isArray(v)) {
      out.set(key, v.map((x) => String(x)));
    } else if (v !== null && typeof v === 'object') {
      out.set(key, Object.entries(v as Record<string, unknown>).filter(([, on]) => on === true).map(([k]) => k));
    } else {
      throw new EngineError(`invalid filter "${key}": expected a list of values or a {"value":true} map`, 'InvalidArgument');
    }
  }
  return out;
}

/** A JSON body: empty → {}; anything unparsable → 400 naming the problem. */
export function parseJsonBody<T>(bytes: Buffer): T {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new EngineError(`invalid JSON in the request body: ${(e as Error).message}`, 'InvalidArgument');
  }
}

/** Reads a stream to the end, refusing more than `limit` bytes. */
export async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    n += b.length;
    if (n > limit) throw new EngineError(`request body larger than ${limit} bytes`, 'InvalidArgument');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
