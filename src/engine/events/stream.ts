// GET /events: past events from the bus's window (`since`, `until`), then live ones until `until` or until
// the client leaves; headers go out at once (`docker run` on old API versions and `docker stats` wait for
// them), one JSON object per line.
import type { ApiRequest, ApiResponse } from '../api/router.js';
import { EngineError } from '../errors.js';
import type { EngineEvent, EventBus } from '../services.js';
import { eventJson, eventNano } from './bus.js';
import { eventMatches, validateEventFilters } from './filter.js';
import { parseTimestampNano } from './timestamp.js';

/** Serves one /events request; resolves when the stream has ended. */
export async function streamEvents(bus: EventBus, req: ApiRequest, res: ApiResponse, now: () => bigint = wallNano): Promise<void> {
  const filters = req.filters();
  validateEventFilters(filters);
  const sinceText = req.query.get('since');
  const untilText = req.query.get('until');
  const since = sinceText ? parseTimestampNano('since', sinceText) : undefined;
  const until = untilText ? parseTimestampNano('until', untilText) : undefined;
  if (since !== undefined && until !== undefined && since > until) {
    throw new EngineError(`"since" time (${sinceText}) cannot be after "until" time (${untilText})`, 'InvalidArgument');
  }
  const start = now();
  const onlyPast = until !== undefined && until <= start;
  const inRange = (e: EngineEvent) => until === undefined || eventNano(e) <= until;

  // Subscribe before reading the window so an event published in between is neither lost nor sent twice.
  const pending: EngineEvent[] = [];
  let deliver: ((e: EngineEvent) => void) | undefined;
  const unsubscribe = onlyPast ? () => {} : bus.subscribe((e) => (deliver ? deliver(e) : pending.push(e)));
  const out = res.stream('application/json');
  try {
    const send = (e: EngineEvent) => {
      if (eventMatches(e, filters) && inRange(e) && !out.destroyed && !out.writableEnded) out.write(eventJson(e) + '\n');
    };
    // dockerd replays only when asked: since, or until (everything before it).
    const history = since !== undefined || until !== undefined ? bus.history(since ?? 0n) : [];
    const seen = new Set(history);
    for (const e of history) send(e);
    if (onlyPast) return;
    for (const e of pending) if (!seen.has(e)) send(e);
    pending.length = 0;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      deliver = send;
      out.once('close', done);
      out.once('error', done);
      // setTimeout holds at most ~24.8 days; longer waits re-arm.
      const arm = () => {
        const left = Number((until! - now()) / 1_000_000n) + 1;
        timer = left > 0 ? setTimeout(left > 0x7fffffff ? arm : done, Math.min(left, 0x7fffffff)) : undefined;
        if (left <= 0) done();
      };
      if (until !== undefined) arm();
    });
  } finally {
    unsubscribe();
    if (!out.destroyed && !out.writableEnded) out.end();
  }
}

function wallNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
