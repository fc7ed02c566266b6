/**
 * The open form of a unit's positions (a segment still receiving points, OpenRuns' slot) and the stored form
 * of rows written before packed runs: varint runs. A closed segment is repacked column-wise (packed-run.ts,
 * ~30 % smaller); both kinds of run may sit in one row's blob (runs are concatenated and each stands alone),
 * and the decoders here read both (a packed run starts with a 0 byte).
 *
 * A run is `varint count × 2 + (times in whole seconds ? 1 : 0)` then, per point, varints of:
 *   ts: zigzag(delta-of-delta, in the run's time unit) × 2 + (status changed ? 1 : 0)
 *   lng, lat: zigzag(delta-of-delta) in 1e-6°
 *   speed: zigzag(delta) in 0.1 km/h · heading: zigzag(delta wrapped to ±180) in whole degrees
 *   status: one byte, only when the flag says it changed.
 * A unit reporting every 30 s at a steady pace costs ~1 byte of time and ~1–2 bytes per axis: second
 * differences of a steady motion are near zero, which is why delta-of-delta beats plain deltas here.
 * The first point of a run is coded against zero, so it is absolute. JT/T 808 terminals send whole seconds:
 * a run whose points all fall on whole seconds counts time in seconds, which saves a byte a point (a ±1 s
 * jitter is a 1-byte delta-of-delta in seconds, 2 bytes in ms).
 */

import { decodePacked, latestPacked } from './packed-read';

/** Largest bytes one point can take (first point of a run: absolute ts ≈ 6–7 bytes, axes 5 each). */
export const MAX_POINT_BYTES = 32;

export interface SegmentPoint {
  ts: number;
  lngE6: number;
  latE6: number;
  /** 0.1 km/h */
  speed10: number;
  /** whole degrees 0..359 */
  heading: number;
  status: number;
}

/** Running state of one run, kept per entity by the writer (as typed-array columns) between points. */
export interface RunState {
  /** In the run's unit (ms, or s for a whole-second run). */
  ts: number;
  dts: number;
  lng: number;
  dlng: number;
  lat: number;
  dlat: number;
  speed: number;
  heading: number;
  /** 255 before the first point, so the first point always carries its status. */
  status: number;
}

export function newRunState(): RunState {
  return { ts: 0, dts: 0, lng: 0, dlng: 0, lat: 0, dlat: 0, speed: 0, heading: 0, status: 255 };
}

const zig = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzig = (u: number) => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);

/** Writes a non-negative integer below 2^53 (arithmetic, not bit ops: times exceed 32 bits). */
export function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

export class SegmentDecodeError extends Error {}

/** Time unit of a run that starts with `ts`: seconds when it falls on a whole second. */
export const runUnitFor = (ts: number): number => (ts % 1000 === 0 ? 1000 : 1);

/** Encodes one point after `s` into out[pos..] (p.ts a multiple of `unitMs`); updates `s`; returns the new position. */
export function encodePoint(out: Uint8Array, pos: number, s: RunState, p: SegmentPoint, unitMs = 1): number {
  const t = p.ts / unitMs;
  const dts = t - s.ts;
  const changed = p.status !== s.status;
  pos = writeVarint(out, pos, zig(dts - s.dts) * 2 + (changed ? 1 : 0));
  const dlng = p.lngE6 - s.lng;
  const dlat = p.latE6 - s.lat;
  pos = writeVarint(out, pos, zig(dlng - s.dlng));
  pos = writeVarint(out, pos, zig(dlat - s.dlat));
  pos = writeVarint(out, pos, zig(p.speed10 - s.speed));
  let dh = p.heading - s.heading;
  if (dh >= 180) dh -= 360;
  else if (dh < -180) dh += 360;
  pos = writeVarint(out, pos, zig(dh));
  if (changed) out[pos++] = p.status;
  s.ts = t;
  s.dts = dts;
  s.lng = p.lngE6;
  s.dlng = dlng;
  s.lat = p.latE6;
  s.dlat = dlat;
  s.speed = p.speed10;
  s.heading = p.heading;
  s.status = p.status;
  return pos;
}

/**
 * Decodes every run of a blob, calling `onPoint` in stored order (runs may overlap in time; the reader sorts).
 * Throws SegmentDecodeError on a truncated or malformed blob rather than returning garbage.
 */
export function decodeRuns(data: Uint8Array, onPoint: (p: SegmentPoint) => void): number {
  let pos = 0;
  let total = 0;
  const read = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= data.length) throw new SegmentDecodeError('truncated varint');
      const b = data[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new SegmentDecodeError('varint too long');
    }
  };
  while (pos < data.length) {
    if (data[pos] === 0) {
      // A packed run (packed-run.ts): what a closed segment is stored as.
      pos = decodePacked(data, pos, (p) => {
        onPoint(p);
        total++;
      });
      continue;
    }
    const head = read();
    const n = Math.floor(head / 2);
    const unit = head % 2 === 1 ? 1000 : 1;
    const s = newRunState();
    for (let k = 0; k < n; k++) {
      const h = read();
      const changed = h % 2 === 1;
      const dts = s.dts + unzig(Math.floor(h / 2));
      const dlng = s.dlng + unzig(read());
      const dlat = s.dlat + unzig(read());
      s.ts += dts;
      s.dts = dts;
      s.lng += dlng;
      s.dlng = dlng;
      s.lat += dlat;
      s.dlat = dlat;
      s.speed += unzig(read());
      s.heading = (((s.heading + unzig(read())) % 360) + 360) % 360;
      if (changed) {
        if (pos >= data.length) throw new SegmentDecodeError('truncated status');
        s.status = data[pos++]!;
      }
      onPoint({
        ts: s.ts * unit,
        lngE6: s.lng,
        latE6: s.lat,
        speed10: s.speed,
        heading: s.heading,
        status: s.status,
      });
      total++;
    }
  }
  return total;
}

/** A run's header in front of its points (the writer adds it when it closes a segment). */
export function runHeader(count: number, unitMs = 1): Uint8Array {
  const b = new Uint8Array(8);
  return b.subarray(0, writeVarint(b, 0, count * 2 + (unitMs === 1000 ? 1 : 0)));
}

let lpos = 0;
/** Reads a varint at data[lpos] below `end` (module state, not a closure: a frame calls this ~100 M times). */
function readVarAt(data: Uint8Array, end: number): number {
  if (lpos >= end) throw new SegmentDecodeError('truncated varint');
  let b = data[lpos++]!;
  if (b < 0x80) return b;
  let v = b & 0x7f;
  let mul = 0x80;
  for (;;) {
    if (lpos >= end) throw new SegmentDecodeError('truncated varint');
    b = data[lpos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 0x80;
    if (mul > 2 ** 56) throw new SegmentDecodeError('varint too long');
  }
}

/**
 * The latest point with ts ≤ at in a blob (data[start..end): a block row's entry is read in place), into
 * out = [ts, lngE6, latE6, speed10, heading, status]; false when none. The frame's hot loop (a province frame
 * decodes ~20 M points): no closures, no per-point objects, no views.
 */
export function latestAtOrBefore(
  data: Uint8Array,
  at: number,
  out: Float64Array,
  start = 0,
  end = data.length,
): boolean {
  let found = false;
  let pos = start;
  while (pos < end) {
    if (data[pos] === 0) {
      const r = latestPacked(data, pos, at, out, found, end);
      pos = Math.floor(r / 2);
      found = r % 2 === 1;
      continue;
    }
    lpos = pos;
    const head = readVarAt(data, end);
    const n = Math.floor(head / 2);
    const unit = head % 2 === 1 ? 1000 : 1;
    let ts = 0;
    let dts = 0;
    let lng = 0;
    let dlng = 0;
    let lat = 0;
    let dlat = 0;
    let speed = 0;
    let heading = 0;
    let status = 255;
    for (let k = 0; k < n; k++) {
      const h = readVarAt(data, end);
      const z = Math.floor(h / 2);
      dts += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      let u = readVarAt(data, end);
      dlng += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      u = readVarAt(data, end);
      dlat += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      ts += dts;
      lng += dlng;
      lat += dlat;
      u = readVarAt(data, end);
      speed += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      u = readVarAt(data, end);
      heading = (((heading + (u % 2 === 0 ? u / 2 : -(u + 1) / 2)) % 360) + 360) % 360;
      if (h % 2 === 1) {
        if (lpos >= end) throw new SegmentDecodeError('truncated status');
        status = data[lpos++]!;
      }
      const tsMs = ts * unit;
      if (tsMs <= at && (!found || tsMs >= out[0]!)) {
        found = true;
        out[0] = tsMs;
        out[1] = lng;
        out[2] = lat;
        out[3] = speed;
        out[4] = heading;
        out[5] = status;
      }
    }
    pos = lpos;
  }
  return found;
}
