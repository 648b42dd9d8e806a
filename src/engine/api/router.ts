// The Docker Engine API router: routes, the request/response a handler sees, and path matching.
//
// How to add endpoints (container, volume, network, exec routes are built the same way):
//
//   import type { Route } from '../api/router.js';
//   import { EngineError } from '../errors.js';
//
//   export function volumeRoutes(services: EngineServices): Route[] {
//     return [
//       { method: 'GET', path: '/volumes/:name', handler: async (req, res) => {
//           const v = await lookup(req.params.name);               // params are URL-decoded
//           if (!v) throw new EngineError(`get ${req.params.name}: no such volume`, 'NotFound');  // → 404 {"message"}
//           res.json(200, v);
//       } },
//       { method: 'POST', path: '/volumes/create', handler: async (req, res) => {
//           const body = await req.json<{ Name?: string }>();     // {} when empty; bad JSON → 400
//           res.json(201, await create(body));
//       } },
//     ];
//   }
//
// Paths: `:x` matches one segment, `:x*` one or more segments (image names have slashes:
// `/images/:name*/json`). Every path is served with and without a `/vX.Y` prefix (X.Y in [1.24, 1.47];
// `req.version` is the prefix's version, else 1.47). HEAD falls back to the GET route. Literal routes win
// over parameter routes, single-segment parameters over greedy ones.
//
// Errors: throw EngineError (src/engine/errors.ts) or ImageError; api/errors.ts turns them into Docker's
// `{"message": …}` with the right status (NotModified → 304 without a body). Unknown errors → 500.
//
// Responses: `res.json(status, body)`, `res.noContent()` (204), `res.status(n)` (empty body),
// `res.stream(type)` (headers flushed at once: events, wait, logs, jsonmessage pulls — write, then end),
// `res.hijack(type)` (attach/exec: 101 UPGRADED + the raw socket when the client asked to upgrade, else a
// 200 stream; either way a Duplex whose readable side is the client's stdin). Once a stream has started,
// report failures inside it (jsonmessage error line, stream frame 3); a throw then only closes the stream.
import type { IncomingMessage } from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import { compareApiVersions, MAX_API_VERSION, MIN_API_VERSION } from './version.js';

export type Method = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PUT';

/** One endpoint; `path` is unprefixed, e.g. '/containers/:id/json', or /images/:name* followed by /push for a greedy name. */
export interface Route {
  method: Method;
  path: string;
  handler: Handler;
}

export type Handler = (req: ApiRequest, res: ApiResponse) => Promise<void>;

/** What a handler reads. Body helpers and query helpers throw EngineError('InvalidArgument') (→ 400). */
export interface ApiRequest {
  /** Path parameters, URL-decoded. */
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** The negotiated API version ("1.47" without a /vX.Y prefix). */
  readonly version: string;
  /** The underlying request; for non-upgrade requests also the body stream (tar uploads, stdin). */
  readonly raw: IncomingMessage;
  /** A header value (first one when repeated). */
  header(name: string): string | undefined;
  /** Docker's boolean query rule: absent → `fallback`; "", "0", "no", "false", "none" (any case) → false; else true. */
  bool(name: string, fallback?: boolean): boolean;
  /** An integer query parameter; absent or empty → `fallback`; not an integer → 400. */
  int(name: string, fallback?: number): number | undefined;
  /** The `filters` query parameter: `{"k":["v"]}` and `{"k":{"v":true}}` both → Map k → [v]. */
  filters(): Map<string, string[]>;
  /** The JSON body: empty → {}; invalid JSON → 400 with the parser's message. */
  json<T = Record<string, unknown>>(): Promise<T>;
  /** The body as a stream (also for upgrade requests, where it is read from the socket). */
  body(): NodeJS.ReadableStream;
  /** True when req.version ≥ v ("1.42"). */
  versionAtLeast(v: string): boolean;
}

/** What a handler writes. Every response carries Server, Api-Version, Ostype and Docker-Experimental. */
export interface ApiResponse {
  /** A JSON body with `Content-Type: application/json` exactly. */
  json(status: number, body: unknown): void;
  /** 204 without a body. */
  noContent(): void;
  /** Answers `code` with an empty body (201 tag, 200 with nothing to say). */
  status(code: number): void;
  /** A text body (`/_ping`'s "OK"); extra headers are added to the standard ones. */
  text(status: number, body: string, contentType?: string, headers?: Record<string, string>): void;
  /** Starts a 200 streaming response with the headers flushed now; end the returned stream when done. */
  stream(contentType: string, headers?: Record<string, string>): Writable;
  /**
   * attach/exec: with `Connection: Upgrade` answers `101 UPGRADED` (Upgrade: tcp) at once and returns the
   * socket; without, a 200 stream whose readable side is the request body. End the Duplex when done.
   */
  hijack(contentType: string): Duplex;
  /** True once a status line has gone out (errors can then no longer be sent as JSON). */
  readonly started: boolean;
}

/** A compiled route table. */
export interface Router {
  /** The route for a method and a raw (still percent-encoded) path, or a reason it has none. */
  match(method: string, rawPath: string): RouteMatch;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string>; version: string }
  | { kind: 'not-found' }
  | { kind: 'bad-version'; message: string };

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
  rank: number;
}

/** Compiles routes into a matcher (see the top of this file for the path syntax and precedence). */
export function createRouter(routes: Route[], bounds = { min: MIN_API_VERSION, max: MAX_API_VERSION }): Router {
  const compiled = routes.map(compile).sort((a, b) => a.rank - b.rank);
  return {
    match(method, rawPath) {
      const split = splitVersion(rawPath, bounds);
      if (split.kind === 'bad-version') return split;
      const tryMethod = (m: string) => {
        for (const c of compiled) {
          if (c.route.method !== m) continue;
          const found = c.regex.exec(split.path);
          if (!found) continue;
          const params: Record<string, string> = {};
          let ok = true;
          c.names.forEach((name, i) => {
            try {
              params[name] = decodeURIComponent(found[i + 1]!);
            } catch {
              ok = false; // a malformed escape cannot name anything
            }
          });
          if (ok) return { kind: 'found' as const, route: c.route, params, version: split.version };
        }
        return undefined;
      };
      return tryMethod(method) ?? (method === 'HEAD' ? tryMethod('GET') : undefined) ?? { kind: 'not-found' };
    },
  };
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  let params = 0;
  let greedy = 0;
  const source = route.path
    .split('/')
    .map((seg) => {
      const m = /^:([A-Za-z_][A-Za-z0-9_]*)(\*?)$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      params++;
      if (m[2]) {
        greedy++;
        return '(.+?)';
      }
      return '([^/]+)';
    })
    .join('/');
  // Literal routes first, then single-segment parameters, then greedy ones.
  return { route, regex: new RegExp(`^${source}/?$`), names, rank: greedy * 100 + params };
}

type VersionSplit = { kind: 'ok'; path: string; version: string } | { kind: 'bad-version'; message: string };

/** Strips a `/vX.Y` prefix and checks X.Y against the bounds (moby's messages). */
export function splitVersion(rawPath: string, bounds: { min: string; max: string }): VersionSplit {
  const m = /^\/v(\d+(?:\.\d+)*)(\/.*)$/.exec(rawPath);
  if (!m) return { kind: 'ok', path: rawPath, version: bounds.max };
  const v = m[1]!;
  if (compareApiVersions(v, bounds.max) > 0) {
    return { kind: 'bad-version', message: `client version ${v} is too new. Maximum supported API version is ${bounds.max}` };
  }
  if (compareApiVersions(v, bounds.min) < 0) {
    return {
      kind: 'bad-version',
      message: `client version ${v} is too old. Minimum supported API version is ${bounds.min}, please upgrade your client to a newer version`,
    };
  }
  return { kind: 'ok', path: m[2]!, version: v };
}
