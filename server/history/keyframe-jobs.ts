import type Database from 'better-sqlite3';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import { encodeKeyframe, encodeKeyframeEntries } from './keyframe-codec';
import type { OpenRuns } from './open-runs';
import type { SegmentPoint } from './segment-codec';

/** Entities per keyframe row; one row is encoded per tick, so a province keyframe spreads over ~40 ticks. */
export const KEYFRAME_CHUNK = 25_000;
/**
 * Keyframe rows from this chunk number on are patches: points recorded after their bucket's keyframe was
 * taken but timed before it (a report in flight at the boundary, a terminal's buffered upload, the first
 * reports after a start). Without them a frame, which reads one keyframe and the buckets after it, would miss
 * those points.
 */
export const KEYFRAME_PATCH_CHUNK = 1_000_000;
/** Late points held for one patch row at most; more make another row. */
const PATCH_MAX_ENTRIES = 50_000;

interface KeyframeJob {
  bucket: number;
  kind: EntityKind;
  cols: Pick<OpenRuns, 'key' | 'lastTs' | 'lastLng' | 'lastLat' | 'lastSpeed' | 'lastHeading' | 'lastStatus'>;
  count: number;
  chunk: number;
}

export interface KeyframeRow {
  bucket: number;
  kind: EntityKind;
  chunk: number;
  entries: number;
  data: Uint8Array;
}

/**
 * Each bucket's keyframe (every entity's last stored state at the bucket's start), encoded a chunk a tick,
 * and its patches for points that arrive late. The writer writes `rows` in its next transaction.
 */
export class KeyframeJobs {
  rows: KeyframeRow[] = [];
  private jobs: KeyframeJob[] = [];
  private latePatch: { key: number; p: SegmentPoint; kind: EntityKind }[] = [];
  /** Next patch chunk number of the current keyframe bucket (−1: ask the database). */
  private patchChunk = -1;

  constructor(
    private readonly sqlite: Database.Database,
    /** The bucket whose keyframe was taken last. */
    public bucket: number,
  ) {}

  start(bucket: number, runs: Record<EntityKind, OpenRuns>, liveCount: (kind: EntityKind) => number): void {
    this.flushLate();
    this.bucket = bucket;
    this.patchChunk = -1;
    this.jobs = [];
    for (const kind of ENTITY_KINDS) {
      const r = runs[kind];
      const count = Math.min(r.capacity, liveCount(kind));
      // A copy (≈ 33 bytes an entity), so chunks encoded over the next ticks all show the bucket's start.
      this.jobs.push({
        bucket,
        kind,
        count,
        chunk: 0,
        cols: {
          key: r.key.slice(0, count),
          lastTs: r.lastTs.slice(0, count),
          lastLng: r.lastLng.slice(0, count),
          lastLat: r.lastLat.slice(0, count),
          lastSpeed: r.lastSpeed.slice(0, count),
          lastHeading: r.lastHeading.slice(0, count),
          lastStatus: r.lastStatus.slice(0, count),
        },
      });
    }
  }

  encodeChunk(): void {
    const job = this.jobs[0];
    if (!job) return;
    const from = job.chunk * KEYFRAME_CHUNK;
    const { entries, data } = encodeKeyframe(job.cols, from, Math.min(job.count, from + KEYFRAME_CHUNK));
    // Chunk 0 is written even when empty, so "this bucket has a keyframe" is always answerable.
    if (entries > 0 || job.chunk === 0)
      this.rows.push({ bucket: job.bucket, kind: job.kind, chunk: job.chunk, entries, data });
    job.chunk++;
    if (job.chunk * KEYFRAME_CHUNK >= job.count) this.jobs.shift();
  }

  /** Encodes what is left of the keyframe under way (shutdown). */
  finish(): void {
    while (this.jobs.length > 0) this.encodeChunk();
  }

  addLate(key: number, p: SegmentPoint, kind: EntityKind): void {
    this.latePatch.push({ key, p, kind });
  }

  flushLate(): void {
    if (this.latePatch.length === 0) return;
    if (this.patchChunk < 0) {
      const r = this.sqlite
        .prepare('SELECT max(chunk) AS c FROM history_keyframes WHERE bucket = ? AND chunk >= ?')
        .get(this.bucket, KEYFRAME_PATCH_CHUNK) as { c: number | null };
      this.patchChunk = r.c === null ? KEYFRAME_PATCH_CHUNK : r.c + 1;
    }
    for (const kind of ENTITY_KINDS) {
      const list = this.latePatch.filter((e) => e.kind === kind);
      for (let k = 0; k < list.length; k += PATCH_MAX_ENTRIES) {
        const part = list.slice(k, k + PATCH_MAX_ENTRIES);
        this.rows.push({
          bucket: this.bucket,
          kind,
          chunk: this.patchChunk++,
          entries: part.length,
          data: encodeKeyframeEntries(part),
        });
      }
    }
    this.latePatch = [];
  }
}
