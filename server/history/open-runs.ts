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

/**
 * The open (not yet written) segment of every entity of one kind, encoded as points arrive: a fixed slot of
 * bytes per entity plus the run state the next delta is taken from, as columns indexed by live idx.
 * Also keeps each entity's last stored point, which is what a keyframe records.
 */
export class OpenRuns {
  capacity = 0;
  /** History key per live idx (0: none yet). */
  key = new Int32Array(0);
  bucket = new Int32Array(0);
  count = new Uint16Array(0);
  len = new Uint16Array(0);
  slots = new Uint8Array(0);
  rTs = new Float64Array(0);
  rDts = new Float64Array(0);
  rLng = new Int32Array(0);
  rDlng = new Int32Array(0);
  rLat = new Int32Array(0);
  rDlat = new Int32Array(0);
  rSpeed = new Int32Array(0);
  rHeading = new Int16Array(0);
  rStatus = new Uint8Array(0);
  /** Time unit of the open run: 1000 (whole seconds) or 1 (ms). */
  rUnit = new Uint16Array(0);
  /** Last stored point (lastTs 0: none). */
  lastTs = new Float64Array(0);
  lastLng = new Int32Array(0);
  lastLat = new Int32Array(0);
  lastSpeed = new Uint16Array(0);
  lastHeading = new Uint16Array(0);
  lastStatus = new Uint8Array(0);
  private readonly state = newRunState();
  /** Where a point that may not fit its slot is encoded first. */
  private readonly spill = new Uint8Array(MAX_POINT_BYTES);

  constructor(
    readonly kind: EntityKind,
    readonly slotBytes = SLOT_BYTES[kind],
  ) {}

  ensure(n: number): void {
    if (n <= this.capacity) return;
    let cap = Math.max(1024, this.capacity * 2);
    while (cap < n) cap *= 2;
    const grow = <T extends Int32Array | Uint16Array | Uint8Array | Float64Array | Int16Array>(
      a: T,
      make: (k: number) => T,
      k = cap,
    ): T => {
      const b = make(k);
      b.set(a);
      return b;
    };
    this.key = grow(this.key, (k) => new Int32Array(k));
    this.bucket = grow(this.bucket, (k) => new Int32Array(k));
    this.count = grow(this.count, (k) => new Uint16Array(k));
    this.len = grow(this.len, (k) => new Uint16Array(k));
    this.slots = grow(this.slots, (k) => new Uint8Array(k), cap * this.slotBytes);
    this.rTs = grow(this.rTs, (k) => new Float64Array(k));
    this.rDts = grow(this.rDts, (k) => new Float64Array(k));
    this.rLng = grow(this.rLng, (k) => new Int32Array(k));
    this.rDlng = grow(this.rDlng, (k) => new Int32Array(k));
    this.rLat = grow(this.rLat, (k) => new Int32Array(k));
    this.rDlat = grow(this.rDlat, (k) => new Int32Array(k));
    this.rSpeed = grow(this.rSpeed, (k) => new Int32Array(k));
    this.rHeading = grow(this.rHeading, (k) => new Int16Array(k));
    this.rStatus = grow(this.rStatus, (k) => new Uint8Array(k));
    this.rUnit = grow(this.rUnit, (k) => new Uint16Array(k));
    this.lastTs = grow(this.lastTs, (k) => new Float64Array(k));
    this.lastLng = grow(this.lastLng, (k) => new Int32Array(k));
    this.lastLat = grow(this.lastLat, (k) => new Int32Array(k));
    this.lastSpeed = grow(this.lastSpeed, (k) => new Uint16Array(k));
    this.lastHeading = grow(this.lastHeading, (k) => new Uint16Array(k));
    this.lastStatus = grow(this.lastStatus, (k) => new Uint8Array(k));
    this.capacity = cap;
  }

  /** Adds a point to entity i's open segment; a segment it closes on the way is handed to `onClosed`. */
  append(i: number, p: SegmentPoint, onClosed: (s: ClosedSegment) => void): void {
    const b = bucketOf(p.ts);
    const unit = runUnitFor(p.ts);
    if (this.count[i]! > 0 && (this.bucket[i] !== b || unit < this.rUnit[i]!)) onClosed(this.close(i)!);
    const base = i * this.slotBytes;
    const s = this.state;
    if (this.count[i]! > 0) {
      this.loadRun(i);
      const len = this.len[i]!;
      if (len + MAX_POINT_BYTES <= this.slotBytes)
        this.len[i] = encodePoint(this.slots, base + len, s, p, this.rUnit[i]!) - base;
      else {
        // Near the slot's end: the point is encoded aside and kept only if it fits, so a slot fills to its
        // last byte rather than to within a worst-case point of it.
        const n = encodePoint(this.spill, 0, s, p, this.rUnit[i]!);
        if (len + n <= this.slotBytes) {
          this.slots.set(this.spill.subarray(0, n), base + len);
          this.len[i] = len + n;
        } else {
          onClosed(this.close(i)!);
          this.startRun(i, b, unit);
          this.len[i] = encodePoint(this.slots, base, s, p, unit) - base;
        }
      }
    } else {
      this.startRun(i, b, unit);
      this.len[i] = encodePoint(this.slots, base, s, p, unit) - base;
    }
    this.count[i]!++;
    this.rTs[i] = s.ts;
    this.rDts[i] = s.dts;
    this.rLng[i] = s.lng;
    this.rDlng[i] = s.dlng;
    this.rLat[i] = s.lat;
    this.rDlat[i] = s.dlat;
    this.rSpeed[i] = s.speed;
    this.rHeading[i] = s.heading;
    this.rStatus[i] = s.status;
    this.lastTs[i] = p.ts;
    this.lastLng[i] = p.lngE6;
    this.lastLat[i] = p.latE6;
    this.lastSpeed[i] = p.speed10;
    this.lastHeading[i] = p.heading;
    this.lastStatus[i] = p.status;
  }

  /** A run starts from zero (newRunState), reset in place: no object a run. */
  private startRun(i: number, bucket: number, unit: number): void {
    const s = this.state;
    s.ts = s.dts = s.lng = s.dlng = s.lat = s.dlat = s.speed = s.heading = 0;
    s.status = 255;
    this.bucket[i] = bucket;
    this.rUnit[i] = unit;
  }

  private loadRun(i: number): void {
    const s = this.state;
    s.ts = this.rTs[i]!;
    s.dts = this.rDts[i]!;
    s.lng = this.rLng[i]!;
    s.dlng = this.rDlng[i]!;
    s.lat = this.rLat[i]!;
    s.dlat = this.rDlat[i]!;
    s.speed = this.rSpeed[i]!;
    s.heading = this.rHeading[i]!;
    s.status = this.rStatus[i]!;
  }

  /** The open segment of entity i as a self-contained run (null when empty), without closing it. */
  peek(i: number): Uint8Array | null {
    const n = this.count[i]!;
    if (n === 0) return null;
    const h = runHeader(n, this.rUnit[i]!);
    const out = new Uint8Array(h.length + this.len[i]!);
    out.set(h);
    const base = i * this.slotBytes;
    out.set(this.slots.subarray(base, base + this.len[i]!), h.length);
    return out;
  }

  /**
   * Writes the open segment of entity i as a self-contained run into out (grown when short) and returns its
   * length (0 when empty): peek without an allocation per entity, for a frame over every open segment.
   */
  peekInto(i: number, scratch: { out: Uint8Array }): number {
    const n = this.count[i]!;
    if (n === 0) return 0;
    const len = this.len[i]!;
    if (scratch.out.length < len + 8) scratch.out = new Uint8Array(Math.max(len + 8, 2 * scratch.out.length));
    const out = scratch.out;
    const h = writeVarint(out, 0, n * 2 + (this.rUnit[i] === 1000 ? 1 : 0));
    const base = i * this.slotBytes;
    const slots = this.slots;
    for (let k = 0; k < len; k++) out[h + k] = slots[base + k]!;
    return h + len;
  }

  /** Closes entity i's open segment, repacked into the stored (bit-packed) form. */
  close(i: number): ClosedSegment | null {
    const n = this.count[i]!;
    if (n === 0) return null;
    const base = i * this.slotBytes;
    const data = packSlot(this.slots, base, base + this.len[i]!, n, this.rUnit[i]!);
    const seg = { bucket: this.bucket[i]!, key: this.key[i]!, points: this.count[i]!, data };
    this.count[i] = 0;
    this.len[i] = 0;
    return seg;
  }
}
