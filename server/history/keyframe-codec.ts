/**
 * A keyframe chunk: every entity's last stored state, in key order, as varints of deltas from the previous
 * entry (keys are dense, so a key costs one byte). Entities never stored are left out.
 * Entry: zigzag Δkey · zigzag Δts (ms) · zigzag Δlng · zigzag Δlat (1e-6°) · speed (0.1 km/h) · heading · status.
 */
import { SegmentDecodeError, writeVarint, type SegmentPoint } from './segment-codec';

const zig = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzig = (u: number) => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);
const MAX_ENTRY_BYTES = 40;

export interface KeyframeColumns {
  key: Int32Array;
  lastTs: Float64Array;
  lastLng: Int32Array;
  lastLat: Int32Array;
  lastSpeed: Uint16Array;
  lastHeading: Uint16Array;
  lastStatus: Uint8Array;
}

/** Encodes entities [from, to) of the columns that have a key and a stored point. */
export function encodeKeyframe(
  c: KeyframeColumns,
  from: number,
  to: number,
): { entries: number; data: Uint8Array } {
  const out = new Uint8Array(MAX_ENTRY_BYTES * Math.max(0, to - from));
  let pos = 0;
  let entries = 0;
  let pk = 0;
  let pts = 0;
  let plng = 0;
  let plat = 0;
  for (let i = from; i < to; i++) {
    const key = c.key[i]!;
    const ts = c.lastTs[i]!;
    if (key === 0 || !(ts > 0)) continue;
    pos = writeVarint(out, pos, zig(key - pk));
    pos = writeVarint(out, pos, zig(ts - pts));
    pos = writeVarint(out, pos, zig(c.lastLng[i]! - plng));
    pos = writeVarint(out, pos, zig(c.lastLat[i]! - plat));
    pos = writeVarint(out, pos, c.lastSpeed[i]!);
    pos = writeVarint(out, pos, c.lastHeading[i]!);
    out[pos++] = c.lastStatus[i]!;
    pk = key;
    pts = ts;
    plng = c.lastLng[i]!;
    plat = c.lastLat[i]!;
    entries++;
  }
  return { entries, data: out.slice(0, pos) };
}

export function decodeKeyframe(
  data: Uint8Array,
  onEntry: (
    key: number,
    ts: number,
    lngE6: number,
    latE6: number,
    speed10: number,
    heading: number,
    status: number,
  ) => void,
): void {
  let pos = 0;
  const read = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= data.length) throw new SegmentDecodeError('truncated keyframe');
      const b = data[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  };
  let key = 0;
  let ts = 0;
  let lng = 0;
  let lat = 0;
  while (pos < data.length) {
    key += unzig(read());
    ts += unzig(read());
    lng += unzig(read());
    lat += unzig(read());
    const speed10 = read();
    const heading = read();
    if (pos >= data.length) throw new SegmentDecodeError('truncated keyframe');
    onEntry(key, ts, lng, lat, speed10, heading, data[pos++]!);
  }
}

/** Keyframe entries from a list (late points patched into a bucket's keyframe), encoded like a chunk. */
export function encodeKeyframeEntries(list: readonly { key: number; p: SegmentPoint }[]): Uint8Array {
  const sorted = [...list].sort((a, b) => a.key - b.key || a.p.ts - b.p.ts);
  const n = sorted.length;
  const cols: KeyframeColumns = {
    key: Int32Array.from(sorted, (e) => e.key),
    lastTs: Float64Array.from(sorted, (e) => e.p.ts),
    lastLng: Int32Array.from(sorted, (e) => e.p.lngE6),
    lastLat: Int32Array.from(sorted, (e) => e.p.latE6),
    lastSpeed: Uint16Array.from(sorted, (e) => e.p.speed10),
    lastHeading: Uint16Array.from(sorted, (e) => e.p.heading),
    lastStatus: Uint8Array.from(sorted, (e) => e.p.status),
  };
  return encodeKeyframe(cols, 0, n).data;
}

/**
 * A frame's working state, by history key (history-reader.ts says why): ts (−1: nothing yet), and per key five
 * ints lngE6, latE6, speed10, heading, status at vals[5 × key …].
 */
export interface KeyedStates {
  ts: Float64Array;
  vals: Int32Array;
}

let kpos = 0;
function readKf(data: Uint8Array, end: number): number {
  if (kpos >= end) throw new SegmentDecodeError('truncated keyframe');
  let b = data[kpos++]!;
  if (b < 0x80) return b;
  let v = b & 0x7f;
  let mul = 0x80;
  for (;;) {
    if (kpos >= end) throw new SegmentDecodeError('truncated keyframe');
    b = data[kpos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 0x80;
    if (mul > 2 ** 56) throw new SegmentDecodeError('keyframe varint too long');
  }
}

/**
 * Decodes a keyframe chunk straight into a frame's keyed state (a province keyframe is 1 M entries: no
 * callback, no closure): an entry of a key live here (keyToIdx ≥ 0), timed ≤ at and not older than what is held.
 */
export function decodeKeyframeInto(data: Uint8Array, keyToIdx: Int32Array, s: KeyedStates, at: number): void {
  const end = data.length;
  kpos = 0;
  let key = 0;
  let ts = 0;
  let lng = 0;
  let lat = 0;
  const kts = s.ts;
  const vals = s.vals;
  while (kpos < end) {
    let u = readKf(data, end);
    key += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    u = readKf(data, end);
    ts += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    u = readKf(data, end);
    lng += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    u = readKf(data, end);
    lat += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    const speed10 = readKf(data, end);
    const heading = readKf(data, end);
    if (kpos >= end) throw new SegmentDecodeError('truncated keyframe');
    const status = data[kpos++]!;
    if (!(key >= 0 && key < keyToIdx.length && keyToIdx[key]! >= 0) || ts > at || ts < kts[key]!) continue;
    kts[key] = ts;
    const o = 5 * key;
    vals[o] = lng;
    vals[o + 1] = lat;
    vals[o + 2] = speed10;
    vals[o + 3] = heading;
    vals[o + 4] = status;
  }
}
