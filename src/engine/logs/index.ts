// Container logs in Docker's json-file format (written by berth-monitor): reading, tailing, following.
export { readLogs, type ReadLogsOptions } from './read-logs.js';
export { parseEntry, timeSeconds, type LogEntry } from './log-entry.js';
