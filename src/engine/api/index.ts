// The Docker Engine API framework: routes and handlers (router.ts documents how to write one), the server,
// Docker's error bodies, stream framing and jsonmessage streams.
export type { Route, Handler, ApiRequest, ApiResponse, Method, Router, RouteMatch } from './router.js';
export { createRouter } from './router.js';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { createDispatcher, type ApiDispatcher, type ApiLogger } from './dispatch.js';
export { statusOf, errorBody, sendError, PAGE_NOT_FOUND } from './errors.js';
export { encodeFrame, FrameDecoder, RAW_STREAM, MULTIPLEXED_STREAM, streamContentType, type StreamId } from './streams.js';
export { JsonMessageWriter, progressToMessage, errorMessage, JSON_STREAM, type JsonMessage } from './jsonmessage.js';
export { MAX_API_VERSION, MIN_API_VERSION, ENGINE_VERSION, compareApiVersions, standardHeaders } from './version.js';
export { parseFilters, parseBool } from './request.js';
