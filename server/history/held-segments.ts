import type { Logger } from '../logger';
import { blockEntity, BLOCK_KEYS, encodeBlock } from './block-row';
import { BucketArena } from './bucket-arena';
import type { ClosedSegment } from './open-runs';

/**
 * Bytes of closed segments held for ordered writing (bucket-arena.ts): a province bucket (1 M units at 30 s)
 * is ~110 MB, so two buckets fit. Past it the oldest bucket's ordered write starts at once at four times the
 * rate (`earlyFlushes`); past PENDING_BYTES_HARD (the disk has failed for minutes) newly closed segments are
 * dropped and counted (`droppedPoints`): what is held stays, in order, for when the disk comes back, and
 * the live pipeline never waits on history.
 */
export const PENDING_BYTES_MAX = 256 * 2 ** 20;
export const PENDING_BYTES_HARD = 384 * 2 ** 20;
/** Keys an ordered write looks at per tick (most have a row; this bounds a walk through sparse keys). */
const WRITE_KEYS_PER_TICK = 20_000;
/**
 * Segments of an already written bucket (late reports, buffered uploads) are written as they come, at most
 * this many rows a tick; past LATE_POINTS_MAX held, newer ones are dropped and counted.
 */
export const LATE_ROWS_PER_TICK = 400;
const LATE_POINTS_MAX = 2_000_000;

export interface HeldStats {
  droppedPoints: number;
  earlyFlushes: number;
  forcedFlushes: number;
  peakHeldBytes: number;
}

/**
 * Closed segments not yet in SQLite: each bucket's in an arena (by bucket parity) until its ordered write,
 * and late ones (of buckets already written) in a list. Readers see all of them.
 */
export class HeldSegments {
  private readonly arenas: [BucketArena, BucketArena] = [new BucketArena(), new BucketArena()];
  /** The arena being written in key order, and the next key to write. */
  flushing: BucketArena | null = null;
  flushKey = 1;
  /** Highest bucket whose ordered write has started: later segments of it are late. */
  private flushedThrough = -1;
  late: ClosedSegment[] = [];
  latePoints = 0;

  constructor(
    private readonly stats: HeldStats,
    private readonly logger: Logger,
    /** One write transaction of the writer (false: it failed). */
    private readonly writeNow: () => boolean,
  ) {}

  add(s: ClosedSegment): void {
    if (s.bucket <= this.flushedThrough) return this.addLate(s);
    const arena = this.arenas[s.bucket & 1]!;
    if (arena.bucket !== s.bucket) {
      // Same parity, other bucket: an older one still held (the disk is far behind) is written now, in order;
      // a newer one means this segment is older than everything held there: late.
      if (arena.bucket > s.bucket && !arena.isEmpty) return this.addLate(s);
      if (!arena.isEmpty) {
        this.stats.forcedFlushes++;
        this.flushArena(arena);
        if (!arena.isEmpty) return this.drop(s.points);
      }
      arena.reset(s.bucket);
    }
    if (this.bytes() + s.data.length > PENDING_BYTES_HARD) return this.drop(s.points);
    arena.add(s.key, s.points, s.data);
    const held = this.bytes();
    if (held > this.stats.peakHeldBytes) this.stats.peakHeldBytes = held;
  }

  private addLate(s: ClosedSegment): void {
    if (this.latePoints + s.points > LATE_POINTS_MAX) return this.drop(s.points);
    this.late.push(s);
    this.latePoints += s.points;
  }

  private drop(points: number): void {
    if (this.stats.droppedPoints === 0)
      this.logger.warn(
        { bound: PENDING_BYTES_HARD },
        'history: write backlog over its bound, newly closed segments dropped (counted)',
      );
    this.stats.droppedPoints += points;
  }

  bytes(): number {
    return this.arenas[0].bytes + this.arenas[1].bytes;
  }

  /** The oldest held bucket's arena, or null. */
  oldest(): BucketArena | null {
    const [a, b] = this.arenas;
    return a.isEmpty ? (b.isEmpty ? null : b) : b.isEmpty || a.bucket < b.bucket ? a : b;
  }

  /** Starts the ordered write of `arena` (from key 1). */
  begin(arena: BucketArena, isEarly = false): void {
    if (isEarly) this.stats.earlyFlushes++;
    this.flushing = arena;
    this.flushKey = 1;
    if (arena.bucket > this.flushedThrough) this.flushedThrough = arena.bucket;
  }

  /** Writes all of an arena's rows in key order now (a half-written other bucket is finished first). */
  flushArena(arena: BucketArena): void {
    const other = this.flushing;
    if (other && other !== arena) while (this.flushing === other) if (!this.writeNow()) return;
    if (this.flushing !== arena) this.begin(arena);
    while (this.flushing === arena) if (!this.writeNow()) return;
  }

  /** The next rows of the ordered write (up to maxRows), and the key after them; commit with `advance`. */
  nextRows(maxRows: number): { rows: ClosedSegment[]; next: number } {
    const arena = this.flushing;
    const rows: ClosedSegment[] = [];
    let key = this.flushKey;
    if (!arena) return { rows, next: key };
    const rate = this.bytes() > PENDING_BYTES_MAX ? 4 : 1;
    const last = Math.min(arena.maxKey, key + WRITE_KEYS_PER_TICK * rate - 1);
    // maxRows counts entities; they go BLOCK_KEYS to a row (block-row.ts), a whole block at a time.
    const limit = maxRows * rate;
    let entities = 0;
    while (key <= last && entities < limit) {
      const blockEnd = (Math.floor(key / BLOCK_KEYS) + 1) * BLOCK_KEYS;
      const parts: { key: number; data: Uint8Array }[] = [];
      let points = 0;
      for (; key < blockEnd; key++) {
        const j = arena.joined(key);
        if (!j) continue;
        parts.push({ key, data: j.data });
        points += j.points;
      }
      if (parts.length === 0) continue;
      entities += parts.length;
      rows.push({ bucket: arena.bucket, key: blockEntity(parts[0]!.key), points, data: encodeBlock(parts) });
    }
    return { rows, next: key };
  }

  /** After a committed write: the ordered write moves on to `next`, and `lateWritten` late rows are gone. */
  advance(next: number, lateWritten: number): void {
    for (let k = 0; k < lateWritten; k++) this.latePoints -= this.late[k]!.points;
    this.late = lateWritten >= this.late.length ? [] : this.late.slice(lateWritten);
    const arena = this.flushing;
    if (!arena) return;
    this.flushKey = next;
    if (next > arena.maxKey) {
      arena.reset(-1);
      this.flushing = null;
      this.flushKey = 1;
    }
  }

  /**
   * Lets go of held buckets for which `isWritten` says another writer has stored rows, and of late segments
   * (of buckets written by then); keeps the rest for this writer's ordered write.
   */
  keepUnwritten(isWritten: (bucket: number) => boolean): void {
    for (const arena of this.arenas)
      if (!arena.isEmpty && isWritten(arena.bucket)) {
        if (this.flushing === arena) {
          this.flushing = null;
          this.flushKey = 1;
        }
        arena.reset(-1);
      }
    this.late = [];
    this.latePoints = 0;
  }

  /** Held segments of buckets from..to (not yet in SQLite), for readers. */
  forEach(
    from: number,
    to: number,
    cb: (key: number, data: Uint8Array, start: number, end: number) => void,
  ): void {
    for (const arena of this.arenas)
      if (!arena.isEmpty && arena.bucket >= from && arena.bucket <= to)
        arena.forEach(this.flushing === arena ? this.flushKey : 0, cb);
    for (const s of this.late) if (s.bucket >= from && s.bucket <= to) cb(s.key, s.data, 0, s.data.length);
  }

  /** Held segments of one key, for a track. */
  forKey(key: number, cb: (data: Uint8Array) => void): void {
    for (const arena of this.arenas) if (!arena.isEmpty) arena.forKey(key, cb);
    for (const s of this.late) if (s.key === key) cb(s.data);
  }
}
