// Request bodies in and JSON responses out: size limits, JSON (and YAML for apply patches) decoding with
// Kubernetes-style 400s, Status errors, and `Warning:` headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './types.js';
import { badRequest, requestEntityTooLarge, statusBody } from './status.js';

/** kube-apiserver's limit on request bodies (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads a request body (413 beyond the limit). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(requestEntityTooLarge(limit));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (err) => !failed && reject(err));
  });
}

let yamlLoader: Promise<((text: string) => unknown) | undefined> | undefined;

/** js-yaml, when installed (it comes with @kubernetes/client-node); only YAML apply patches need it. */
function loadYaml(): Promise<((text: string) => unknown) | undefined> {
  const name = 'js-yaml';
  yamlLoader ??= import(name).then(
    (m: { load?: (t: string) => unknown; default?: { load?: (t: string) => unknown } }) => m.load ?? m.default?.load,
    () => undefined,
  );
  return yamlLoader;
}

/** Decodes a JSON body (400 `… invalid character …` style errors); empty bodies are undefined. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/** Decodes a body that may be YAML (apply patches): JSON first, then YAML. */
export async function parseJsonOrYaml(body: Buffer): Promise<unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    const load = await loadYaml();
    if (!load) throw badRequest('the body is not JSON, and YAML decoding is not available on this server');
    try {
      return load(text);
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
  }
}

/** Writes a JSON response. */
export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

/** Writes an ApiError as a metav1.Status. */
export function writeStatus(res: ServerResponse, err: ApiError, headers: Record<string, string | string[]> = {}): void {
  writeJson(res, err.code, statusBody(err), 'application/json', headers);
}

/** `Warning` header values (RFC 7234 code 299, as kube-apiserver sends them). */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}

/** True when the value is an ApiError. */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
