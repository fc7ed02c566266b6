/**
 * Reading packed runs (the layout is described in packed-run.ts): a whole run for a track, or only the
 * latest point at or before an instant for a frame, which decodes the time column and then the other
 * columns up to that point.
 */
import { SegmentDecodeError, type SegmentPoint } from './segment-codec';

const unzig = (u: number) => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);
const POW2 = Float64Array.from({ length: 41 }, (_, k) => 2 ** k);

/** Where a packed run's parts are, once its header is read. */
interface PackedHeader {
  n: number;
  unit: number;
  ts0: number;
  lng0: number;
  lat0: number;
  speed0: number;
  heading0: number;
  status0: number;
  d1: [number, number, number];
  changesAt: number;
  changes: number;
  /** Byte offset of the bit stream and of the byte after it. */
  bits: number;
  end: number;
  mode: [number, number, number];
  width: [number, number, number, number, number];
}

let rpos = 0;
/** Reads a varint at data[rpos] (module state, not a closure: this runs once a field, per row of a frame). */
function readVar(data: Uint8Array, end: number): number {
  let p = rpos;
  if (p + 4 <= end) {
    // Up to 4 bytes (28 bits: every field but a run's first time) in int ops, no bounds checks.
    let b = data[p++]!;
    let v = b & 0x7f;
    if (b < 0x80) {
      rpos = p;
      return v;
    }
    b = data[p++]!;
    v |= (b & 0x7f) << 7;
    if (b < 0x80) {
      rpos = p;
      return v;
    }
    b = data[p++]!;
    v |= (b & 0x7f) << 14;
    if (b < 0x80) {
      rpos = p;
      return v;
    }
    b = data[p++]!;
    v |= (b & 0x7f) << 21;
    if (b < 0x80) {
      rpos = p;
      return v;
    }
    p = rpos;
  }
  if (p >= end) throw new SegmentDecodeError('truncated packed run');
  let b = data[p++]!;
  let v = b & 0x7f;
  let mul = 0x80;
  while (b >= 0x80) {
    if (p >= end) throw new SegmentDecodeError('truncated packed run');
    b = data[p++]!;
    v += (b & 0x7f) * mul;
    mul *= 0x80;
    if (mul > 2 ** 63) throw new SegmentDecodeError('varint too long');
  }
  rpos = p;
  return v;
}

/** Reads a packed run's header at data[pos] (the 0x00 marker) into h; the run must end by `end`. */
function readHeader(data: Uint8Array, pos: number, h: PackedHeader, end = data.length): void {
  rpos = pos + 1;
  const head = readVar(data, end);
  h.n = Math.floor(head / 2);
  if (h.n < 1) throw new SegmentDecodeError('empty packed run');
  h.unit = head % 2 === 1 ? 1000 : 1;
  h.ts0 = readVar(data, end);
  h.lng0 = unzig(readVar(data, end));
  h.lat0 = unzig(readVar(data, end));
  h.speed0 = readVar(data, end);
  h.heading0 = readVar(data, end);
  if (rpos >= end) throw new SegmentDecodeError('truncated packed run');
  h.status0 = data[rpos++]!;
  if (h.n > 1) {
    h.d1[0] = unzig(readVar(data, end));
    h.d1[1] = unzig(readVar(data, end));
    h.d1[2] = unzig(readVar(data, end));
  } else h.d1[0] = h.d1[1] = h.d1[2] = 0;
  h.changes = readVar(data, end);
  h.changesAt = rpos;
  for (let k = 0; k < h.changes; k++) {
    readVar(data, end);
    if (rpos >= end) throw new SegmentDecodeError('truncated packed run');
    rpos++;
  }
  pos = rpos;
  h.bits = pos;
  if (h.n === 1) {
    h.end = pos;
    return;
  }
  // The stream's 31-bit width header in one little-endian read (a stream of ≥ 2 points is ≥ 4 bytes).
  if (pos + 4 > end) throw new SegmentDecodeError('truncated packed run');
  const w = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24);
  for (let c = 0, at = 0; c < 3; c++, at += 7) {
    h.mode[c] = (w >>> at) & 1;
    h.width[c] = (w >>> (at + 6)) & 1 ? ((w >>> (at + 1)) & 31) + 1 : 0;
  }
  h.width[3] = (w >>> 21) & 31;
  h.width[4] = (w >>> 26) & 31;
  const bit = HEAD_BITS;
  const total =
    bit + (h.n - 2) * (h.width[0] + h.width[1] + h.width[2]) + (h.n - 1) * (h.width[3] + h.width[4]);
  h.end = pos + Math.ceil(total / 8);
  if (h.end > end) throw new SegmentDecodeError('truncated packed run');
}

const newHeader = (): PackedHeader => ({
  n: 0,
  unit: 1,
  ts0: 0,
  lng0: 0,
  lat0: 0,
  speed0: 0,
  heading0: 0,
  status0: 0,
  d1: [0, 0, 0],
  changesAt: 0,
  changes: 0,
  bits: 0,
  end: 0,
  mode: [0, 0, 0],
  width: [0, 0, 0, 0, 0],
});
const HEADER = newHeader();
/** Bits of the stream's width header. */
const HEAD_BITS = 31;

/**
 * Reads `count` values of `width` bits from bit `bit` of the run's stream and folds each into `fold` order:
 * a streaming reader (no per-value bounds checks: readHeader proved the stream lies inside the blob).
 * Values are delivered through `sink` as successive zigzagged integers.
 */
function readColumn(
  data: Uint8Array,
  h: PackedHeader,
  bit: number,
  width: number,
  count: number,
  sink: Float64Array,
): void {
  if (width === 0) {
    sink.fill(0, 0, count);
    return;
  }
  let byte = h.bits + (bit >>> 3);
  const skip = bit & 7;
  if (width <= 24) {
    // Int path: the accumulator never holds more than 31 bits.
    const mask = (1 << width) - 1;
    let acc = data[byte++]! >>> skip;
    let have = 8 - skip;
    for (let k = 0; k < count; k++) {
      while (have < width) {
        acc |= data[byte++]! << have;
        have += 8;
      }
      sink[k] = acc & mask;
      acc >>>= width;
      have -= width;
    }
    return;
  }
  const unit = POW2[width]!;
  let acc = data[byte++]! >>> skip;
  let have = 8 - skip;
  for (let k = 0; k < count; k++) {
    while (have < width) {
      acc += data[byte++]! * POW2[have]!;
      have += 8;
    }
    const z = acc % unit;
    sink[k] = z;
    acc = (acc - z) / unit;
    have -= width;
  }
}

let zbuf = new Float64Array(64);

/**
 * Folds `count` zigzagged values of `width` bits at bit `bit` of the stream into out[from..]: first
 * differences (mode 1: x += v), second differences (mode 0: d += v, x += d) or plain deltas (mode 2, heading:
 * wrapped to 0..359). Widths ≤ 24 (nearly all) stay in int32 ops: a float `%` per value cost more than the
 * rest of the decode.
 */
function fold(
  data: Uint8Array,
  h: PackedHeader,
  bit: number,
  width: number,
  count: number,
  mode: number,
  x: number,
  d: number,
  out: Float64Array,
  from: number,
): void {
  if (width <= 24) {
    let byte = h.bits + (bit >>> 3);
    const skip = bit & 7;
    const mask = width === 0 ? 0 : (1 << width) - 1;
    let acc = width === 0 ? 0 : data[byte++]! >>> skip;
    let have = width === 0 ? 0 : 8 - skip;
    for (let k = 0; k < count; k++) {
      while (have < width) {
        acc |= data[byte++]! << have;
        have += 8;
      }
      const u = acc & mask;
      acc >>>= width;
      have -= width;
      const v = (u >>> 1) ^ -(u & 1);
      if (mode === 0) {
        d += v;
        x += d;
      } else if (mode === 1) x += v;
      else x = (x + v + 360) % 360;
      out[from + k] = x;
    }
    return;
  }
  if (zbuf.length < count) zbuf = new Float64Array(Math.max(count, 2 * zbuf.length));
  readColumn(data, h, bit, width, count, zbuf);
  for (let k = 0; k < count; k++) {
    const v = unzig(zbuf[k]!);
    if (mode === 0) {
      d += v;
      x += d;
    } else if (mode === 1) x += v;
    else x = (((x + v) % 360) + 360) % 360;
    out[from + k] = x;
  }
}

/**
 * Decodes column c (0 ts, 1 lng, 2 lat) of the run in `h` into out[0..upTo] (absolute values, time in the
 * run's unit); upTo < n.
 */
function decodeAxis(data: Uint8Array, h: PackedHeader, c: 0 | 1 | 2, upTo: number, out: Float64Array): void {
  const x0 = c === 0 ? h.ts0 : c === 1 ? h.lng0 : h.lat0;
  out[0] = x0;
  if (upTo < 1) return;
  const d = h.d1[c];
  out[1] = x0 + d;
  if (upTo < 2) return;
  // Columns are laid out ts, lng, lat: skip the earlier ones.
  let bit = HEAD_BITS;
  for (let j = 0; j < c; j++) bit += (h.n - 2) * h.width[j]!;
  fold(data, h, bit, h.width[c]!, upTo - 1, h.mode[c] === 1 ? 1 : 0, x0 + d, d, out, 2);
}

/** Decodes speed (c 3) or heading (c 4) into out[0..upTo]. */
function decodeDelta(data: Uint8Array, h: PackedHeader, c: 3 | 4, upTo: number, out: Float64Array): void {
  const x = c === 3 ? h.speed0 : h.heading0;
  out[0] = x;
  if (upTo < 1) return;
  let bit = HEAD_BITS + (h.n - 2) * (h.width[0]! + h.width[1]! + h.width[2]!);
  if (c === 4) bit += (h.n - 1) * h.width[3]!;
  fold(data, h, bit, h.width[c]!, upTo, c === 4 ? 2 : 1, x, 0, out, 1);
}

/** The status at point k: the last change at or before k. */
function statusAt(data: Uint8Array, h: PackedHeader, k: number): number {
  let status = h.status0;
  let pos = h.changesAt;
  for (let j = 0; j < h.changes; j++) {
    let idx = 0;
    let mul = 1;
    for (;;) {
      const b = data[pos++]!;
      idx += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
    }
    if (idx > k) break;
    status = data[pos++]!;
  }
  return status;
}

let scratch = new Float64Array(64);
const cols5 = [new Float64Array(64), new Float64Array(64), new Float64Array(64), new Float64Array(64)];
function ensureScratch(n: number): void {
  if (scratch.length >= n) return;
  let m = scratch.length;
  while (m < n) m *= 2;
  scratch = new Float64Array(m);
  for (let j = 0; j < cols5.length; j++) cols5[j] = new Float64Array(m);
}

/** Decodes the packed run at data[pos]; calls onPoint for each point; returns the offset after it. */
export function decodePacked(data: Uint8Array, pos: number, onPoint: (p: SegmentPoint) => void): number {
  const h = HEADER;
  readHeader(data, pos, h);
  const n = h.n;
  const ts = new Float64Array(n);
  const lng = new Float64Array(n);
  const lat = new Float64Array(n);
  const speed = new Float64Array(n);
  const heading = new Float64Array(n);
  decodeAxis(data, h, 0, n - 1, ts);
  decodeAxis(data, h, 1, n - 1, lng);
  decodeAxis(data, h, 2, n - 1, lat);
  decodeDelta(data, h, 3, n - 1, speed);
  decodeDelta(data, h, 4, n - 1, heading);
  const end = h.end;
  const unit = h.unit;
  // Status changes are in index order: spread them over the points once.
  const status = new Uint8Array(n).fill(h.status0);
  let cpos = h.changesAt;
  for (let j = 0; j < h.changes; j++) {
    let idx = 0;
    let mul = 1;
    for (;;) {
      const b = data[cpos++]!;
      idx += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
    }
    if (idx < n) status.fill(data[cpos]!, idx);
    cpos++;
  }
  for (let k = 0; k < n; k++)
    onPoint({
      ts: ts[k]! * unit,
      lngE6: lng[k]!,
      latE6: lat[k]!,
      speed10: speed[k]!,
      heading: heading[k]!,
      status: status[k]!,
    });
  return end;
}

/**
 * Folds `count` zigzagged values of `width` (≤ 24) bits at bit `bit` of the stream, as `fold` does, and returns
 * only the last value: what a frame needs of lng, lat, speed and heading (no column is stored). The loop is
 * split per mode so that the inner loop has no branch but the refill.
 */
function foldLast(
  data: Uint8Array,
  base: number,
  bit: number,
  width: number,
  count: number,
  mode: number,
  x: number,
  d: number,
): number {
  if (count <= 0) return x;
  if (width === 0) return mode === 0 ? x + d * count : x;
  let byte = base + (bit >>> 3);
  const mask = (1 << width) - 1;
  let acc = data[byte++]! >>> (bit & 7);
  let have = 8 - (bit & 7);
  if (mode === 0) {
    for (let k = 0; k < count; k++) {
      while (have < width) {
        acc |= data[byte++]! << have;
        have += 8;
      }
      const u = acc & mask;
      acc >>>= width;
      have -= width;
      d += (u >>> 1) ^ -(u & 1);
      x += d;
    }
    return x;
  }
  let sum = 0;
  for (let k = 0; k < count; k++) {
    while (have < width) {
      acc |= data[byte++]! << have;
      have += 8;
    }
    const u = acc & mask;
    acc >>>= width;
    have -= width;
    sum += (u >>> 1) ^ -(u & 1);
  }
  // Heading (mode 2): the steps were wrapped to ±180, so the sum of them wraps once at the end.
  return mode === 1 ? x + sum : (((x + sum) % 360) + 360) % 360;
}

/** Index and time (run unit) of the latest point ≤ atU found by tsBest (−1: none). */
let bestIdx = -1;
let bestTime = 0;

/**
 * Finds the latest point with t ≤ atU among the run's times (≥ bestT: among equal times the later-stored one
 * wins, as the varint decoder does), decoding the time column without storing it. Sets bestIdx / bestTime.
 */
function tsBest(data: Uint8Array, h: PackedHeader, atU: number, bestT: number): void {
  bestIdx = -1;
  let x = h.ts0;
  if (x <= atU && x >= bestT) {
    bestIdx = 0;
    bestT = x;
  }
  const n = h.n;
  if (n > 1) {
    let d = h.d1[0];
    x += d;
    if (x <= atU && x >= bestT) {
      bestIdx = 1;
      bestT = x;
    }
    const width = h.width[0];
    const mode = h.mode[0];
    if (width === 0 || width > 24) {
      // Rare (width 0: a perfectly regular clock; > 24: a jump of days inside a run): the general path.
      if (n > 2) {
        ensureScratch(n);
        decodeAxis(data, h, 0, n - 1, scratch);
        for (let k = 2; k < n; k++) {
          const v = scratch[k]!;
          if (v <= atU && v >= bestT) {
            bestIdx = k;
            bestT = v;
          }
        }
      }
    } else {
      let byte = h.bits + (HEAD_BITS >>> 3);
      const mask = (1 << width) - 1;
      let acc = data[byte++]! >>> (HEAD_BITS & 7);
      let have = 8 - (HEAD_BITS & 7);
      for (let k = 2; k < n; k++) {
        while (have < width) {
          acc |= data[byte++]! << have;
          have += 8;
        }
        const u = acc & mask;
        acc >>>= width;
        have -= width;
        const v = (u >>> 1) ^ -(u & 1);
        if (mode === 0) {
          d += v;
          x += d;
        } else x += v;
        if (x <= atU && x >= bestT) {
          bestIdx = k;
          bestT = x;
        }
      }
    }
  }
  bestTime = bestT;
}

/** Value of column c (1 lng, 2 lat) at point k. */
function axisAt(data: Uint8Array, h: PackedHeader, c: 1 | 2, k: number): number {
  const x0 = c === 1 ? h.lng0 : h.lat0;
  if (k === 0) return x0;
  const d = h.d1[c];
  if (k === 1) return x0 + d;
  const width = h.width[c]!;
  const bit = HEAD_BITS + (c === 1 ? (h.n - 2) * h.width[0]! : (h.n - 2) * (h.width[0]! + h.width[1]!));
  if (width > 24) {
    ensureScratch(k + 1);
    decodeAxis(data, h, c, k, cols5[0]!);
    return cols5[0]![k]!;
  }
  return foldLast(data, h.bits, bit, width, k - 1, h.mode[c] === 1 ? 1 : 0, x0 + d, d);
}

/** Value of speed (c 3) or heading (c 4) at point k. */
function deltaAt(data: Uint8Array, h: PackedHeader, c: 3 | 4, k: number): number {
  const x = c === 3 ? h.speed0 : h.heading0;
  if (k === 0) return x;
  const width = h.width[c]!;
  let bit = HEAD_BITS + (h.n - 2) * (h.width[0]! + h.width[1]! + h.width[2]!);
  if (c === 4) bit += (h.n - 1) * h.width[3]!;
  if (width > 24) {
    ensureScratch(k + 1);
    decodeDelta(data, h, c, k, cols5[0]!);
    return cols5[0]![k]!;
  }
  return foldLast(data, h.bits, bit, width, k, c === 4 ? 2 : 1, x, 0);
}

/**
 * The latest point with ts ≤ at in the packed run at data[pos..end) into out (see latestAtOrBefore), when it is
 * newer than what out holds (found: out already holds one). Decodes the time column, then the other columns
 * only up to that point, keeping only their value there. Returns [offset after the run, found] packed as
 * offset × 2 + found.
 */
export function latestPacked(
  data: Uint8Array,
  pos: number,
  at: number,
  out: Float64Array,
  found: boolean,
  end = data.length,
): number {
  const h = HEADER;
  readHeader(data, pos, h, end);
  const unit = h.unit;
  tsBest(data, h, at / unit, found ? out[0]! / unit : -Infinity);
  const best = bestIdx;
  if (best < 0) return h.end * 2 + (found ? 1 : 0);
  out[0] = bestTime * unit;
  out[1] = axisAt(data, h, 1, best);
  out[2] = axisAt(data, h, 2, best);
  out[3] = deltaAt(data, h, 3, best);
  out[4] = deltaAt(data, h, 4, best);
  out[5] = h.changes === 0 ? h.status0 : statusAt(data, h, best);
  return h.end * 2 + 1;
}
