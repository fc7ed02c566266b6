import { describe, expect, it } from 'vitest';
import { newRunColumns, packRun, repack } from './packed-run';
import {
  decodeRuns,
  encodePoint,
  latestAtOrBefore,
  newRunState,
  runHeader,
  SegmentDecodeError,
  type SegmentPoint,
} from './segment-codec';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const varintRun = (pts: SegmentPoint[], unit: number) => {
  const body = new Uint8Array(pts.length * 40);
  const s = newRunState();
  let pos = 0;
  for (const p of pts) pos = encodePoint(body, pos, s, p, unit);
  const h = runHeader(pts.length, unit);
  const out = new Uint8Array(h.length + pos);
  out.set(h);
  out.set(body.subarray(0, pos), h.length);
  return out;
};

function randomRun(r: () => number, n: number, wholeSeconds: boolean, wild: boolean): SegmentPoint[] {
  const pts: SegmentPoint[] = [];
  let ts = 1_795_000_000_000 + Math.floor(r() * 1e6) * 1000 + (wholeSeconds ? 0 : 7);
  let lng = Math.round((73 + r() * 62) * 1e6);
  let lat = Math.round((18 + r() * 35) * 1e6);
  for (let k = 0; k < n; k++) {
    pts.push({
      ts,
      lngE6: lng,
      latE6: lat,
      speed10: wild ? Math.floor(r() * 65_536) : Math.floor(r() * 800),
      heading: Math.floor(r() * 360),
      status: r() < 0.2 ? Math.floor(r() * 256) : (pts[k - 1]?.status ?? 3),
    });
    // Out-of-order times happen (a buffered upload joins an open run); wild steps cross the country.
    ts += (wholeSeconds ? 1000 : 1) * Math.floor((r() - 0.1) * (wholeSeconds ? 60 : 60_000));
    lng += Math.round((r() - 0.5) * (wild ? 2e8 : 1e4));
    lat += Math.round((r() - 0.5) * (wild ? 1e8 : 1e4));
  }
  return pts;
}

describe('packed run', () => {
  it('gives back every point of a run exactly, whatever its steps', () => {
    const r = rng(5);
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + Math.floor(r() * 40);
      const whole = r() < 0.5;
      const pts = randomRun(r, n, whole, trial % 3 === 0);
      const packed = repack(varintRun(pts, whole ? 1000 : 1));
      expect(packed[0]).toBe(0);
      const back: SegmentPoint[] = [];
      expect(decodeRuns(packed, (p) => back.push(p))).toBe(n);
      expect(back).toEqual(pts);
    }
  });

  it('finds the latest point at or before an instant as the varint form does, also beside other runs', () => {
    const r = rng(9);
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    for (let trial = 0; trial < 300; trial++) {
      const runs = [
        randomRun(r, 1 + Math.floor(r() * 25), true, false),
        randomRun(r, 1 + Math.floor(r() * 25), false, false),
      ];
      const varint = runs.map((p) => varintRun(p, p[0]!.ts % 1000 === 0 ? 1000 : 1));
      const packedBlob = Uint8Array.from([...repack(varint[0]!), ...varint[1]!]);
      const plainBlob = Uint8Array.from([...varint[0]!, ...varint[1]!]);
      const all = runs.flat();
      const at = all[Math.floor(r() * all.length)]!.ts + Math.floor((r() - 0.5) * 5000);
      const fa = latestAtOrBefore(packedBlob, at, a);
      const fb = latestAtOrBefore(plainBlob, at, b);
      expect(fa).toBe(fb);
      if (fa) expect([...a]).toEqual([...b]);
      // Read in place inside a larger blob (a block row's entry), bytes on either side that are not its own.
      const inBlock = Uint8Array.from([7, 0x80, ...packedBlob, 0, 0x81]);
      const c = new Float64Array(6);
      expect(latestAtOrBefore(inBlock, at, c, 2, 2 + packedBlob.length)).toBe(fa);
      if (fa) expect([...c]).toEqual([...a]);
    }
  });

  it('is smaller than the varint form for a steady 30 s report', () => {
    const pts: SegmentPoint[] = [];
    for (let k = 0; k < 20; k++)
      pts.push({
        ts: 1_795_000_020_000 + k * 30_000 + (k % 3) * 1000,
        lngE6: 120_100_000 + k * 4_000 + (k % 2) * 300,
        latE6: 30_200_000 + k * 3_000,
        speed10: 400 + (k % 5) * 10,
        heading: 45 + (k % 4),
        status: 0,
      });
    const v = varintRun(pts, 1000);
    const p = repack(v);
    expect(p.length).toBeLessThan(v.length * 0.8);
  });

  it('rejects a truncated packed run instead of returning garbage', () => {
    const c = newRunColumns(4);
    c.n = 4;
    c.unit = 1000;
    c.t.set([100, 130, 161, 190]);
    c.lng.set([120_000_000, 120_004_000, 120_008_100, 120_012_000]);
    c.lat.set([30_000_000, 30_000_500, 30_001_000, 30_001_600]);
    const p = packRun(c);
    for (let cut = 1; cut < p.length; cut++)
      expect(() => decodeRuns(p.subarray(0, cut), () => {})).toThrow(SegmentDecodeError);
  });
});
