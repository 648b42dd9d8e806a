// What the API routes are given: the engine's parts, each behind a small interface.
import type { ImageContext } from '../image/index.js';
import type { EngineConfig } from './config.js';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

/** One entry of GET /events (Docker's shape, with the legacy status/id/from fields for containers and images). */
export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

/** The engine's event stream: everything that changes publishes here; /events and `docker events` read it. */
export interface EventBus {
  publish(type: EventType, action: string, id: string, attributes?: Record<string, string>): EngineEvent;
  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Past events kept in memory (a bounded window), oldest first, with timeNano ≥ sinceNano. */
  history(sinceNano: bigint): EngineEvent[];
}

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** The engine's parts; routes take what they need from here. */
export interface EngineServices {
  config: EngineConfig;
  images: ImageContext;
  events: EventBus;
  /** Container totals for /info (the container manager provides it). */
  containerCounts(): ContainerCounts;
  /** /system/df rows: containers with SizeRw, volumes with UsageData. */
  containerDiskUsage?(): Promise<unknown[]>;
  volumeDiskUsage?(): Promise<unknown[]>;
}
