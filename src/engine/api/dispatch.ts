// One request through the API: version prefix and route lookup, the handler, and Docker's error answers.
// Used by server.ts for both ordinary and upgrade requests, and by tests without a socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createApiRequest } from './request.js';
import { nodeResponse, socketResponse, type ResponseRecord } from './response.js';
import { createRouter, type ApiResponse, type Route } from './router.js';
import { messageOf, PAGE_NOT_FOUND, sendError, statusOf } from './errors.js';
import { upgradeBody } from './upgrade-body.js';

/** Where the API server logs (console fits). */
export interface ApiLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ApiDispatcher {
  /** An ordinary request (Node's 'request' event). */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** A request with `Connection: Upgrade` (Node's 'upgrade' event): the socket is ours after the headers. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

/** Builds the dispatcher for a route table. */
export function createDispatcher(routes: Route[], log: ApiLogger): ApiDispatcher {
  const router = createRouter(routes);

  const run = async (req: IncomingMessage, res: ApiResponse, record: ResponseRecord, body: () => NodeJS.ReadableStream, close: () => void) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const method = req.method ?? 'GET';
    const match = router.match(method, url.pathname);
    try {
      if (match.kind === 'not-found') {
        res.json(404, { message: PAGE_NOT_FOUND });
      } else if (match.kind === 'bad-version') {
        res.json(400, { message: match.message });
      } else {
        const apiReq = createApiRequest({ raw: req, params: match.params, query: url.searchParams, version: match.version, body });
        await match.route.handler(apiReq, res);
        if (!res.started) {
          throw new Error(`internal error: the handler for ${method} ${match.route.path} returned without answering`);
        }
      }
    } catch (err) {
      if (!res.started) {
        if (statusOf(err) >= 500) log.error(`${method} ${url.pathname}: ${statusOf(err)}: ${(err as Error)?.stack ?? messageOf(err)}`);
        try {
          sendError(res, err);
        } catch (writeErr) {
          // The client is gone; nothing is left to tell it.
          log.debug(`${method} ${url.pathname}: could not send the error: ${messageOf(writeErr)}`);
          close();
        }
      } else {
        // The stream has started: the handler should have reported inside it; all that is left is to close.
        log.warn(`${method} ${url.pathname}: failed after the response started: ${messageOf(err)}`);
        close();
      }
    } finally {
      log.debug(`${method} ${req.url} → ${record.status ?? 'no response'}`);
    }
  };

  return {
    async handleRequest(req, res) {
      const record: ResponseRecord = {};
      const apiRes = nodeResponse(req, res, record);
      await run(req, apiRes, record, () => req, () => res.end());
    },
    async handleUpgrade(req, socket, head) {
      if (head.length) socket.unshift(head);
      const record: ResponseRecord = {};
      let body: NodeJS.ReadableStream | undefined;
      await run(req, socketResponse(req, socket, record), record, () => (body ??= upgradeBody(req, socket)), () => socket.end());
    },
  };
}
