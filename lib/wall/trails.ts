/**
 * Short vehicle trails as a ring of line segments per vehicle, stored as binary source/target columns so
 * deck.gl's LineLayer draws them without per-update objects. Memory is bounded: TRAIL_SEGMENTS per vehicle.
 */
import type { KindColumns } from '../realtime/client-store';

/** Segments kept per vehicle (~ the last minute of driving at TRAIL_SAMPLE_MS). */
export const TRAIL_SEGMENTS = 8;
/** A new trail point at most this often per vehicle, so the trail shows a path, not jitter. */
export const TRAIL_SAMPLE_MS = 5_000;
/** A jump longer than this (degrees, ~2 km) is a teleport (reconnect, GPS fault): the trail restarts. */
const TRAIL_MAX_JUMP_DEG = 0.02;

export interface Trails {
  capacity: number;
  /** [lng, lat] per segment slot: vehicle i owns slots [i*TRAIL_SEGMENTS, (i+1)*TRAIL_SEGMENTS). */
  source: Float64Array;
  target: Float64Array;
  lastLng: Float64Array;
  lastLat: Float64Array;
  lastAt: Float64Array;
  next: Uint8Array;
  version: number;
}

export function createTrails(capacity = 1024): Trails {
  return {
    capacity,
    source: new Float64Array(capacity * TRAIL_SEGMENTS * 2),
    target: new Float64Array(capacity * TRAIL_SEGMENTS * 2),
    lastLng: new Float64Array(capacity).fill(Number.NaN),
    lastLat: new Float64Array(capacity).fill(Number.NaN),
    lastAt: new Float64Array(capacity),
    next: new Uint8Array(capacity),
    version: 0,
  };
}

function ensure(t: Trails, capacity: number): void {
  if (capacity <= t.capacity) return;
  const g = createTrails(capacity);
  g.source.set(t.source);
  g.target.set(t.target);
  g.lastLng.set(t.lastLng);
  g.lastLat.set(t.lastLat);
  g.lastAt.set(t.lastAt);
  g.next.set(t.next);
  Object.assign(t, { ...g, version: t.version });
}

function clearVehicle(t: Trails, i: number): void {
  const from = i * TRAIL_SEGMENTS * 2;
  t.source.fill(0, from, from + TRAIL_SEGMENTS * 2);
  t.target.fill(0, from, from + TRAIL_SEGMENTS * 2);
}

/** Records the new positions of the vehicles a batch touched. `now` is the report time source. */
export function recordTrails(t: Trails, c: KindColumns, changed: ArrayLike<number>): void {
  ensure(t, c.capacity);
  let isChanged = false;
  for (let k = 0; k < changed.length; k++) {
    const i = changed[k]!;
    const lng = c.position[2 * i]!;
    const lat = c.position[2 * i + 1]!;
    const at = c.ts[i]!;
    const pLng = t.lastLng[i]!;
    if (pLng !== pLng) {
      t.lastLng[i] = lng;
      t.lastLat[i] = lat;
      t.lastAt[i] = at;
      continue;
    }
    if (at - t.lastAt[i]! < TRAIL_SAMPLE_MS) continue;
    const pLat = t.lastLat[i]!;
    const jump = Math.abs(lng - pLng) + Math.abs(lat - pLat);
    if (jump > TRAIL_MAX_JUMP_DEG) clearVehicle(t, i);
    else if (jump > 0) {
      const slot = (i * TRAIL_SEGMENTS + t.next[i]!) * 2;
      t.source[slot] = pLng;
      t.source[slot + 1] = pLat;
      t.target[slot] = lng;
      t.target[slot + 1] = lat;
      t.next[i] = (t.next[i]! + 1) % TRAIL_SEGMENTS;
      isChanged = true;
    }
    t.lastLng[i] = lng;
    t.lastLat[i] = lat;
    t.lastAt[i] = at;
  }
  if (isChanged) t.version++;
}

/** After a full snapshot positions may have jumped: start every trail afresh. */
export function resetTrails(t: Trails): void {
  t.source.fill(0);
  t.target.fill(0);
  t.lastLng.fill(Number.NaN);
  t.next.fill(0);
  t.version++;
}
