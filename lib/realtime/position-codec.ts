/**
 * Packed binary batches of entity state (positions, status, report time), column-major so that the browser
 * applies 100k updates with one tight loop over typed arrays and no per-update objects.
 *
 * 15 bytes per update: idx u32 · report age u16 (TS_UNIT_MS steps behind the batch's base time) ·
 * lng u24 · lat u24 (steps of `unitE6` micro-degrees from the batch's origin) · heading u8 · speed u8 · status u8.
 * The 24-bit planes cover 16.7° at 1e-6° (~0.1 m), enough for a province; a wider territory doubles the unit.
 *
 * Two columns are left out when they say nothing, which is what keeps a province snapshot small (B4):
 * - idx, when the batch is a dense run (idx = firstIdx + i), as a whole-territory snapshot is: −4 bytes;
 * - heading and speed for kinds that never move (cameras): −2 bytes.
 * A province snapshot (1 M vehicles, 2 M cameras) is then 11 + 9 bytes a unit: 29 MB instead of 45 MB.
 */

export const POSITION_MAGIC = 0x50; // 'P'
export const POSITION_CODEC_VERSION = 2;
export const POSITION_HEADER_BYTES = 32;
/** Bytes per update with every column present (a sparse delta of a moving kind: the common case, B2). */
export const BYTES_PER_UPDATE = 15;
const FLAG_FULL = 1;
const FLAG_DENSE = 2;
const FLAG_STATIC = 4;
/** Report ages travel in 10 ms steps: finer than any tick, and 65,535 steps cover ~11 minutes. */
export const TS_UNIT_MS = 10;
/** An age that saturates the u16 means "older than ~11 min": always stale, whatever its exact time. */
export const TS_SATURATED = 0xffff;
const U24_MAX = 0xffffff;

export const ENTITY_KINDS = ['vehicle', 'worker', 'camera'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];
/** Kinds that never move: their batches carry no heading or speed. */
export const STATIC_KINDS: ReadonlySet<EntityKind> = new Set(['camera']);

/** Bytes per entity for a batch's shape (header aside). */
export function bytesPerEntity(isDense: boolean, isStatic: boolean): number {
  return BYTES_PER_UPDATE - (isDense ? 4 : 0) - (isStatic ? 2 : 0);
}

/** True when indices[0..count) is firstIdx, firstIdx + 1, …: the idx column can be left out. */
function isDenseRun(indices: ArrayLike<number>, count: number): boolean {
  if (count === 0) return false;
  const first = indices[0]!;
  for (let i = 1; i < count; i++) if (indices[i] !== first + i) return false;
  return true;
}

export interface PositionOrigin {
  /** Micro-degrees of the south-west corner of the window the 24-bit planes cover. */
  lngE6: number;
  latE6: number;
  /** Micro-degrees per step (1 for ≤ 16.7° of span). */
  unitE6: number;
}

/** Picks the smallest step whose 24-bit window covers the bbox (with a margin for units driving out of it). */
export function originForBbox(
  minLng: number,
  minLat: number,
  maxLng: number,
  maxLat: number,
): PositionOrigin {
  const marginDeg = 0.5;
  const span = Math.max(maxLng - minLng, maxLat - minLat) + 2 * marginDeg;
  let unitE6 = 1;
  while ((U24_MAX * unitE6) / 1e6 < span && unitE6 < 64) unitE6 *= 2;
  return {
    lngE6: Math.floor((minLng - marginDeg) * 1e6),
    latE6: Math.floor((minLat - marginDeg) * 1e6),
    unitE6,
  };
}

/** Column sources the encoder reads: the server's live store exposes exactly these. */
export interface PositionColumns {
  lng: Float64Array;
  lat: Float64Array;
  heading: Float32Array;
  speed: Float32Array;
  status: Uint8Array;
  ts: Float64Array;
}

export interface PositionBatch {
  kind: EntityKind;
  isFull: boolean;
  count: number;
  baseTs: number;
  origin: PositionOrigin;
  /** Always present after decoding (a dense run is expanded), so appliers need one code path. */
  idx: Uint32Array;
  tsBack: Uint16Array;
  /** lng/lat planes: byte k of value i is at [k * count + i]. */
  lngPlanes: Uint8Array;
  latPlanes: Uint8Array;
  /** All zero for a static kind. */
  heading: Uint8Array;
  speed: Uint8Array;
  status: Uint8Array;
}

function clampStep(v: number): number {
  return v < 0 ? 0 : v > U24_MAX ? U24_MAX : v;
}

/**
 * Encodes the entities `indices[0..count)` of `cols`. `baseTs` is normally the newest report time in the batch
 * (so every age is ≥ 0); reports newer than it are sent as age 0.
 */
export function encodePositions(
  kind: EntityKind,
  cols: PositionColumns,
  indices: ArrayLike<number>,
  count: number,
  baseTs: number,
  origin: PositionOrigin,
  isFull: boolean,
): Uint8Array {
  const isDense = isDenseRun(indices, count);
  const isStatic = STATIC_KINDS.has(kind);
  const out = new Uint8Array(POSITION_HEADER_BYTES + bytesPerEntity(isDense, isStatic) * count);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, POSITION_MAGIC);
  dv.setUint8(1, POSITION_CODEC_VERSION);
  dv.setUint8(2, ENTITY_KINDS.indexOf(kind));
  dv.setUint8(3, (isFull ? FLAG_FULL : 0) | (isDense ? FLAG_DENSE : 0) | (isStatic ? FLAG_STATIC : 0));
  dv.setUint32(4, count, true);
  dv.setFloat64(8, baseTs, true);
  dv.setInt32(16, origin.lngE6, true);
  dv.setInt32(20, origin.latE6, true);
  dv.setUint16(24, origin.unitE6, true);
  dv.setUint16(26, TS_UNIT_MS, true);
  dv.setUint32(28, isDense ? indices[0]! : 0, true);

  let o = POSITION_HEADER_BYTES;
  // The u32 column comes first, so it is 4-byte aligned; a dense run writes into a scratch column instead.
  const idx = isDense ? null : new Uint32Array(out.buffer, o, count);
  if (!isDense) o += 4 * count;
  const tsBack = new Uint16Array(out.buffer, o, count);
  o += 2 * count;
  const lngP = out.subarray(o, o + 3 * count);
  o += 3 * count;
  const latP = out.subarray(o, o + 3 * count);
  o += 3 * count;
  const head = isStatic ? null : out.subarray(o, o + count);
  const spd = isStatic ? null : out.subarray(o + count, o + 2 * count);
  if (!isStatic) o += 2 * count;
  const st = out.subarray(o, o + count);

  const invUnit = 1e6 / origin.unitE6;
  const lng0 = origin.lngE6 / 1e6;
  const lat0 = origin.latE6 / 1e6;
  const c2 = 2 * count;
  for (let i = 0; i < count; i++) {
    const e = indices[i]!;
    if (idx) idx[i] = e;
    const ts = cols.ts[e]!;
    const back = Math.round((baseTs - ts) / TS_UNIT_MS);
    tsBack[i] = !(back > 0) ? 0 : back >= TS_SATURATED ? TS_SATURATED : back;
    const x = clampStep(Math.round((cols.lng[e]! - lng0) * invUnit));
    lngP[i] = x & 0xff;
    lngP[count + i] = (x >>> 8) & 0xff;
    lngP[c2 + i] = x >>> 16;
    const y = clampStep(Math.round((cols.lat[e]! - lat0) * invUnit));
    latP[i] = y & 0xff;
    latP[count + i] = (y >>> 8) & 0xff;
    latP[c2 + i] = y >>> 16;
    if (head && spd) {
      // 256 steps per turn: 1.4° is finer than any icon shows.
      head[i] = Math.round((cols.heading[e]! % 360) * (256 / 360)) & 0xff;
      const s = Math.round(cols.speed[e]!);
      spd[i] = s < 0 ? 0 : s > 255 ? 255 : s;
    }
    st[i] = cols.status[e]!;
  }
  return out;
}

export class PositionCodecError extends Error {}

/** How many entities an encoded batch carries, read off its header (for metrics; no validation). */
export function encodedCount(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, POSITION_HEADER_BYTES).getUint32(4, true);
}

/** Decodes into views over the buffer (copying once only if the transport handed an unaligned slice). */
export function decodePositions(input: Uint8Array | ArrayBuffer): PositionBatch {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  // Node's Buffer.slice() is a view, so copy through the constructor to realign.
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  if (bytes.byteLength < POSITION_HEADER_BYTES) throw new PositionCodecError('short header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint8(0) !== POSITION_MAGIC) throw new PositionCodecError('bad magic');
  if (dv.getUint8(1) !== POSITION_CODEC_VERSION) throw new PositionCodecError('unsupported version');
  const kind = ENTITY_KINDS[dv.getUint8(2)];
  if (!kind) throw new PositionCodecError('unknown entity kind');
  const flags = dv.getUint8(3);
  const isDense = (flags & FLAG_DENSE) !== 0;
  const isStatic = (flags & FLAG_STATIC) !== 0;
  const count = dv.getUint32(4, true);
  if (bytes.byteLength !== POSITION_HEADER_BYTES + bytesPerEntity(isDense, isStatic) * count) {
    throw new PositionCodecError('length does not match count');
  }
  const base = bytes.byteOffset;
  let o = POSITION_HEADER_BYTES;
  let idx: Uint32Array;
  if (isDense) {
    const first = dv.getUint32(28, true);
    idx = new Uint32Array(count);
    for (let i = 0; i < count; i++) idx[i] = first + i;
  } else {
    idx = new Uint32Array(bytes.buffer, base + o, count);
    o += 4 * count;
  }
  const tsBack = new Uint16Array(bytes.buffer, base + o, count);
  o += 2 * count;
  const lngPlanes = bytes.subarray(o, o + 3 * count);
  o += 3 * count;
  const latPlanes = bytes.subarray(o, o + 3 * count);
  o += 3 * count;
  let heading: Uint8Array;
  let speed: Uint8Array;
  if (isStatic) {
    heading = speed = new Uint8Array(count);
  } else {
    heading = bytes.subarray(o, o + count);
    speed = bytes.subarray(o + count, o + 2 * count);
    o += 2 * count;
  }
  const status = bytes.subarray(o, o + count);
  return {
    kind,
    isFull: (flags & FLAG_FULL) !== 0,
    count,
    baseTs: dv.getFloat64(8, true),
    origin: {
      lngE6: dv.getInt32(16, true),
      latE6: dv.getInt32(20, true),
      unitE6: dv.getUint16(24, true) || 1,
    },
    idx,
    tsBack,
    lngPlanes,
    latPlanes,
    heading,
    speed,
    status,
  };
}

/** Longitude of update i in degrees. Hot loops inline this; it is here for tests and cold paths. */
export function batchLng(b: PositionBatch, i: number): number {
  const n = b.count;
  const p = b.lngPlanes;
  return (b.origin.lngE6 + (p[i]! | (p[n + i]! << 8) | (p[2 * n + i]! << 16)) * b.origin.unitE6) / 1e6;
}

export function batchLat(b: PositionBatch, i: number): number {
  const n = b.count;
  const p = b.latPlanes;
  return (b.origin.latE6 + (p[i]! | (p[n + i]! << 8) | (p[2 * n + i]! << 16)) * b.origin.unitE6) / 1e6;
}

/** Report time of update i; -Infinity when the age saturated (older than ~11 min: stale for any purpose). */
export function batchTs(b: PositionBatch, i: number): number {
  const back = b.tsBack[i]!;
  return back === TS_SATURATED ? -Infinity : b.baseTs - back * TS_UNIT_MS;
}

export function batchHeading(b: PositionBatch, i: number): number {
  return (b.heading[i]! * 360) / 256;
}
