// `docker events --filter`: moby's rules (daemon/events/filter.go). Each key present must match; values of
// one key are alternatives. type/event are exact; container/volume/network/daemon match the actor's id by
// prefix or its name; image matches the id or name with or without the tag; label matches attributes.
import { EngineError } from '../errors.js';
import type { EngineEvent } from '../services.js';

/** Filter keys GET /events accepts (others are refused with 400, as dockerd does). */
export const EVENT_FILTER_KEYS = ['type', 'event', 'action', 'container', 'image', 'volume', 'network', 'label', 'daemon', 'scope', 'plugin', 'node', 'service', 'secret', 'config'];

/** Throws 400 for a filter key /events does not know. */
export function validateEventFilters(filters: Map<string, string[]>): void {
  for (const key of filters.keys()) {
    if (!EVENT_FILTER_KEYS.includes(key)) throw new EngineError(`invalid filter '${key}'`, 'InvalidArgument');
  }
}

/** True when `event` passes every filter. */
export function eventMatches(event: EngineEvent, filters: Map<string, string[]>): boolean {
  if (filters.size === 0) return true;
  const exact = (key: string, value: string | undefined) => {
    const want = filters.get(key);
    return !want || want.length === 0 || (value !== undefined && want.includes(value));
  };
  const fuzzy = (key: string, value: string | undefined) => {
    const want = filters.get(key);
    return !want || want.length === 0 || (value !== undefined && want.some((w) => w !== '' && (value === w || value.startsWith(w))));
  };
  const byName = (type: string) => {
    const want = filters.get(type);
    if (!want || want.length === 0) return true;
    return fuzzy(type, event.Actor.ID) || exact(type, event.Actor.Attributes.name);
  };
  return (
    matchAction(event.Action, filters.get('event')) &&
    matchAction(event.Action, filters.get('action')) &&
    exact('type', event.Type) &&
    exact('scope', event.scope) &&
    byName('container') &&
    byName('volume') &&
    byName('network') &&
    byName('daemon') &&
    matchImage(event, filters.get('image')) &&
    matchLabels(event.Actor.Attributes, filters.get('label')) &&
    // Swarm and plugin objects do not exist here: a filter on them matches nothing.
    ['plugin', 'node', 'service', 'secret', 'config'].every((k) => !filters.get(k)?.length)
  );
}

// exec_start/exec_create/health_status actions carry a suffix ("exec_start: sh -c …"): moby matches those
// filter values by prefix.
function matchAction(action: string, want: string[] | undefined): boolean {
  if (!want || want.length === 0) return true;
  const prefixed = want.some((w) => w === 'exec_start' || w === 'exec_create' || w === 'health_status');
  return want.some((w) => action === w || (prefixed && action.startsWith(w)));
}

function matchImage(event: EngineEvent, want: string[] | undefined): boolean {
  if (!want || want.length === 0) return true;
  const name = event.Actor.Attributes[event.Type === 'image' ? 'name' : 'image'];
  const candidates = [event.Actor.ID, name, stripTag(event.Actor.ID), name === undefined ? undefined : stripTag(name)];
  return candidates.some((c) => c !== undefined && want.includes(c));
}

// "busybox:latest" → "busybox"; "localhost:5000/a" keeps its port.
function stripTag(ref: string): string {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

// "label=k" needs the attribute; "label=k=v" needs it with that value.
function matchLabels(attrs: Record<string, string>, want: string[] | undefined): boolean {
  if (!want || want.length === 0) return true;
  return want.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return w in attrs;
    return attrs[w.slice(0, eq)] === w.slice(eq + 1);
  });
}
