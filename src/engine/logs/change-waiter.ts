// Sleeps until the log directory changes (inotify via fs.watch), a fallback period passes, or an abort.
import fs from 'node:fs';

/** Re-check at least this often: a missed or coalesced event only delays output, never loses it. */
const FALLBACK_MS = 250;

export class ChangeWaiter {
  private watcher: fs.FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private readonly onAbort = () => this.wake?.();

  constructor(dir: string, private readonly signal?: AbortSignal) {
    try {
      this.watcher = fs.watch(dir, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // no inotify (or the dir is gone): the fallback period still applies
    }
    signal?.addEventListener('abort', this.onAbort);
  }

  /** Resolves on the next change, after at most min(ms, fallback period), or at once if aborted. */
  wait(ms = FALLBACK_MS): Promise<void> {
    if (this.signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(ms, FALLBACK_MS)));
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
