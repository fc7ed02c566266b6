/**
 * The on-disk form of a closed segment: a bit-packed column run. The open segment (segment-codec.ts) is byte
 * varints because points arrive one at a time; when it closes, all its points are known, so each column gets
 * the one bit width its largest value needs. Measured on the B7 bench (100 k units at 30 s, a quarter
 * parked): 7.3 bytes a point as varints → see bench/results for the packed figure.
 *
 * Precision stays 1e-6° (~0.1 m): JT/T 808 and the ingest contract carry 1e-6°, and a track must give back
 * the exact positions it was sent (tests/integration/history-track). Quantising to 1e-5° (~1 m) would save
 * ~3.3 bits an axis, but would change stored positions, so the saving comes from packing, not from loss.
 *
 * Layout (a run stands alone; a row's blob is runs concatenated, like the varint runs it replaces):
 *   0x00                               marks a packed run (a varint run's head is never 0: count ≥ 1)
 *   varint n × 2 + (whole seconds ? 1 : 0)
 *   varint ts0 · zig lng0 · zig lat0 · varint speed0 · varint heading0 · byte status0   (the first point)
 *   n > 1: zig Δts1 · zig Δlng1 · zig Δlat1 (the first step, so a second-difference column starts small)
 *   varint c, then c × (varint index, byte status)      status changes: rare, so a list beats a bit a point
 *   n > 1: a bit stream (LSB first), byte aligned at its end:
 *     ts, lng, lat: 1 bit mode (0: second differences, 1: first differences) + 5 bits width − 1 … (width 0..31)
 *     speed, heading: 5 bits width; then the columns one after another, each value zigzagged in its width:
 *     ts, lng, lat: points 2..n−1 (n−2 values) · speed, heading (Δ, heading wrapped to ±180): points 1..n−1.
 * The mode is chosen per column per run: steady motion has near-zero second differences, a parked unit's GPS
 * jitter has smaller first differences. Fixed widths let a frame jump straight to a column and decode only
 * the prefix up to the point it wants.
 */
import { SegmentDecodeError } from './segment-codec';

const zig = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
/** Widest column value: 32 bits (a zigzagged second difference of two 1e-6° steps fits in 32). */
const MAX_WIDTH = 32;

/** Points of one run as columns (the writer's scratch; values as SegmentPoint). */
export interface RunColumns {
  n: number;
  /** Times in the run's unit (ms, or s when `unit` is 1000). */
  t: Float64Array;
  lng: Int32Array;
  lat: Int32Array;
  speed: Uint16Array;
  heading: Uint16Array;
  status: Uint8Array;
  unit: number;
}

export function newRunColumns(capacity: number): RunColumns {
  return {
    n: 0,
    t: new Float64Array(capacity),
    lng: new Int32Array(capacity),
    lat: new Int32Array(capacity),
    speed: new Uint16Array(capacity),
    heading: new Uint16Array(capacity),
    status: new Uint8Array(capacity),
    unit: 1,
  };
}

const bitsFor = (v: number): number =>
  v === 0 ? 0 : v < 2 ** 32 ? 32 - Math.clz32(v) : Math.floor(Math.log2(v)) + 1;
const wrap180 = (d: number) => (d >= 180 ? d - 360 : d < -180 ? d + 360 : d);

/*
 * The packer writes into one module buffer and returns a copy of the bytes: a province closes ~1.6 k segments a
 * tick, and the first version (number[] pushes, a bit writer object, a column object per run, the varint run
 * decoded to point objects first) cost ~26 µs a segment, ~1.3 µs of every stored position.
 */
let out = new Uint8Array(1024);
let o = 0;
let acc = 0;
let nbits = 0;

function ensureOut(n: number): void {
  if (out.length >= n) return;
  out = new Uint8Array(Math.max(n, 2 * out.length));
}

function varint(v: number): void {
  while (v >= 0x80) {
    out[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[o++] = v;
}

/** Appends `width` bits of v, LSB first; 16 at a time keeps the accumulator below 2^24 (exact in bit ops). */
function put(v: number, width: number): void {
  while (width > 16) {
    put(v % 0x10000, 16);
    v = Math.floor(v / 0x10000);
    width -= 16;
  }
  if (width === 0) return;
  acc |= v << nbits;
  nbits += width;
  while (nbits >= 8) {
    out[o++] = acc & 0xff;
    acc >>>= 8;
    nbits -= 8;
  }
}

/** Width of column x's first (mode 1) or second (mode 0) differences over points 2..n−1: mode × 64 + width. */
function diffWidth(x: ArrayLike<number>, n: number): number {
  let w1 = 0;
  let w2 = 0;
  for (let k = 2; k < n; k++) {
    const d = x[k]! - x[k - 1]!;
    const z1 = zig(d);
    const z2 = zig(d - (x[k - 1]! - x[k - 2]!));
    if (z1 > w1) w1 = z1;
    if (z2 > w2) w2 = z2;
  }
  const b1 = bitsFor(w1);
  const b2 = bitsFor(w2);
  return b2 <= b1 ? b2 : 64 + b1;
}

function putDiffs(x: ArrayLike<number>, n: number, mode: number, width: number): void {
  if (width === 0) return;
  for (let k = 2; k < n; k++) {
    const d = x[k]! - x[k - 1]!;
    put(zig(mode === 1 ? d : d - (x[k - 1]! - x[k - 2]!)), width);
  }
}

function putColumnHead(m: number): void {
  const width = m & 63;
  if (width > MAX_WIDTH) throw new SegmentDecodeError('column wider than 32 bits');
  put(m >= 64 ? 1 : 0, 1);
  put(width === 0 ? 0 : width - 1, 5);
  // width 0 and width 1 share the code 0: a 0/1 flag bit tells them apart.
  put(width === 0 ? 0 : 1, 1);
}

/** Packs the run's points (n ≥ 1). */
export function packRun(c: RunColumns): Uint8Array {
  const n = c.n;
  ensureOut(64 + n * 40);
  o = 0;
  acc = 0;
  nbits = 0;
  out[o++] = 0;
  varint(n * 2 + (c.unit === 1000 ? 1 : 0));
  varint(c.t[0]!);
  varint(zig(c.lng[0]!));
  varint(zig(c.lat[0]!));
  varint(c.speed[0]!);
  varint(c.heading[0]!);
  out[o++] = c.status[0]!;
  if (n > 1) {
    varint(zig(c.t[1]! - c.t[0]!));
    varint(zig(c.lng[1]! - c.lng[0]!));
    varint(zig(c.lat[1]! - c.lat[0]!));
  }
  let changes = 0;
  for (let k = 1; k < n; k++) if (c.status[k] !== c.status[k - 1]) changes++;
  varint(changes);
  for (let k = 1; k < n && changes > 0; k++)
    if (c.status[k] !== c.status[k - 1]) {
      varint(k);
      out[o++] = c.status[k]!;
    }
  if (n > 1) {
    const mt = diffWidth(c.t, n);
    const mx = diffWidth(c.lng, n);
    const my = diffWidth(c.lat, n);
    let ws = 0;
    let wh = 0;
    for (let k = 1; k < n; k++) {
      const zs = zig(c.speed[k]! - c.speed[k - 1]!);
      const zh = zig(wrap180(c.heading[k]! - c.heading[k - 1]!));
      if (zs > ws) ws = zs;
      if (zh > wh) wh = zh;
    }
    ws = bitsFor(ws);
    wh = bitsFor(wh);
    putColumnHead(mt);
    putColumnHead(mx);
    putColumnHead(my);
    put(ws, 5);
    put(wh, 5);
    putDiffs(c.t, n, mt >= 64 ? 1 : 0, mt & 63);
    putDiffs(c.lng, n, mx >= 64 ? 1 : 0, mx & 63);
    putDiffs(c.lat, n, my >= 64 ? 1 : 0, my & 63);
    if (ws > 0) for (let k = 1; k < n; k++) put(zig(c.speed[k]! - c.speed[k - 1]!), ws);
    if (wh > 0) for (let k = 1; k < n; k++) put(zig(wrap180(c.heading[k]! - c.heading[k - 1]!)), wh);
    if (nbits > 0) out[o++] = acc & 0xff;
  }
  return out.slice(0, o);
}

let cols = newRunColumns(64);
let vpos = 0;
function readVar(src: Uint8Array, end: number): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (vpos >= end) throw new SegmentDecodeError('truncated varint');
    const b = src[vpos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 0x80;
    if (mul > 2 ** 56) throw new SegmentDecodeError('varint too long');
  }
}
const unzig = (u: number) => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);

/**
 * Packs the n varint-coded points at src[start..end) (an open segment's slot, segment-codec.ts's point form,
 * in time unit `unit`): decoded straight into the module's columns, no point objects.
 */
export function packSlot(src: Uint8Array, start: number, end: number, n: number, unit: number): Uint8Array {
  if (cols.t.length < n) cols = newRunColumns(Math.max(n, 2 * cols.t.length));
  const c = cols;
  c.n = n;
  c.unit = unit;
  vpos = start;
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
    const h = readVar(src, end);
    dts += unzig(Math.floor(h / 2));
    dlng += unzig(readVar(src, end));
    dlat += unzig(readVar(src, end));
    ts += dts;
    lng += dlng;
    lat += dlat;
    speed += unzig(readVar(src, end));
    heading = (((heading + unzig(readVar(src, end))) % 360) + 360) % 360;
    if (h % 2 === 1) {
      if (vpos >= end) throw new SegmentDecodeError('truncated status');
      status = src[vpos++]!;
    }
    c.t[k] = ts;
    c.lng[k] = lng;
    c.lat[k] = lat;
    c.speed[k] = speed;
    c.heading[k] = heading;
    c.status[k] = status;
  }
  return packRun(c);
}

/** Repacks a closed varint run (a header, then its points) as a packed run. */
export function repack(varintRun: Uint8Array): Uint8Array {
  vpos = 0;
  const head = readVar(varintRun, varintRun.length);
  return packSlot(varintRun, vpos, varintRun.length, Math.floor(head / 2), head % 2 === 1 ? 1000 : 1);
}
