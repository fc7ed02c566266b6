import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeRuns,
  encodePoint,
  latestAtOrBefore,
  MAX_POINT_BYTES,
  newRunState,
  runHeader,
  type SegmentPoint,
} from './segment-codec';

function encodeRun(points: SegmentPoint[], unitMs = 1): Uint8Array {
  const body = new Uint8Array(MAX_POINT_BYTES * points.length);
  const s = newRunState();
  let pos = 0;
  for (const p of points) pos = encodePoint(body, pos, s, p, unitMs);
  const h = runHeader(points.length, unitMs);
  const out = new Uint8Array(h.length + pos);
  out.set(h);
  out.set(body.subarray(0, pos), h.length);
  return out;
}

const point = fc.record({
  ts: fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 }),
  lngE6: fc.integer({ min: -180_000_000, max: 180_000_000 }),
  latE6: fc.integer({ min: -90_000_000, max: 90_000_000 }),
  speed10: fc.integer({ min: 0, max: 65_535 }),
  heading: fc.integer({ min: 0, max: 359 }),
  status: fc.integer({ min: 0, max: 4 }),
});

describe('segment codec', () => {
  it('round-trips any points, and concatenated runs decode as one blob', () => {
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 1, maxLength: 40 }),
        fc.array(point, { maxLength: 10 }),
        (a, b) => {
          const x = encodeRun(a);
          const y = b.length ? encodeRun(b) : new Uint8Array(0);
          const both = new Uint8Array(x.length + y.length);
          both.set(x);
          both.set(y, x.length);
          const out: SegmentPoint[] = [];
          decodeRuns(both, (p) => out.push(p));
          expect(out).toEqual([...a, ...b]);
        },
      ),
    );
  });

  it('round-trips whole-second runs, and finds the latest point at or before an instant', () => {
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1_500_000_000, max: 2_500_000_000 }),
        (pts, atS) => {
          const secs = pts.map((p) => ({ ...p, ts: Math.round(p.ts / 1000) * 1000 }));
          const blob = encodeRun(secs, 1000);
          const out: SegmentPoint[] = [];
          decodeRuns(blob, (p) => out.push(p));
          expect(out).toEqual(secs);
          const at = atS * 1000;
          const latest = new Float64Array(6);
          const before = secs.filter((p) => p.ts <= at);
          const found = latestAtOrBefore(blob, at, latest);
          expect(found).toBe(before.length > 0);
          if (found) expect(latest[0]).toBe(Math.max(...before.map((p) => p.ts)));
        },
      ),
    );
  });

  it('costs a few bytes a point for a steady 30 s reporter', () => {
    const pts = Array.from({ length: 20 }, (_, k) => ({
      ts: 1_764_000_000_000 + k * 30_000,
      lngE6: 120_170_000 + k * 2_500,
      latE6: 30_250_000 + k * 1_200,
      speed10: 400,
      heading: 64,
      status: 0,
    }));
    expect(encodeRun(pts).length / pts.length).toBeLessThan(7);
  });

  it('refuses a truncated blob instead of inventing points', () => {
    const x = encodeRun([{ ts: 1_764_000_000_000, lngE6: 1, latE6: 2, speed10: 3, heading: 4, status: 1 }]);
    expect(() => decodeRuns(x.subarray(0, x.length - 2), () => {})).toThrow();
  });
});
