// Writes of a layer that are still in flight, by path. Regular files and symlinks are created off the main
// thread while the tar parser goes on; anything that touches such a path again (the same name later in the
// tar, a hardlink to it, a whiteout or removal of it or of a directory above it, directory times at the end)
// first waits for it here, so the final tree is the one a strictly sequential unpack would produce.
// The set stays small (the writer bounds what is in flight), so scanning it for descendants is cheap.

export class PendingPaths {
  private readonly byPath = new Map<string, Promise<void>>();
  private failure: { error: unknown } | undefined;

  /** Number of paths with a write in flight. */
  get size(): number {
    return this.byPath.size;
  }

  /** The first failure of a tracked write, if any; later ones are dropped (the layer is discarded anyway). */
  get error(): unknown {
    return this.failure?.error;
  }

  /** Throws the first failure of a tracked write. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Tracks a write of `rel`; a failure is recorded (and rethrown by check/drain), never unhandled. */
  track(rel: string, write: Promise<void>): void {
    const done: Promise<void> = write.then(
      () => this.settle(rel, done),
      (err: unknown) => {
        this.failure ??= { error: err };
        this.settle(rel, done);
      },
    );
    this.byPath.set(rel, done);
  }

  /** Resolves once the write of `rel` itself (if any) has settled. */
  async at(rel: string): Promise<void> {
    const p = this.byPath.get(rel);
    if (p) await p;
  }

  /** Resolves once writes of `rel`'s ancestors have settled (a pending file where a directory must be). */
  async above(rel: string): Promise<void> {
    if (!this.byPath.size) return;
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) await this.at(rel.slice(0, i));
  }

  /** Resolves once writes of `rel` and of everything below it have settled ("" is the whole layer). */
  async within(rel: string): Promise<void> {
    const prefix = rel ? `${rel}/` : '';
    const waits: Promise<void>[] = [];
    for (const [path, p] of this.byPath) if (!rel || path === rel || path.startsWith(prefix)) waits.push(p);
    await Promise.all(waits);
  }

  /** Waits for every tracked write; throws the first failure. */
  async drain(): Promise<void> {
    while (this.byPath.size) await Promise.all([...this.byPath.values()]);
    this.check();
  }

  /** Waits for every tracked write, ignoring failures (cleanup after an error). */
  async settleAll(): Promise<void> {
    while (this.byPath.size) await Promise.all([...this.byPath.values()]);
  }

  private settle(rel: string, done: Promise<void>): void {
    // A later write of the same path replaced this entry: leave that one.
    if (this.byPath.get(rel) === done) this.byPath.delete(rel);
  }
}
