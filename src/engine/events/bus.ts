// The engine's event bus: everything that changes publishes here; GET /events streams it and replays a
// bounded window of past events for `--since`.
import type { EngineEvent, EventBus, EventType } from '../services.js';

/** How many past events are kept for `since` (dockerd keeps 256; `docker events --since` wants more). */
export const EVENT_HISTORY = 1000;

/** A nanosecond clock that never repeats or goes backwards, so `since` ranges and ordering are exact. */
export function nanoClock(now: () => number = Date.now): () => bigint {
  let last = 0n;
  const origin = process.hrtime.bigint();
  const base = BigInt(now()) * 1_000_000n;
  return () => {
    // Wall clock at start plus monotonic elapsed time: sub-millisecond resolution without clock steps.
    let t = base + (process.hrtime.bigint() - origin);
    if (t <= last) t = last + 1n;
    last = t;
    return t;
  };
}

// timeNano is a JSON number (a double: ~256 ns steps at today's epoch); the exact time is kept here so
// since/until compare exactly.
const exact = new WeakMap<EngineEvent, bigint>();

/** The event's exact time in nanoseconds (from the bus that published it), else its timeNano. */
export function eventNano(event: EngineEvent): bigint {
  return exact.get(event) ?? BigInt(event.timeNano);
}

/** The event as a JSON line body, with timeNano written exactly (a JS number would round it to ~256 ns). */
export function eventJson(event: EngineEvent): string {
  return JSON.stringify(event).replace(/"timeNano":[0-9.e+]+/, `"timeNano":${eventNano(event)}`);
}

/** Creates an in-memory event bus. */
export function createEventBus(options: { capacity?: number; clock?: () => bigint } = {}): EventBus {
  const capacity = options.capacity ?? EVENT_HISTORY;
  const clock = options.clock ?? nanoClock();
  const ring: { nano: bigint; event: EngineEvent }[] = [];
  const listeners = new Set<(e: EngineEvent) => void>();
  return {
    publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
      const nano = clock();
      const event: EngineEvent = {
        Type: type,
        Action: action,
        Actor: { ID: id, Attributes: { ...attributes } },
        scope: 'local',
        time: Number(nano / 1_000_000_000n),
        timeNano: Number(nano),
      };
      // Docker fills the deprecated fields for containers and images only (API < 1.52 clients read them).
      if (type === 'container' || type === 'image') {
        event.status = action;
        event.id = id;
        if (type === 'container' && attributes.image !== undefined) event.from = attributes.image;
      }
      exact.set(event, nano);
      ring.push({ nano, event });
      if (ring.length > capacity) ring.splice(0, ring.length - capacity);
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch {
          // One broken subscriber (a closed /events stream) must not stop the publisher or the others.
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    history(sinceNano: bigint): EngineEvent[] {
      return ring.filter((r) => r.nano >= sinceNano).map((r) => r.event);
    },
  };
}
