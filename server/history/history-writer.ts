import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { Logger } from '../logger';
import { HeldSegments, LATE_ROWS_PER_TICK } from './held-segments';
import { KeyframeJobs } from './keyframe-jobs';
import { BUCKET_MS, bucketOf, OpenRuns, type ClosedSegment } from './open-runs';
import type { SegmentPoint } from './segment-codec';
import { emptyByKind, type RingColumns, type TickMessage } from './tick-ring';
import { UnitIds } from './unit-ids';

/** The history keys a process starts with (server/history/tick-feed.ts reads them beside the live state). */
export interface StartKeys {
  /** History key per live idx (0: none stored yet). */
  bound: Record<EntityKind, Int32Array>;
  nextKey: number;
}

/**
 * Rows of a past bucket written per tick, in key order: a province bucket's 1 M rows take ~2,500 ticks
 * (~2 min) after its grace, each tick a ~2 ms sequential append instead of all at the boundary.
 */
export const WRITE_ROWS_PER_TICK = 400;
/** Entities a tick looks at for segments left open in a past bucket (units that stopped reporting). */
export const SWEEP_PER_TICK = 20_000;
/**
 * A row, or a second segment of the same entity and bucket (a late report, a bucket held again after a
 * restart) joined to its row: runs and block chunks stand alone, so concatenation is a valid blob. Joined by
 * SQLite: `||` makes TEXT of the bytes as they are (the file is UTF-8, nothing is converted) and the CAST gives
 * them back as a BLOB, with no copy of the row in the worker's memory.
 */
export const APPEND_SEGMENT_SQL =
  'INSERT INTO history_segments (bucket, entity, points, data) VALUES (?, ?, ?, ?) ON CONFLICT (bucket, entity) DO UPDATE SET points = points + excluded.points, data = CAST(data || excluded.data AS BLOB)';
/** A past bucket's quiet segments are closed this long after it ends (late reports still join them). */
export const SWEEP_GRACE_MS = 60_000;
export const RETENTION_CHECK_MS = 60_000;
/**
 * A process that follows keeps what it recorded of a past bucket this much longer than the leader, which by
 * then has written it (a province bucket's ordered write takes ~2 min after the grace), before letting it go.
 */
export const SHADOW_KEEP_MS = 5 * 60_000;
/** Buckets dropped per retention check: a day (144) behind drains in a few minutes, never in one stall. */
export const RETENTION_BUCKETS_PER_CHECK = 12;
const DAY_MS = 86_400_000;

export interface HistoryStats {
  points: number;
  /** Reports already older than the retention when they arrived: never stored. */
  expiredOnArrival: number;
  segmentsWritten: number;
  bytesWritten: number;
  droppedPoints: number;
  writeErrors: number;
  keyframeRows: number;
  bucketsDropped: number;
  /**
   * Partial ordered writes: of a bucket still filling or in its grace, started because held bytes passed
   * PENDING_BYTES_MAX (the bucket's later segments are appended to its rows by a later write).
   */
  earlyFlushes: number;
  /** Ordered bucket writes finished in one go because a bucket far from the rest needed an arena (MAX_ARENAS). */
  forcedFlushes: number;
  /** Rows written out of order for buckets already written (late reports). */
  lateRows: number;
  /** Most bytes of closed segments held at once for ordered writing (against PENDING_BYTES_MAX). */
  peakHeldBytes: number;
}

/**
 * Records every stored position off the hot path, in the history worker's thread: at each sealed tick it
 * reads the changed units' reports from the tick ring (tick-feed.ts copies them there), appends those points to each entity's open segment (encoded at once, so buffered history costs
 * ~7 bytes a point), repacks closed segments (~5 bytes a point) and writes each past bucket's rows in key order,
a bounded number per tick, after the bucket's grace (held-segments.ts says why). A unit reporting twice
 * inside one tick (50 ms) keeps only its newer report, as the live state does.
 */
export class HistoryWriter {
  readonly runs: Record<EntityKind, OpenRuns> = {
    vehicle: new OpenRuns('vehicle'),
    worker: new OpenRuns('worker'),
    camera: new OpenRuns('camera'),
  };
  readonly stats: HistoryStats = {
    points: 0,
    expiredOnArrival: 0,
    segmentsWritten: 0,
    bytesWritten: 0,
    droppedPoints: 0,
    writeErrors: 0,
    keyframeRows: 0,
    bucketsDropped: 0,
    earlyFlushes: 0,
    forcedFlushes: 0,
    lateRows: 0,
    peakHeldBytes: 0,
  };
  /** Closed segments not yet in SQLite (readers see them through forEachHeld / forKeyHeld). */
  private readonly held: HeldSegments;
  /** Bytes of closed segments held for ordered writing now (bounded by PENDING_BYTES_HARD). */
  get heldBytes(): number {
    return this.held.bytes();
  }
  /** Held bytes past which a bucket is written early, in parts (PENDING_BYTES_MAX; tests lower it). */
  set heldBytesMax(bytes: number) {
    this.held.maxBytes = bytes;
  }
  private pendingEntities: { key: number; kind: EntityKind; id: string }[] = [];
  /**
   * Units the feed announced that have no history key yet (one is made at their first stored point), by index
   * and, for keys that another process stores later, by id.
   */
  private readonly unkeyed = emptyByKind(() => new UnitIds());
  /** Highest key this writer has looked at in history_entities (keys only grow). */
  private seenKey = 0;
  /** Live entities per kind, as of the last tick or read. */
  readonly counts = emptyByKind(() => 0);
  /** Points whose unit was never announced (a feed fault): skipped and counted, never a crash. */
  unknownUnits = 0;
  /** Points a following process skipped because the leader had not named their unit yet (it stores them). */
  shadowUnkeyed = 0;
  /**
   * True while this process follows: it records every point as the leader does (so its reads include the last
   * minutes the leader has not written yet) but writes nothing and names no unit. True until the first tick:
   * one that leads from its start takes over then, so keys named between its start and that tick (by a
   * leader that was dying) are bound, not handed out again.
   */
  private isShadow = true;
  /** Live idx of each history key (−1: not live in this process), and its kind. */
  keyToIdx = new Int32Array(1024).fill(-1);
  keyKind = new Uint8Array(1024);
  private nextKey = 1;
  private sweepCursor: Record<EntityKind, number> = { vehicle: 0, worker: 0, camera: 0 };
  /** Entities still to look at in the sweep under way (one pass per bucket, after its grace). */
  private sweepLeft: Record<EntityKind, number> = { vehicle: 0, worker: 0, camera: 0 };
  private sweptBucket: number;
  private readonly keyframes: KeyframeJobs;
  private lastRetentionAt = 0;
  private readonly point: SegmentPoint = { ts: 0, lngE6: 0, latE6: 0, speed10: 0, heading: 0, status: 0 };
  private readonly keyOfId: Database.Statement;
  private readonly maxKey: Database.Statement;
  private readonly keysAfter: Database.Statement;
  private readonly bucketHasRows: Database.Statement;
  private readonly insertEntity: Database.Statement;
  private readonly appendSegment: Database.Statement;
  private readonly insertKeyframe: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionDays: number,
    keys: StartKeys,
  ) {
    this.held = new HeldSegments(this.stats, logger, () => this.write(Number.MAX_SAFE_INTEGER));
    this.nextKey = keys.nextKey;
    this.seenKey = keys.nextKey - 1;
    for (const kind of ENTITY_KINDS) {
      const bound = keys.bound[kind];
      this.counts[kind] = bound.length;
      for (let idx = 0; idx < bound.length; idx++)
        if (bound[idx]! !== 0) this.bindKey(kind, idx, bound[idx]!);
    }
    this.keyOfId = sqlite.prepare('SELECT key FROM history_entities WHERE kind = ? AND id = ?');
    this.maxKey = sqlite.prepare('SELECT max(key) AS k FROM history_entities');
    this.bucketHasRows = sqlite.prepare('SELECT 1 FROM history_segments WHERE bucket = ? LIMIT 1');
    this.keysAfter = sqlite.prepare('SELECT key, kind, id FROM history_entities WHERE key > ? ORDER BY key');
    this.insertEntity = sqlite.prepare(
      'INSERT OR IGNORE INTO history_entities (key, kind, id) VALUES (?, ?, ?)',
    );
    this.appendSegment = sqlite.prepare(APPEND_SEGMENT_SQL);
    this.insertKeyframe = sqlite.prepare(
      'INSERT OR REPLACE INTO history_keyframes (bucket, kind, chunk, entries, data) VALUES (?, ?, ?, ?, ?)',
    );
    // A restart inside a bucket keeps that bucket's keyframe (taken at its start): the next one is due at the
    // next boundary.
    const current = bucketOf(clock.now());
    const has = sqlite.prepare('SELECT 1 FROM history_keyframes WHERE bucket = ? LIMIT 1').get(current);
    this.keyframes = new KeyframeJobs(sqlite, has ? current : current - 1);
    this.sweptBucket = current - 2;
  }

  /** Seeds each entity's last stored state (what the next keyframe records) from what a frame reads now. */
  seedLast(kind: EntityKind, idx: number, p: SegmentPoint): void {
    const r = this.runs[kind];
    r.ensure(idx + 1);
    r.lastTs[idx] = p.ts;
    r.lastLng[idx] = p.lngE6;
    r.lastLat[idx] = p.latE6;
    r.lastSpeed[idx] = p.speed10;
    r.lastHeading[idx] = p.heading;
    r.lastStatus[idx] = p.status;
  }

  private bindKey(kind: EntityKind, idx: number, key: number): void {
    const r = this.runs[kind];
    r.ensure(idx + 1);
    r.key[idx] = key;
    if (key >= this.keyToIdx.length) {
      let n = this.keyToIdx.length * 2;
      while (n <= key) n *= 2;
      const k2i = new Int32Array(n).fill(-1);
      k2i.set(this.keyToIdx);
      const kk = new Uint8Array(n);
      kk.set(this.keyKind);
      this.keyToIdx = k2i;
      this.keyKind = kk;
    }
    this.keyToIdx[key] = idx;
    this.keyKind[key] = ENTITY_KINDS.indexOf(kind);
  }

  /** A unit that waited for its name gets `key`. */
  private bindWaiting(kind: EntityKind, idx: number, id: string, key: number): void {
    this.unkeyed[kind].bind(idx);
    this.bindKey(kind, idx, key);
  }

  private storedKeyOf(kind: EntityKind, id: string): number | undefined {
    return (this.keyOfId.get(kind, id) as { key: number } | undefined)?.key;
  }

  private newestStoredKey(): number {
    return (this.maxKey.get() as { k: number | null }).k ?? 0;
  }

  private keyFor(kind: EntityKind, idx: number): number {
    const r = this.runs[kind];
    const k = r.key[idx]!;
    if (k !== 0) return k;
    const unkeyed = this.unkeyed[kind];
    if (!unkeyed.isWaiting(idx)) return 0;
    // Only the leader names units; a follower waits for the leader's name (bindStoredKeys, each tick).
    if (this.isShadow) return -1;
    const id = unkeyed.waitingId(idx)!;
    // No lookup here: learn() asked the database when the unit was announced, and while this process has led
    // since, nobody else names units; a process that takes over first binds what the old leader named and
    // moves nextKey past its keys (takeOver). Three indexed reads a new unit were 14 s of the worker's CPU
    // naming a province at its first start.
    const key = this.nextKey++;
    this.pendingEntities.push({ key, kind, id });
    this.bindWaiting(kind, idx, id, key);
    return key;
  }

  /**
   * The tick's live counts and newly named units: a unit already stored (by this process or another that led)
   * is bound to its key at once, so frames place it; the rest get a key at their first stored point.
   */
  private learn(tick: TickMessage): void {
    for (const kind of ENTITY_KINDS) {
      this.counts[kind] = tick.counts[kind];
      this.unkeyed[kind].useLiveIds(tick.liveIds[kind]);
      const { idx, ids } = tick.newUnits[kind];
      for (let k = 0; k < idx.length; k++) {
        const key = this.storedKeyOf(kind, ids[k]!);
        if (key !== undefined) this.bindKey(kind, idx[k]!, key);
        else this.unkeyed[kind].wait(idx[k]!, ids[k]!);
      }
    }
  }

  /**
   * Binds units named without a key whose key another process has stored since (the leader, seen from a
   * process that follows): a frame asks first. Looks only at keys made since the last look, or, where fewer
   * units wait for a name than keys were made (a leader's first frame after naming a whole fleet itself:
   * iterating its million keys took 1.4 s), asks for each waiting unit by id.
   */
  bindStoredKeys(): void {
    const newest = this.newestStoredKey();
    if (newest <= this.seenKey) return;
    let waiting = 0;
    for (const kind of ENTITY_KINDS) waiting += this.unkeyed[kind].waitingCount;
    if (waiting < newest - this.seenKey) {
      for (const kind of ENTITY_KINDS)
        this.unkeyed[kind].forEachWaiting((id, idx) => {
          const key = this.storedKeyOf(kind, id);
          if (key !== undefined) this.bindWaiting(kind, idx, id, key);
        });
    } else {
      for (const [key, kind, id] of this.keysAfter.raw().iterate(this.seenKey) as Iterable<
        [number, EntityKind, string]
      >) {
        if (key > this.seenKey) this.seenKey = key;
        const idx = this.unkeyed[kind]?.waitingIdx(id);
        if (idx !== undefined) this.bindWaiting(kind, idx, id, key);
      }
    }
    if (newest > this.seenKey) this.seenKey = newest;
  }

  /**
   * Called for each sealed tick: records its points, then (in the process that leads, `tick.record`) writes a
   * bounded share; a process that follows records the same points and lets them go once the leader has
   * written them.
   */
  onTick(tick: TickMessage, ring: RingColumns): void {
    const now = this.clock.now();
    const current = bucketOf(now);
    if (this.isShadow && tick.record) this.takeOver(current);
    else if (!this.isShadow && !tick.record) this.standDown();
    this.isShadow = !tick.record;
    this.learn(tick);
    if (this.isShadow) this.bindStoredKeys();
    // Before this tick's points: a keyframe holds the state at the bucket's start.
    if (!this.isShadow && current !== this.keyframes.bucket)
      this.keyframes.start(current, this.runs, (kind) => this.counts[kind]);
    for (const kind of ENTITY_KINDS) this.record(kind, tick.ranges[kind], ring);
    this.sweep(current, now);
    this.startFlushIfDue(now);
    if (!this.isShadow) this.keyframes.encodeChunk();
    this.write(WRITE_ROWS_PER_TICK);
    if (!this.isShadow && now - this.lastRetentionAt >= RETENTION_CHECK_MS) {
      this.lastRetentionAt = now;
      this.dropExpired(now);
    }
  }

  /**
   * This process leads from now on. Past buckets it recorded while following are written if the old leader
   * wrote none of them (it died in their grace), otherwise let go (the old leader's rows stand; rows of one
   * bucket from two writers would double its points). The keyframe of the current bucket is taken if missing.
   */
  private takeOver(current: number): void {
    // Units the old leader named since this process last looked are bound to those keys, and new keys start
    // after every stored one.
    this.bindStoredKeys();
    this.nextKey = Math.max(this.nextKey, this.newestStoredKey() + 1);
    this.held.keepUnwritten((bucket) => bucket < current && this.bucketHasRows.get(bucket) !== undefined);
    const has = this.sqlite.prepare('SELECT 1 FROM history_keyframes WHERE bucket = ? LIMIT 1').get(current);
    this.keyframes.bucket = has ? current : current - 1;
    this.logger.info({ bucket: current }, 'history: this process leads; writing from now on');
  }

  /**
   * This process no longer leads. Keys it made and has not written yet are not its to give any more (the new
   * leader may give the same number to another unit): those units go back to waiting for their name, and
   * their first points, which the new leader recorded too, are let go here.
   */
  private standDown(): void {
    for (const e of this.pendingEntities) {
      const idx = this.keyToIdx[e.key]!;
      if (idx < 0) continue;
      const r = this.runs[e.kind];
      if (r.count[idx]! > 0) r.close(idx);
      r.key[idx] = 0;
      this.keyToIdx[e.key] = -1;
      this.unkeyed[e.kind].wait(idx, e.id);
    }
    this.pendingEntities = [];
    this.logger.info('history: this process follows; recording for its own reads only');
  }

  private record(kind: EntityKind, range: { start: number; n: number }, ring: RingColumns): void {
    const runs = this.runs[kind];
    runs.ensure(this.counts[kind]);
    const isCamera = kind === 'camera';
    const oldest = this.clock.now() - this.retentionDays * DAY_MS;
    const onClosed = (s: ClosedSegment) => this.held.add(s);
    const mask = ring.capacity - 1;
    for (let k = 0; k < range.n; k++) {
      const at = (range.start + k) & mask;
      const i = ring.idx[at]!;
      const ts = ring.ts[at]!;
      const lng = ring.lng[at]!;
      if (!(ts > 0) || lng !== lng) continue;
      if (ts < oldest) {
        this.stats.expiredOnArrival++;
        continue;
      }
      runs.ensure(i + 1);
      const lngE6 = Math.round(lng * 1e6);
      const latE6 = Math.round(ring.lat[at]! * 1e6);
      const status = ring.status[at]!;
      const hasLast = runs.lastTs[i]! > 0;
      if (isCamera) {
        // Cameras: status changes (and moves) only; keepalives would be most of the volume and say nothing.
        if (
          hasLast &&
          status === runs.lastStatus[i] &&
          lngE6 === runs.lastLng[i] &&
          latE6 === runs.lastLat[i]
        )
          continue;
      } else if (hasLast && ts === runs.lastTs[i] && status === runs.lastStatus[i]) continue;
      const key = this.keyFor(kind, i);
      if (key <= 0) {
        if (key === 0) this.unknownUnits++;
        else this.shadowUnkeyed++;
        continue;
      }
      const speed10 = Math.round(ring.speed[at]! * 10);
      // One point object reused for every point (a province stores 33 k a second); copied only when kept.
      const p = this.point;
      p.ts = ts;
      p.lngE6 = lngE6;
      p.latE6 = latE6;
      p.speed10 = speed10 < 0 || speed10 !== speed10 ? 0 : speed10 > 65_535 ? 65_535 : speed10;
      p.heading = ((Math.round(ring.heading[at]! || 0) % 360) + 360) % 360;
      p.status = status;
      runs.append(i, p, onClosed);
      if (!this.isShadow && bucketOf(ts) < this.keyframes.bucket) this.keyframes.addLate(key, { ...p }, kind);
      this.stats.points++;
    }
  }

  /**
   * Starts the ordered write of the oldest held bucket once its grace is over and the sweep has closed its
   * quiet segments (everything of it is then held), or at once when held bytes pass PENDING_BYTES_MAX (a
   * partial write: the bucket's later segments are written after it, appended to the same rows).
   */
  private startFlushIfDue(now: number): void {
    const oldest = this.held.flushing ? null : this.held.oldest();
    if (!oldest) return;
    const isDue =
      now - (oldest.bucket + 1) * BUCKET_MS >= SWEEP_GRACE_MS + (this.isShadow ? SHADOW_KEEP_MS : 0) &&
      this.sweptBucket >= oldest.bucket &&
      ENTITY_KINDS.every((k) => this.sweepLeft[k] <= 0);
    if (isDue || this.held.bytes() > this.held.maxBytes) this.held.begin(oldest, isDue);
  }

  /** Held segments of buckets from..to (not yet in SQLite), for readers. */
  forEachHeld(
    from: number,
    to: number,
    cb: (key: number, data: Uint8Array, start: number, end: number) => void,
  ): void {
    this.held.forEach(from, to, cb);
  }

  /** Held segments of one key, for a track. */
  forKeyHeld(key: number, cb: (data: Uint8Array) => void): void {
    this.held.forKey(key, cb);
  }

  /**
   * Closes segments left open in past buckets by units that stopped reporting: one pass over all entities
   * once per bucket, SWEEP_GRACE_MS after it ended, spread SWEEP_PER_TICK entities a tick (units still
   * reporting close their own segments on their next point).
   */
  private sweep(current: number, now: number): void {
    if (this.sweptBucket < current - 1 && now - current * BUCKET_MS >= SWEEP_GRACE_MS) {
      this.sweptBucket = current - 1;
      for (const kind of ENTITY_KINDS) this.sweepLeft[kind] = this.counts[kind];
    }
    for (const kind of ENTITY_KINDS) {
      if (this.sweepLeft[kind] <= 0) continue;
      const runs = this.runs[kind];
      const n = Math.min(runs.capacity, this.counts[kind]);
      if (n === 0) continue;
      let c = this.sweepCursor[kind] % n;
      const steps = Math.min(SWEEP_PER_TICK, n, this.sweepLeft[kind]);
      this.sweepLeft[kind] -= steps;
      for (let k = 0; k < steps; k++, c = (c + 1) % n) {
        const b = runs.bucket[c]!;
        if (runs.count[c]! > 0 && b < current && now - (b + 1) * BUCKET_MS >= SWEEP_GRACE_MS)
          this.held.add(runs.close(c)!);
      }
      this.sweepCursor[kind] = c;
    }
  }

  /**
   * One transaction: new entity keys, keyframe rows, up to LATE_ROWS_PER_TICK late rows and up to `maxRows`
   * rows of the bucket being written in key order. Returns false when the transaction failed (everything is
   * kept for the next tick).
   */
  write(maxRows: number): boolean {
    this.keyframes.flushLate();
    const keyframeRows = this.keyframes.rows;
    const late = this.held.late;
    const lateRows = late.length <= LATE_ROWS_PER_TICK ? late : late.slice(0, LATE_ROWS_PER_TICK);
    if (
      !this.held.flushing &&
      lateRows.length === 0 &&
      this.pendingEntities.length === 0 &&
      keyframeRows.length === 0
    )
      return true;
    const { rows, next } = this.held.nextRows(maxRows);
    if (this.isShadow) {
      // The leader has written these (or, dead, never will): let them go. A partial write comes when held bytes
      // pass the bound, at about the same moment in the leader, which sees the same reports: for those few
      // seconds a read answered here may miss what the part held.
      this.keyframes.rows = [];
      this.held.advance(next, lateRows.length);
      return true;
    }
    try {
      this.sqlite.transaction(() => {
        for (const e of this.pendingEntities) this.insertEntity.run(e.key, e.kind, e.id);
        for (const s of rows) this.writeSegment(s);
        for (const s of lateRows) this.writeSegment(s);
        for (const k of keyframeRows) this.insertKeyframe.run(k.bucket, k.kind, k.chunk, k.entries, k.data);
      })();
    } catch (err) {
      // Kept for the next tick (bounded by PENDING_BYTES_HARD); a full disk must not stop the wall.
      this.stats.writeErrors++;
      this.logger.error({ err }, 'history: write failed');
      return false;
    }
    for (const s of rows) {
      this.stats.segmentsWritten++;
      this.stats.bytesWritten += s.data.length;
    }
    for (const s of lateRows) {
      this.stats.segmentsWritten++;
      this.stats.lateRows++;
      this.stats.bytesWritten += s.data.length;
    }
    this.stats.keyframeRows += keyframeRows.length;
    this.keyframes.rows = [];
    this.pendingEntities = [];
    this.held.advance(next, lateRows.length);
    return true;
  }

  private writeSegment(s: ClosedSegment): void {
    this.appendSegment.run(s.bucket, s.key, s.points, s.data);
  }

  /** Whole buckets older than HISTORY_RETENTION_DAYS go, a few per check: key-range deletes, never per point. */
  dropExpired(now: number): void {
    const cutoff = bucketOf(now - this.retentionDays * DAY_MS);
    try {
      const oldest = this.sqlite
        .prepare(
          'SELECT min(bucket) AS b FROM (SELECT min(bucket) AS bucket FROM history_segments UNION ALL SELECT min(bucket) FROM history_keyframes)',
        )
        .get() as { b: number | null };
      if (oldest.b === null || oldest.b >= cutoff) return;
      const upTo = Math.min(cutoff, oldest.b + RETENTION_BUCKETS_PER_CHECK);
      this.sqlite.transaction(() => {
        this.sqlite.prepare('DELETE FROM history_segments WHERE bucket < ?').run(upTo);
        this.sqlite.prepare('DELETE FROM history_keyframes WHERE bucket < ?').run(upTo);
      })();
      this.stats.bucketsDropped += upTo - oldest.b;
    } catch (err) {
      this.logger.error({ err }, 'history: retention failed');
    }
  }

  /** Closes every open segment and writes everything (shutdown, and tests that read SQLite directly). */
  flushAll(): void {
    for (const kind of ENTITY_KINDS) {
      const r = this.runs[kind];
      for (let i = 0; i < r.capacity; i++) if (r.count[i]! > 0) this.held.add(r.close(i)!);
    }
    this.keyframes.finish();
    // Oldest bucket first, each in key order; then what is late.
    for (let arena = this.held.flushing ?? this.held.oldest(); arena;) {
      this.held.flushArena(arena);
      if (!arena.isEmpty) return; // the disk failed: counted, kept
      arena = this.held.oldest();
    }
    let guard = this.held.late.length + 1;
    do if (!this.write(0)) return;
    while ((this.held.late.length > 0 || this.keyframes.rows.length > 0) && --guard > 0);
  }
}
