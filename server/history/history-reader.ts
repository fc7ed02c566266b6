import type Database from 'better-sqlite3';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import { decodeKeyframeInto, type KeyedStates } from './keyframe-codec';
import type { HistoryWriter } from './history-writer';
import { blockEntity, forEachInBlock, forEachRangeInBlock, isBlockEntity, partOfEntity } from './block-row';
import { bucketOf } from './open-runs';
import { decodeRuns, latestAtOrBefore, type SegmentPoint } from './segment-codec';

/** A track spans at most a week: 2,016 bucket seeks, a few ms; longer periods are asked for in parts. */
export const TRACK_MAX_SPAN_MS = 7 * 86_400_000;
/** Points one track answer carries at most (a unit at 1 Hz for a day is 86,400); the rest is cut, flagged. */
export const TRACK_MAX_POINTS = 100_000;
/** A frame looks back this many buckets for a keyframe (a server down longer shows no older state). */
export const FRAME_KEYFRAME_LOOKBACK_BUCKETS = 144;

/** Each live entity's state as of an instant (ts −1: none known), as columns indexed by live idx. */
export interface FrameState {
  count: number;
  ts: Float64Array;
  lngE6: Int32Array;
  latE6: Int32Array;
  speed10: Uint16Array;
  heading: Uint16Array;
  status: Uint8Array;
}

/**
 * Reads what the writer stored, together with what it still holds (open segments and rows not yet written),
 * so a track or frame includes the last seconds as well as last month.
 */
export class HistoryReader {
  /** Stored rows that failed to decode (a damaged file): skipped and counted, never a failed answer. */
  corruptRows = 0;
  private readonly segmentAt: Database.Statement;
  private readonly lowestEntity: Database.Statement;
  private keyed: KeyedStates = { ts: new Float64Array(0), vals: new Int32Array(0) };
  private readonly keyOf: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly writer: HistoryWriter,
  ) {
    this.segmentAt = sqlite.prepare('SELECT data FROM history_segments WHERE bucket = ? AND entity = ?');
    this.lowestEntity = sqlite.prepare('SELECT min(entity) AS e FROM history_segments WHERE bucket = ?');
    this.keyOf = sqlite.prepare('SELECT key FROM history_entities WHERE kind = ? AND id = ?');
  }

  /**
   * Every stored point of one entity with from ≤ ts ≤ to, in time order (one per ts: the last stored wins).
   * `idx` is the entity's live idx in the asking process (undefined: not live there).
   */
  track(
    kind: EntityKind,
    id: string,
    idx: number | undefined,
    from: number,
    to: number,
  ): { points: SegmentPoint[]; isTruncated: boolean } {
    const runs = this.writer.runs[kind];
    let key = idx !== undefined && idx < runs.capacity ? runs.key[idx]! : 0;
    if (key === 0) key = (this.keyOf.get(kind, id) as { key: number } | undefined)?.key ?? 0;
    if (key === 0) return { points: [], isTruncated: false };
    const out: SegmentPoint[] = [];
    const take = (p: SegmentPoint) => {
      if (p.ts >= from && p.ts <= to) out.push(p);
    };
    const b1 = bucketOf(to);
    for (let b = bucketOf(from); b <= b1; b++) {
      const row = this.segmentAt.get(b, key) as { data: Buffer } | undefined;
      if (row) this.safely(() => decodeRuns(row.data, take));
      // A bucket written in parts has a row of the key's block in each (block-row.ts): the bucket's lowest
      // entity says how many parts there may be.
      const lowest = (this.lowestEntity.get(b) as { e: number | null }).e;
      const parts = lowest === null ? -1 : partOfEntity(lowest);
      for (let part = 0; part <= parts; part++) {
        const blk = this.segmentAt.get(b, blockEntity(key, part)) as { data: Buffer } | undefined;
        if (blk)
          this.safely(() =>
            forEachInBlock(blk.data, (k, bytes) => {
              if (k === key) decodeRuns(bytes, take);
            }),
          );
      }
    }
    this.writer.forKeyHeld(key, (data) => this.safely(() => decodeRuns(data, take)));
    const open = idx !== undefined && idx < runs.capacity ? runs.peek(idx) : null;
    if (open) decodeRuns(open, take);
    // Stable sort: among equal times the later-stored point comes last and is the one kept.
    out.sort((a, b) => a.ts - b.ts);
    const points: SegmentPoint[] = [];
    for (const p of out) {
      if (points.length > 0 && points[points.length - 1]!.ts === p.ts) points[points.length - 1] = p;
      else points.push(p);
    }
    const isTruncated = points.length > TRACK_MAX_POINTS;
    return { points: isTruncated ? points.slice(0, TRACK_MAX_POINTS) : points, isTruncated };
  }

  /**
   * Every live entity's latest stored state with ts ≤ at: the keyframe at the start of at's bucket, then the
   * points stored since. Entities unknown to this process (never registered again) have no idx and are left out.
   * `counts`: the live entities per kind the answer is indexed for.
   */
  frame(at: number, counts: Record<EntityKind, number> = this.writer.counts): Record<EntityKind, FrameState> {
    const kb = bucketOf(at);
    const k2i = this.writer.keyToIdx;
    // Working state by history key, not by live idx: keyframes and block rows come in key order, so these
    // writes are sequential, while keys are handed out in first-report order, i.e. at random against idx.
    // Indexed by idx (the first version), a province frame spent ~1 µs a unit on cache misses over six
    // columns; here it is one gather at the end.
    // Kept between frames (28 bytes a key): typed arrays count as external memory, and every ~64 MB of it
    // allocated starts a full GC of the server's heap (~150 ms at province scale; a frame also reads ~110 MB
    // of blobs, which it cannot avoid).
    if (this.keyed.ts.length < k2i.length)
      this.keyed = { ts: new Float64Array(k2i.length), vals: new Int32Array(5 * k2i.length) };
    const keyed = this.keyed;
    keyed.ts.fill(-1);
    let startBucket = kb;
    for (const kind of ENTITY_KINDS) {
      const kf = this.sqlite
        .prepare('SELECT max(bucket) AS b FROM history_keyframes WHERE kind = ? AND bucket BETWEEN ? AND ?')
        .get(kind, kb - FRAME_KEYFRAME_LOOKBACK_BUCKETS, kb) as { b: number | null };
      const kfBucket = kf.b ?? kb - 1;
      if (kfBucket < startBucket) startBucket = kfBucket;
      if (kf.b === null) continue;
      for (const [data] of this.sqlite
        .prepare('SELECT data FROM history_keyframes WHERE bucket = ? AND kind = ?')
        .raw()
        .iterate(kf.b, kind) as Iterable<[Buffer]>)
        this.safely(() => decodeKeyframeInto(data, k2i, keyed, at));
    }
    const latest = new Float64Array(6);
    const kts = keyed.ts;
    const vals = keyed.vals;
    // One callback for the whole frame, reading each entity's bytes in place (no view, no closure per row).
    const take = (key: number, data: Uint8Array, start: number, end: number) => {
      if (!(key < k2i.length && k2i[key]! >= 0)) return;
      try {
        if (!latestAtOrBefore(data, at, latest, start, end) || latest[0]! < kts[key]!) return;
      } catch {
        this.corruptRows++;
        return;
      }
      kts[key] = latest[0]!;
      const o = 5 * key;
      vals[o] = latest[1]!;
      vals[o + 1] = latest[2]!;
      vals[o + 2] = latest[3]!;
      vals[o + 3] = latest[4]!;
      vals[o + 4] = latest[5]!;
    };
    // raw(): rows as arrays, no per-row object; the blob is the only allocation.
    for (const [entity, data] of this.sqlite
      .prepare('SELECT entity, data FROM history_segments WHERE bucket BETWEEN ? AND ?')
      .raw()
      .iterate(startBucket, kb) as Iterable<[number, Buffer]>)
      if (isBlockEntity(entity)) this.safely(() => forEachRangeInBlock(data, take));
      else take(entity, data, 0, data.length);
    this.writer.forEachHeld(startBucket, kb, take);
    const scratch = { out: new Uint8Array(256) };
    const states = {} as Record<EntityKind, FrameState>;
    for (const kind of ENTITY_KINDS) {
      const runs = this.writer.runs[kind];
      const count = counts[kind];
      const n = Math.min(runs.capacity, count);
      for (let i = 0; i < n; i++) {
        const b = runs.bucket[i]!;
        if (runs.count[i]! === 0 || b < startBucket || b > kb) continue;
        const len = runs.peekInto(i, scratch);
        take(runs.key[i]!, scratch.out, 0, len);
      }
      const s: FrameState = {
        count,
        ts: new Float64Array(count).fill(-1),
        lngE6: new Int32Array(count),
        latE6: new Int32Array(count),
        speed10: new Uint16Array(count),
        heading: new Uint16Array(count),
        status: new Uint8Array(count),
      };
      for (let i = 0; i < n; i++) {
        const key = runs.key[i]!;
        if (key === 0 || !(kts[key]! >= 0)) continue;
        const o = 5 * key;
        s.ts[i] = kts[key]!;
        s.lngE6[i] = vals[o]!;
        s.latE6[i] = vals[o + 1]!;
        s.speed10[i] = vals[o + 2]!;
        s.heading[i] = vals[o + 3]!;
        s.status[i] = vals[o + 4]!;
      }
      states[kind] = s;
    }
    return states;
  }

  private safely(decode: () => unknown): void {
    try {
      decode();
    } catch {
      this.corruptRows++;
    }
  }
}
