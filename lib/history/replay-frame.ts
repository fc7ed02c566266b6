/**
 * A replayed instant between two history keyframes, written into the wall's client columns (the same struct
 * of typed arrays the live store fills, so the map draws a replay exactly as it draws live data). Positions
 * glide linearly from the earlier keyframe to the later one; status, speed and report time are those of the
 * earlier one (what was known at that moment), so nothing from the future shows before its time.
 */
import type { KindColumns } from '../realtime/client-store';
import {
  batchHeading,
  batchLat,
  batchLng,
  batchTs,
  type EntityKind,
  type PositionBatch,
} from '../realtime/position-codec';
import type { unpackFrame } from './contract';

export type ReplayKeyframe = ReturnType<typeof unpackFrame>;

/** A unit that jumped farther than this between keyframes is not slid across the map (a new fix, not a drive). */
export const MAX_GLIDE_DEG = 0.05; // ~5 km

export function emptyColumns(kind: EntityKind): KindColumns {
  return {
    kind,
    count: 0,
    capacity: 0,
    position: new Float64Array(0),
    present: new Uint8Array(0),
    heading: new Float32Array(0),
    speed: new Uint8Array(0),
    status: new Uint8Array(0),
    ts: new Float64Array(0),
    version: 0,
  };
}

function fit(c: KindColumns, n: number): void {
  if (n <= c.capacity) return;
  const cap = Math.max(n, c.capacity * 2, 64);
  const grow = <T extends Float64Array | Float32Array | Uint8Array>(a: T, make: (n: number) => T, k = 1) => {
    const b = make(cap * k);
    b.set(a);
    return b;
  };
  c.position = grow(c.position, (m) => new Float64Array(m), 2);
  c.present = grow(c.present, (m) => new Uint8Array(m));
  c.heading = grow(c.heading, (m) => new Float32Array(m));
  c.speed = grow(c.speed, (m) => new Uint8Array(m));
  c.status = grow(c.status, (m) => new Uint8Array(m));
  c.ts = grow(c.ts, (m) => new Float64Array(m));
  c.capacity = cap;
}

/**
 * Writes the instant `f` (0 = keyframe `a`, 1 = keyframe `b`) of one kind into `c` and bumps its version.
 * Entities are those of `a` (indexed by the live idx both keyframes share); `b` may be null (the last one).
 * Returns the indexes written.
 */
export function writeInterpolated(
  c: KindColumns,
  a: PositionBatch,
  b: PositionBatch | null,
  f: number,
): Uint32Array {
  let max = 0;
  for (let k = 0; k < a.count; k++) if (a.idx[k]! + 1 > max) max = a.idx[k]! + 1;
  fit(c, max);
  c.present.fill(0);
  c.count = max;
  // Where each idx is in `b`: idx → position in b's columns + 1 (0 = absent).
  let inB: Int32Array | null = null;
  if (b && f > 0) {
    let maxB = max;
    for (let k = 0; k < b.count; k++) if (b.idx[k]! + 1 > maxB) maxB = b.idx[k]! + 1;
    inB = new Int32Array(maxB);
    for (let k = 0; k < b.count; k++) inB[b.idx[k]!] = k + 1;
  }
  const t = Math.min(1, Math.max(0, f));
  for (let k = 0; k < a.count; k++) {
    const i = a.idx[k]!;
    let lng = batchLng(a, k);
    let lat = batchLat(a, k);
    const kb = inB ? inB[i]! - 1 : -1;
    if (b && kb >= 0) {
      const lng1 = batchLng(b, kb);
      const lat1 = batchLat(b, kb);
      if (Math.abs(lng1 - lng) <= MAX_GLIDE_DEG && Math.abs(lat1 - lat) <= MAX_GLIDE_DEG) {
        lng += (lng1 - lng) * t;
        lat += (lat1 - lat) * t;
      }
    }
    c.position[2 * i] = lng;
    c.position[2 * i + 1] = lat;
    c.present[i] = 1;
    c.heading[i] = batchHeading(a, k);
    c.speed[i] = a.speed[k]!;
    c.status[i] = a.status[k]!;
    // The report time glides too: a unit that reported between the keyframes is not drawn stale meanwhile.
    const tsA = batchTs(a, k);
    const tsB = b && kb >= 0 ? batchTs(b, kb) : tsA;
    c.ts[i] = Number.isFinite(tsA) && Number.isFinite(tsB) ? tsA + (tsB - tsA) * t : tsA;
  }
  c.version++;
  return a.idx;
}
