import { describe, expect, it } from 'vitest';
import { BUCKET_MS, OpenRuns, type ClosedSegment } from './open-runs';
import { decodeRuns, type SegmentPoint } from './segment-codec';

const T0 = 1_764_000_000_000 - (1_764_000_000_000 % BUCKET_MS);

describe('open runs', () => {
  it('keeps points per entity and closes a segment at a bucket change or a full slot', () => {
    const runs = new OpenRuns('vehicle');
    runs.ensure(3);
    runs.key[1] = 7;
    const closed: ClosedSegment[] = [];
    const sent: SegmentPoint[] = [];
    for (let k = 0; k < 60; k++) {
      const p = {
        ts: T0 + k * 15_000,
        lngE6: 120_000_000 + k * 900,
        latE6: 30_000_000 - k * 500,
        speed10: 300 + k,
        heading: k % 360,
        status: k > 30 ? 2 : 0,
      };
      sent.push(p);
      runs.append(1, p, (s) => closed.push(s));
    }
    const open = runs.close(1);
    expect(open).not.toBeNull();
    const all: SegmentPoint[] = [];
    for (const s of [...closed, open!]) decodeRuns(s.data, (p) => all.push(p));
    expect(all).toEqual(sent);
    expect(closed.every((s) => s.key === 7)).toBe(true);
    // 60 points at 15 s span 15 minutes: at least one bucket change.
    expect(new Set([...closed, open!].map((s) => s.bucket)).size).toBe(2);
  });

  it('starts a new run when a whole-second run meets a millisecond time', () => {
    const runs = new OpenRuns('worker');
    runs.ensure(1);
    const closed: ClosedSegment[] = [];
    const p = { lngE6: 1, latE6: 2, speed10: 0, heading: 0, status: 0 };
    runs.append(0, { ...p, ts: T0 + 1_000 }, (s) => closed.push(s));
    runs.append(0, { ...p, ts: T0 + 2_000 }, (s) => closed.push(s));
    runs.append(0, { ...p, ts: T0 + 2_345 }, (s) => closed.push(s));
    expect(closed).toHaveLength(1);
    const all: number[] = [];
    for (const s of [...closed, runs.close(0)!]) decodeRuns(s.data, (q) => all.push(q.ts));
    expect(all).toEqual([T0 + 1_000, T0 + 2_000, T0 + 2_345]);
  });

  it('fills a slot to its last byte: a point that may not fit is tried aside, and kept or starts the next run', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (const slot of [40, 64, 160]) {
      const runs = new OpenRuns('vehicle', slot);
      runs.ensure(1);
      const closed: ClosedSegment[] = [];
      const sent: SegmentPoint[] = [];
      let ts = T0;
      for (let k = 0; k < 2_000; k++) {
        ts += 1000 * (1 + Math.floor(rand() * 40));
        const p = {
          ts,
          lngE6: 120_000_000 + Math.floor(rand() * 2_000_000),
          latE6: 30_000_000 + Math.floor(rand() * (k % 7 === 0 ? 2_000_000 : 200)),
          speed10: Math.floor(rand() * 1200),
          heading: Math.floor(rand() * 360),
          status: rand() < 0.1 ? 2 : 0,
        };
        sent.push(p);
        runs.append(0, p, (s) => closed.push(s));
      }
      const all: SegmentPoint[] = [];
      for (const s of [...closed, runs.close(0)!]) decodeRuns(s.data, (q) => all.push(q));
      expect(all).toEqual(sent);
      // Most closes are full slots (2,000 points over ~11 h are ~70 buckets): the spill path ran.
      expect(closed.length).toBeGreaterThan(150);
    }
  });

  it('interleaved entities keep their own points while runs are taken from and given back to the pool', () => {
    let seed = 5;
    const rand = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const N = 300;
    const runs = new OpenRuns('camera');
    runs.ensure(N);
    for (let i = 0; i < N; i++) runs.key[i] = i + 1;
    const sent: SegmentPoint[][] = Array.from({ length: N }, () => []);
    const got: SegmentPoint[][] = Array.from({ length: N }, () => []);
    const take = (s: ClosedSegment) => decodeRuns(s.data, (q) => got[s.key - 1]!.push(q));
    const ts = new Float64Array(N).fill(T0);
    let mostOpen = 0;
    for (let k = 0; k < 20_000; k++) {
      // A few entities are busy, most report rarely: the open runs stay far fewer than the entities.
      const i = rand() < 0.8 ? Math.floor(rand() * 10) : 10 + Math.floor(rand() * (N - 10));
      ts[i] = ts[i]! + 1000 * (1 + Math.floor(rand() * 120));
      const p = {
        ts: ts[i]!,
        lngE6: 120_000_000 + Math.floor(rand() * 50_000),
        latE6: 30_000_000 + Math.floor(rand() * 50_000),
        speed10: 0,
        heading: 0,
        status: Math.floor(rand() * 3),
      };
      sent[i]!.push(p);
      runs.append(i, p, take);
      // Now and then a sweep closes quiet segments (as the writer's does at a bucket's end).
      if (k % 997 === 0) for (let j = 10; j < N; j++) if (runs.count[j]! > 0) take(runs.close(j)!);
      mostOpen = Math.max(mostOpen, runs.openRuns);
    }
    for (let i = 0; i < N; i++) if (runs.count[i]! > 0) take(runs.close(i)!);
    for (let i = 0; i < N; i++) expect(got[i], `entity ${i}`).toEqual(sent[i]);
    expect(runs.openRuns).toBe(0);
    expect(mostOpen).toBeLessThan(N);
  });

  it('holds a run only for entities with an open segment: a quiet province’s cameras cost their columns alone', () => {
    const runs = new OpenRuns('camera');
    runs.ensure(100_000);
    const quiet = runs.bytes;
    runs.append(5, { ts: T0, lngE6: 1, latE6: 2, speed10: 0, heading: 0, status: 1 }, () => {});
    expect(runs.openRuns).toBe(1);
    // Per camera: its key, bucket, count, last point and run index (37 bytes), no slot and no run state.
    expect(quiet / 100_000).toBeLessThan(40);
    expect(runs.bytes - quiet).toBeLessThan(1024 * (runs.slotBytes + 64));
  });
});
