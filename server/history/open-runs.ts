import type { EntityKind } from '@/lib/realtime/position-codec';
import {
  encodePoint,
  MAX_POINT_BYTES,
  newRunState,
  runHeader,
  runUnitFor,
  type SegmentPoint,
  writeVarint,
} from './segment-codec';
import { packSlot } from './packed-run';

/** 10-minute buckets: ~20 points a row for a unit reporting every 30 s, so a row's ~15 bytes of key and
 * b-tree overhead cost under a byte a position; also the keyframe interval, so a frame decodes ≤ 10 min. */
export const BUCKET_MS = 600_000;
export const bucketOf = (ts: number) => Math.floor(ts / BUCKET_MS);

/**
 * Bytes of encoded points held per entity before its segment is closed early (a slot fills to its last byte).
 * A unit at 30 s writes ~140 in a bucket, so it closes one segment mid-bucket (a second run header and first
 * point: part of B7's 5.87 → 6.88 bytes, bench/README); one reporting every few seconds closes segments
 * sooner, so memory stays count × slot however fast units report: 128 MB of a province's ~210 MB of open
 * segments.
 * Cameras store only status changes.
 */
export const SLOT_BYTES: Record<EntityKind, number> = { vehicle: 128, worker: 128, camera: 48 };

export interface ClosedSegment {
  bucket: number;
  key: number;
  points: number;
  data: Uint8Array;
}

/** Growth of the per-unit columns and of the pool of open runs: ≤ 25 % unused (doubling left up to half). */
const GROWTH = 1.25;
const grownCapacity = (capacity: number, n: number) => Math.max(n, Math.ceil(capacity * GROWTH), 1024);

/**
 * The open (not yet written) segment of every entity of one kind, encoded as points arrive. Per entity, as
 * columns indexed by live idx: its history key, its open run's bucket and point count, and its last stored
 * point (what a keyframe records). The run itself (a fixed slot of encoded bytes and the state the next
 * delta is taken from) is taken from a pool while the entity has an open segment and given back when it
 * closes: most of a province's 2 M cameras store a status change now and then, and held a vehicle's run
 * state and a 48-byte slot each all the same (the thread's typed arrays went 563 → 327 MB, bench/README).
 */
export class OpenRuns {
  capacity = 0;
  /** History key per live idx (0: none yet). */
  key = new Int32Array(0);
  bucket = new Int32Array(0);
  /** Points in the open segment (0: none open, and no run held). */
  count = new Uint16Array(0);
  /** Last stored point (lastTs 0: none). */
  lastTs = new Float64Array(0);
  lastLng = new Int32Array(0);
  lastLat = new Int32Array(0);
  lastSpeed = new Uint16Array(0);
  lastHeading = new Uint16Array(0);
  lastStatus = new Uint8Array(0);
  /** The pool index of each entity's open run (meaningful while count > 0). */
  private run = new Int32Array(0);

  /** The pool: runs held by open segments, and the indexes given back, reused first. */
  private poolCapacity = 0;
  private poolUsed = 0;
  private free = new Int32Array(0);
  private freeCount = 0;
  private len = new Uint16Array(0);
  private slots = new Uint8Array(0);
  private rTs = new Float64Array(0);
  private rDts = new Float64Array(0);
  private rLng = new Int32Array(0);
  private rDlng = new Int32Array(0);
  private rLat = new Int32Array(0);
  private rDlat = new Int32Array(0);
  private rSpeed = new Int32Array(0);
  private rHeading = new Int16Array(0);
  private rStatus = new Uint8Array(0);
  /** Time unit of the open run: 1000 (whole seconds) or 1 (ms). */
  private rUnit = new Uint16Array(0);
  private readonly state = newRunState();
  /** Where a point that may not fit its slot is encoded first. */
  private readonly spill = new Uint8Array(MAX_POINT_BYTES);

  constructor(
    readonly kind: EntityKind,
    readonly slotBytes = SLOT_BYTES[kind],
  ) {}

  /** Bytes the columns and the pool hold (the history memory gauge). */
  get bytes(): number {
    let n = 0;
    for (const a of [
      this.key,
      this.bucket,
      this.count,
      this.lastTs,
      this.lastLng,
      this.lastLat,
      this.lastSpeed,
      this.lastHeading,
      this.lastStatus,
      this.run,
      this.free,
      this.len,
      this.slots,
      this.rTs,
      this.rDts,
      this.rLng,
      this.rDlng,
      this.rLat,
      this.rDlat,
      this.rSpeed,
      this.rHeading,
      this.rStatus,
      this.rUnit,
    ])
      n += a.byteLength;
    return n;
  }

  /** Runs held by open segments now. */
  get openRuns(): number {
    return this.poolUsed - this.freeCount;
  }

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = grownCapacity(this.capacity, n);
    this.key = grow(this.key, new Int32Array(cap));
    this.bucket = grow(this.bucket, new Int32Array(cap));
    this.count = grow(this.count, new Uint16Array(cap));
    this.lastTs = grow(this.lastTs, new Float64Array(cap));
    this.lastLng = grow(this.lastLng, new Int32Array(cap));
    this.lastLat = grow(this.lastLat, new Int32Array(cap));
    this.lastSpeed = grow(this.lastSpeed, new Uint16Array(cap));
    this.lastHeading = grow(this.lastHeading, new Uint16Array(cap));
    this.lastStatus = grow(this.lastStatus, new Uint8Array(cap));
    this.run = grow(this.run, new Int32Array(cap));
    this.capacity = cap;
  }

  /** A run from the pool for entity i, reset to start at `bucket` in `unit`. */
  private takeRun(i: number, bucket: number, unit: number): number {
    let r: number;
    if (this.freeCount > 0) r = this.free[--this.freeCount]!;
    else {
      if (this.poolUsed === this.poolCapacity) this.growPool();
      r = this.poolUsed++;
    }
    this.run[i] = r;
    this.len[r] = 0;
    this.bucket[i] = bucket;
    this.rUnit[r] = unit;
    const s = this.state;
    s.ts = s.dts = s.lng = s.dlng = s.lat = s.dlat = s.speed = s.heading = 0;
    s.status = 255;
    return r;
  }

  private growPool(): void {
    const cap = grownCapacity(this.poolCapacity, this.poolCapacity + 1);
    this.free = grow(this.free, new Int32Array(cap));
    this.len = grow(this.len, new Uint16Array(cap));
    this.slots = grow(this.slots, new Uint8Array(cap * this.slotBytes));
    this.rTs = grow(this.rTs, new Float64Array(cap));
    this.rDts = grow(this.rDts, new Float64Array(cap));
    this.rLng = grow(this.rLng, new Int32Array(cap));
    this.rDlng = grow(this.rDlng, new Int32Array(cap));
    this.rLat = grow(this.rLat, new Int32Array(cap));
    this.rDlat = grow(this.rDlat, new Int32Array(cap));
    this.rSpeed = grow(this.rSpeed, new Int32Array(cap));
    this.rHeading = grow(this.rHeading, new Int16Array(cap));
    this.rStatus = grow(this.rStatus, new Uint8Array(cap));
    this.rUnit = grow(this.rUnit, new Uint16Array(cap));
    this.poolCapacity = cap;
  }

  /** Adds a point to entity i's open segment; a segment it closes on the way is handed to `onClosed`. */
  append(i: number, p: SegmentPoint, onClosed: (s: ClosedSegment) => void): void {
    const b = bucketOf(p.ts);
    const unit = runUnitFor(p.ts);
    if (this.count[i]! > 0 && (this.bucket[i] !== b || unit < this.rUnit[this.run[i]!]!))
      onClosed(this.close(i)!);
    const s = this.state;
    let r: number;
    if (this.count[i]! > 0) {
      r = this.run[i]!;
      this.loadRun(r);
      const base = r * this.slotBytes;
      const len = this.len[r]!;
      if (len + MAX_POINT_BYTES <= this.slotBytes)
        this.len[r] = encodePoint(this.slots, base + len, s, p, this.rUnit[r]!) - base;
      else {
        // Near the slot's end: the point is encoded aside and kept only if it fits, so a slot fills to its
        // last byte rather than to within a worst-case point of it.
        const n = encodePoint(this.spill, 0, s, p, this.rUnit[r]!);
        if (len + n <= this.slotBytes) {
          this.slots.set(this.spill.subarray(0, n), base + len);
          this.len[r] = len + n;
        } else {
          onClosed(this.close(i)!);
          r = this.takeRun(i, b, unit);
          this.len[r] = encodePoint(this.slots, r * this.slotBytes, s, p, unit) - r * this.slotBytes;
        }
      }
    } else {
      r = this.takeRun(i, b, unit);
      this.len[r] = encodePoint(this.slots, r * this.slotBytes, s, p, unit) - r * this.slotBytes;
    }
    this.count[i]!++;
    this.rTs[r] = s.ts;
    this.rDts[r] = s.dts;
    this.rLng[r] = s.lng;
    this.rDlng[r] = s.dlng;
    this.rLat[r] = s.lat;
    this.rDlat[r] = s.dlat;
    this.rSpeed[r] = s.speed;
    this.rHeading[r] = s.heading;
    this.rStatus[r] = s.status;
    this.lastTs[i] = p.ts;
    this.lastLng[i] = p.lngE6;
    this.lastLat[i] = p.latE6;
    this.lastSpeed[i] = p.speed10;
    this.lastHeading[i] = p.heading;
    this.lastStatus[i] = p.status;
  }

  private loadRun(r: number): void {
    const s = this.state;
    s.ts = this.rTs[r]!;
    s.dts = this.rDts[r]!;
    s.lng = this.rLng[r]!;
    s.dlng = this.rDlng[r]!;
    s.lat = this.rLat[r]!;
    s.dlat = this.rDlat[r]!;
    s.speed = this.rSpeed[r]!;
    s.heading = this.rHeading[r]!;
    s.status = this.rStatus[r]!;
  }

  /** The open segment of entity i as a self-contained run (null when empty), without closing it. */
  peek(i: number): Uint8Array | null {
    const n = this.count[i]!;
    if (n === 0) return null;
    const r = this.run[i]!;
    const len = this.len[r]!;
    const h = runHeader(n, this.rUnit[r]!);
    const out = new Uint8Array(h.length + len);
    out.set(h);
    const base = r * this.slotBytes;
    out.set(this.slots.subarray(base, base + len), h.length);
    return out;
  }

  /**
   * Writes the open segment of entity i as a self-contained run into out (grown when short) and returns its
   * length (0 when empty): peek without an allocation per entity, for a frame over every open segment.
   */
  peekInto(i: number, scratch: { out: Uint8Array }): number {
    const n = this.count[i]!;
    if (n === 0) return 0;
    const r = this.run[i]!;
    const len = this.len[r]!;
    if (scratch.out.length < len + 8) scratch.out = new Uint8Array(Math.max(len + 8, 2 * scratch.out.length));
    const out = scratch.out;
    const h = writeVarint(out, 0, n * 2 + (this.rUnit[r] === 1000 ? 1 : 0));
    const base = r * this.slotBytes;
    const slots = this.slots;
    for (let k = 0; k < len; k++) out[h + k] = slots[base + k]!;
    return h + len;
  }

  /** Closes entity i's open segment, repacked into the stored (bit-packed) form; its run goes back to the pool. */
  close(i: number): ClosedSegment | null {
    const n = this.count[i]!;
    if (n === 0) return null;
    const r = this.run[i]!;
    const base = r * this.slotBytes;
    const data = packSlot(this.slots, base, base + this.len[r]!, n, this.rUnit[r]!);
    const seg = { bucket: this.bucket[i]!, key: this.key[i]!, points: n, data };
    this.count[i] = 0;
    this.len[r] = 0;
    this.free[this.freeCount++] = r;
    return seg;
  }
}

function grow<T extends Int32Array | Uint16Array | Uint8Array | Float64Array | Int16Array>(a: T, b: T): T {
  b.set(a);
  return b;
}
