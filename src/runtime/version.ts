// Versions reported by `--version`, `features` and state (kept in one place).
export const VERSION = '0.1.0';
/** The runtime-spec version Berth implements. */
export const SPEC_VERSION = '1.2.0';
