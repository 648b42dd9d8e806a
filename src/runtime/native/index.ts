export { startHelper, defaultHelperPath } from './helper.js';
export type { HelperHandle, HelperExit, HelperStdio, StartHelperOptions } from './helper.js';
export { HelperError, errnoName } from './errors.js';
