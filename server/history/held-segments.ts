import type { Logger } from '../logger';
import { blockBytesMax, blockEntity, BLOCK_KEYS, encodeBlock, MAX_PARTS } from './block-row';
import { BucketArena } from './bucket-arena';
import type { ClosedSegment } from './open-runs';

/**
 * Bytes of closed segments held for ordered writing. Past this bound the oldest held arena is written at once,
 * in key order and at four times the rate, even if its bucket is still filling (a partial write,
 * `earlyFlushes`): the bucket's later segments collect in a fresh arena, written in turn as the bucket's next
 * part, rows of its own (block-row.ts blockEntity). So memory stays near this bound however fast units report:
 * at 1 M units every 10 s a bucket is ~350 MB, which held whole (the first version) put the server past its
 * 1 GB. A province bucket at 30 s is ~110 MB, and ~100 MB are held at the peak (its write takes a minute or
 * two after its grace while the next bucket fills): it is written in two or three parts.
 * Past PENDING_BYTES_HARD (the disk has failed for minutes) newly closed segments are dropped and counted
 * (`droppedPoints`): what is held stays, in order, for when the disk comes back, and the live pipeline never
 * waits on history.
 */
export const PENDING_BYTES_MAX = 48 * 2 ** 20;
export const PENDING_BYTES_HARD = 384 * 2 ** 20;
/**
 * Arenas held at once: the bucket filling, the one before it (in its grace, or being written), and one more
 * for either while a partial write of it runs. A segment that would need another (a bucket far behind or
 * ahead of the rest) first has the oldest held bucket written whole (`forcedFlushes`).
 */
export const MAX_ARENAS = 4;
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
 * Closed segments not yet in SQLite: each bucket's in an arena until its ordered write (a bucket may have two:
 * one being written early, one filling), and late ones (of buckets whose last write has started) in a list.
 * Readers see all of them.
 */
export class HeldSegments {
  /** Arenas in use, oldest first (by bucket, then by when they were taken). */
  private readonly inUse: BucketArena[] = [];
  /**
   * An empty arena kept for reuse: its key and entry indexes (~20 bytes a segment, tens of MB at province
   * scale) would otherwise be grown again from nothing for each partial write. One, so that they are not held
   * several times over.
   */
  private spare: BucketArena | null = null;
  /** The arena filling for each bucket (never the one being written). */
  private readonly filling = new Map<number, BucketArena>();
  /** The part the next ordered write of each bucket makes (absent: 0). */
  private readonly nextPart = new Map<number, number>();
  /** The arena being written in key order, and the next key to write. */
  flushing: BucketArena | null = null;
  flushKey = 1;
  /** Highest bucket whose last ordered write has started: later segments of it are late. */
  private flushedThrough = -1;
  late: ClosedSegment[] = [];
  latePoints = 0;
  /**
   * The rows of one nextRows call are encoded here, one after another (views of it, valid until the next
   * call): a partial write's ~2,000 block rows of ~50 KB each would otherwise be as many allocations.
   */
  private rowBytes = new Uint8Array(0);
  /** Held bytes past which the oldest arena is written early (PENDING_BYTES_MAX; tests lower it). */
  maxBytes = PENDING_BYTES_MAX;

  constructor(
    private readonly stats: HeldStats,
    private readonly logger: Logger,
    /** One write transaction of the writer (false: it failed). */
    private readonly writeNow: () => boolean,
  ) {}

  add(s: ClosedSegment): void {
    if (s.bucket <= this.flushedThrough) return this.addLate(s);
    if (this.bytes() + s.data.length > PENDING_BYTES_HARD) return this.drop(s.points);
    let arena = this.filling.get(s.bucket);
    if (!arena) {
      if (this.inUse.length >= MAX_ARENAS) {
        // The oldest bucket is written whole now (the disk is far behind, or a unit reports from far off).
        const oldest = this.inUse[0]!;
        if (s.bucket < oldest.bucket) return this.addLate(s);
        this.stats.forcedFlushes++;
        this.flushBucket(oldest.bucket);
        if (this.inUse.length >= MAX_ARENAS) return this.drop(s.points);
        if (s.bucket <= this.flushedThrough) return this.addLate(s);
      }
      arena = this.take(s.bucket);
    }
    arena.add(s.key, s.points, s.data);
    const held = this.bytes();
    if (held > this.stats.peakHeldBytes) this.stats.peakHeldBytes = held;
  }

  private take(bucket: number): BucketArena {
    const arena = this.spare ?? new BucketArena();
    this.spare = null;
    arena.reset(bucket);
    let at = this.inUse.length;
    while (at > 0 && this.inUse[at - 1]!.bucket > bucket) at--;
    this.inUse.splice(at, 0, arena);
    this.filling.set(bucket, arena);
    return arena;
  }

  private release(arena: BucketArena): void {
    if (this.filling.get(arena.bucket) === arena) this.filling.delete(arena.bucket);
    const at = this.inUse.indexOf(arena);
    if (at >= 0) this.inUse.splice(at, 1);
    if (this.flushing === arena) {
      this.flushing = null;
      this.flushKey = 1;
    }
    arena.reset(-1);
    this.spare ??= arena;
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
    let n = 0;
    for (const a of this.inUse) n += a.bytes;
    return n;
  }

  /** The oldest held arena with anything in it, or null. */
  oldest(): BucketArena | null {
    for (const a of this.inUse) if (!a.isEmpty) return a;
    return null;
  }

  /**
   * Starts the ordered write of `arena` (from key 1). `isLast`: its bucket's grace is over, so later segments
   * of it are late; otherwise (a partial write, held bytes over the bound) they collect in a fresh arena.
   */
  begin(arena: BucketArena, isLast = true): void {
    if (!isLast) this.stats.earlyFlushes++;
    this.flushing = arena;
    this.flushKey = 1;
    if (this.filling.get(arena.bucket) === arena) this.filling.delete(arena.bucket);
    // Each part's rows are new rows; past MAX_PARTS (a disk that fell far behind) they append to the last's.
    const part = this.nextPart.get(arena.bucket) ?? 0;
    arena.part = Math.min(part, MAX_PARTS - 1);
    if (isLast) this.nextPart.delete(arena.bucket);
    else this.nextPart.set(arena.bucket, part + 1);
    if (isLast && arena.bucket > this.flushedThrough) this.flushedThrough = arena.bucket;
  }

  /** Writes every held arena of `bucket` (and any older) now, in key order; later segments of it are late. */
  private flushBucket(bucket: number): void {
    // flushArena first finishes a write under way, which may be of a newer bucket (a partial write).
    for (let a = this.oldest(); a && a.bucket <= bucket; a = this.oldest()) {
      const before = this.inUse.length;
      this.flushArena(a);
      if (this.inUse.length >= before) return; // the disk failed: counted, kept
    }
    if (bucket > this.flushedThrough) this.flushedThrough = bucket;
  }

  /** Writes all of an arena's rows in key order now (a half-written other arena is finished first). */
  flushArena(arena: BucketArena): void {
    const other = this.flushing;
    if (other && other !== arena) while (this.flushing === other) if (!this.writeNow()) return;
    if (this.flushing !== arena) this.begin(arena);
    while (this.flushing === arena) if (!this.writeNow()) return;
  }

  /**
   * The next rows of the ordered write (up to maxRows), and the key after them; commit with `advance`. The
   * rows' bytes are valid until the next call.
   */
  nextRows(maxRows: number): { rows: ClosedSegment[]; next: number } {
    const arena = this.flushing;
    const rows: ClosedSegment[] = [];
    let key = this.flushKey;
    if (!arena) return { rows, next: key };
    const rate = this.bytes() > this.maxBytes ? 4 : 1;
    const last = Math.min(arena.maxKey, key + WRITE_KEYS_PER_TICK * rate - 1);
    // maxRows counts entities; they go BLOCK_KEYS to a row (block-row.ts), a whole block at a time.
    const limit = maxRows * rate;
    let entities = 0;
    let used = 0;
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
      const need = blockBytesMax(parts);
      // Rows already made keep the buffer they were made in; the next ones go to a bigger one.
      if (used + need > this.rowBytes.length) {
        this.rowBytes = new Uint8Array(Math.max(need, 2 * this.rowBytes.length, 2 ** 20));
        used = 0;
      }
      const data = encodeBlock(parts, this.rowBytes, used);
      used += data.length;
      rows.push({ bucket: arena.bucket, key: blockEntity(parts[0]!.key, arena.part), points, data });
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
    if (next > arena.maxKey) this.release(arena);
  }

  /**
   * Lets go of held buckets for which `isWritten` says another writer has stored rows, and of late segments
   * (of buckets written by then); keeps the rest for this writer's ordered write.
   */
  keepUnwritten(isWritten: (bucket: number) => boolean): void {
    for (const arena of [...this.inUse]) if (isWritten(arena.bucket)) this.release(arena);
    for (const bucket of [...this.nextPart.keys()]) if (isWritten(bucket)) this.nextPart.delete(bucket);
    this.late = [];
    this.latePoints = 0;
  }

  /** Held segments of buckets from..to (not yet in SQLite), for readers. */
  forEach(
    from: number,
    to: number,
    cb: (key: number, data: Uint8Array, start: number, end: number) => void,
  ): void {
    for (const arena of this.inUse)
      if (!arena.isEmpty && arena.bucket >= from && arena.bucket <= to)
        arena.forEach(this.flushing === arena ? this.flushKey : 0, cb);
    for (const s of this.late) if (s.bucket >= from && s.bucket <= to) cb(s.key, s.data, 0, s.data.length);
  }

  /** Held segments of one key, for a track. */
  forKey(key: number, cb: (data: Uint8Array) => void): void {
    for (const arena of this.inUse) if (!arena.isEmpty) arena.forKey(key, cb);
    for (const s of this.late) if (s.key === key) cb(s.data);
  }
}
