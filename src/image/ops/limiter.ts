// Bounded parallelism for downloads and uploads (Docker's max-concurrent-downloads/uploads).

/** Runs at most `limit` of the functions given to it at once (Docker's max-concurrent-downloads). */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (active >= limit) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
