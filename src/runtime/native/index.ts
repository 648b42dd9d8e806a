export { startHelper, defaultHelperPath, withLauncher } from './helper.js';
export type { HelperHandle, HelperExit, HelperStdio, StartHelperOptions } from './helper.js';
export { HelperError, errnoName } from './errors.js';
export { HelperLauncher } from './launcher.js';
