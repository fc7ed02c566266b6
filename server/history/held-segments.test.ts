import { describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import { forEachRangeInBlock } from './block-row';
import { HeldSegments, MAX_ARENAS } from './held-segments';

/** Held segments whose writes land in a list of (bucket, key) pairs, one per entity of each block row. */
function held() {
  const stats = { droppedPoints: 0, earlyFlushes: 0, forcedFlushes: 0, peakHeldBytes: 0 };
  const written: string[] = [];
  const h: HeldSegments = new HeldSegments(stats, createLogger('error'), () => {
    const { rows, next } = h.nextRows(Number.MAX_SAFE_INTEGER);
    for (const r of rows) forEachRangeInBlock(r.data, (key) => written.push(`${r.bucket}:${key}`));
    h.advance(next, h.late.length);
    return true;
  });
  const add = (bucket: number, key: number) =>
    h.add({ bucket, key, points: 1, data: new Uint8Array([bucket & 0x7f, key & 0x7f]) });
  const heldKeys = (bucket: number) => {
    const keys: number[] = [];
    h.forEach(bucket, bucket, (key) => keys.push(key));
    return keys.sort((a, b) => a - b);
  };
  return { h, stats, written, add, heldKeys };
}

describe('held segments', () => {
  it('a partial write leaves the bucket open: its later segments collect apart and are written by the next write', () => {
    const { h, stats, written, add, heldKeys } = held();
    for (const k of [5, 2, 9]) add(10, k);
    h.begin(h.oldest()!, false);
    expect(stats.earlyFlushes).toBe(1);
    // Arriving while the partial write runs: held beside it, not late, and readers see both.
    add(10, 3);
    add(10, 5);
    expect(h.late).toHaveLength(0);
    expect(heldKeys(10)).toEqual([2, 3, 5, 5, 9]);
    h.flushArena(h.flushing!);
    expect(written).toEqual(['10:2', '10:5', '10:9']);
    expect(heldKeys(10)).toEqual([3, 5]);
    // The bucket's last write (its grace over): what comes after it is late.
    h.flushArena(h.oldest()!);
    expect(written.slice(3)).toEqual(['10:3', '10:5']);
    add(10, 7);
    expect(h.late.map((s) => s.key)).toEqual([7]);
    expect(h.bytes()).toBe(0);
  });

  it('a bucket far from the rest has the oldest held bucket written whole first, never dropped', () => {
    const { h, stats, written, add } = held();
    for (let b = 0; b < MAX_ARENAS; b++) add(100 + b, 1);
    add(100, 2);
    expect(stats.forcedFlushes).toBe(0);
    add(200, 1);
    expect(stats.forcedFlushes).toBe(1);
    expect(written).toEqual(['100:1', '100:2']);
    // Bucket 100 is written: a segment of it now is late, one older than everything held is late too.
    add(100, 3);
    add(50, 1);
    expect(h.late.map((s) => `${s.bucket}:${s.key}`)).toEqual(['100:3', '50:1']);
    expect(stats.droppedPoints).toBe(0);
  });

  it('a forced write of an older bucket first finishes a partial write of a newer one under way', () => {
    const { h, stats, written, add } = held();
    add(101, 1);
    h.begin(h.oldest()!, false);
    // A report of an earlier bucket (buffered on a device) while bucket 101 is being written in part.
    add(100, 1);
    add(101, 2);
    add(102, 1);
    add(103, 1);
    expect(stats.forcedFlushes).toBe(1);
    expect(stats.droppedPoints).toBe(0);
    expect(written).toEqual(['101:1', '100:1']);
    add(100, 2);
    expect(h.late.map((s) => `${s.bucket}:${s.key}`)).toEqual(['100:2']);
  });
});
