import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { IdIndexBuffers } from '../live/id-index';

/**
 * Points the ring holds at least and at most. Sized at start from the units the process serves (twice them:
 * a minute of a fleet reporting every 30 s, two seconds of one reporting every second as the simulator's
 * burst does), so a district costs ~5 MB and a province ~39 MB; a writer stalled longer than that (a province
 * frame read, a slow disk) drops points, counted, rather than grow the server.
 */
export const RING_POINTS_MIN = 131_072;
export const RING_POINTS_MAX = 1_048_576;
/** Bytes a point takes across the ring's columns (idx, ts, lng, lat, speed, heading, status). */
export const RING_POINT_BYTES = 4 + 8 + 8 + 8 + 4 + 4 + 1;

/** The ring's columns over one SharedArrayBuffer; both threads build the same views from it. */
export interface RingColumns {
  capacity: number;
  /** [0]: points the reader has finished with and not yet handed back (Atomics). */
  freed: Int32Array;
  idx: Uint32Array;
  ts: Float64Array;
  lng: Float64Array;
  lat: Float64Array;
  speed: Float32Array;
  heading: Float32Array;
  status: Uint8Array;
}

export function ringCapacityFor(units: number): number {
  let c = RING_POINTS_MIN;
  while (c < units * 2 && c < RING_POINTS_MAX) c *= 2;
  return c;
}

export function newRingBuffer(capacity: number): SharedArrayBuffer {
  if ((capacity & (capacity - 1)) !== 0) throw new Error('ring capacity must be a power of two');
  return new SharedArrayBuffer(8 + capacity * RING_POINT_BYTES);
}

export function ringColumns(buf: SharedArrayBuffer): RingColumns {
  const capacity = (buf.byteLength - 8) / RING_POINT_BYTES;
  // Widest columns first, so every view starts aligned to its element size.
  let at = 8;
  const take = <T>(make: (o: number) => T, bytes: number): T => {
    const v = make(at);
    at += bytes * capacity;
    return v;
  };
  return {
    capacity,
    freed: new Int32Array(buf, 0, 1),
    ts: take((o) => new Float64Array(buf, o, capacity), 8),
    lng: take((o) => new Float64Array(buf, o, capacity), 8),
    lat: take((o) => new Float64Array(buf, o, capacity), 8),
    idx: take((o) => new Uint32Array(buf, o, capacity), 4),
    speed: take((o) => new Float32Array(buf, o, capacity), 4),
    heading: take((o) => new Float32Array(buf, o, capacity), 4),
    status: take((o) => new Uint8Array(buf, o, capacity), 1),
  };
}

/**
 * One sealed tick for the history writer: where each kind's points lie in the ring (they may wrap), the live
 * counts, the clock, and the ids of units the writer has not been told of (it names new history keys by them).
 */
export interface TickMessage {
  now: number;
  /** False in a process that does not lead: its writer records the points for its own reads and stores nothing. */
  record: boolean;
  counts: Record<EntityKind, number>;
  ranges: Record<EntityKind, { start: number; n: number }>;
  newUnits: Record<EntityKind, { idx: number[]; ids: string[] }>;
  /**
   * The live ids (the ingest thread's shared IdIndex storage) as of this tick: the writer reads a waiting
   * unit's id there when it names the unit, instead of keeping every announced id (a province's 2.3 M cameras
   * that never store a point took 180 MB as a copy).
   */
  liveIds: Record<EntityKind, IdIndexBuffers>;
}

export function emptyByKind<T>(make: () => T): Record<EntityKind, T> {
  const out = {} as Record<EntityKind, T>;
  for (const kind of ENTITY_KINDS) out[kind] = make();
  return out;
}
