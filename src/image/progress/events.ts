// Progress of long operations as Docker's jsonmessage stream describes it (one event per status change or
// progress tick), so the CLI can draw bars and the engine can send the same events over its API.

export interface ProgressEvent {
  /** Short layer id (12 hex digits) or absent for whole-operation lines. */
  id?: string;
  status: string;
  progressDetail?: { current: number; total?: number };
  /** Final error, as the jsonmessage `error` field. */
  error?: string;
}

export type ProgressSink = (event: ProgressEvent) => void;

/** A sink that drops everything. */
export const silent: ProgressSink = () => {};

/** The 12-hex short id Docker shows for a digest. */
export function shortId(digest: string): string {
  const i = digest.indexOf(':');
  return digest.slice(i + 1, i + 13);
}
