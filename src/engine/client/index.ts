// The Docker Engine API client the `berth` CLI uses (one API: the same endpoints the docker CLI calls).
export { ApiError, DaemonUnreachableError } from './api-error.js';
export { EngineClient, CLIENT_API_VERSION, encodeQuery, readAll, seg, type Hijacked, type QueryValue, type RequestOptions } from './http-client.js';
export { connectEngine, DaemonStartError, type ConnectOptions } from './autostart.js';
export { socketPathFromEnv, runRootFromEnv, autostartDisabled } from './discovery.js';
export { copyOutput, type OutputSinks } from './demux.js';
export { displayJsonMessages, JsonMessageError, type JsonMessage } from './jsonmessage.js';
