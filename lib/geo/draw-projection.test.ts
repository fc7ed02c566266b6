import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { drawProjection } from './draw-projection';

/** Metres between two nearby positions (equirectangular: exact enough at these distances). */
function metres(a: [number, number], b: [number, number]): number {
  const k = 111_320;
  const dx = (a[0] - b[0]) * k * Math.cos((a[1] * Math.PI) / 180);
  const dy = (a[1] - b[1]) * k;
  return Math.hypot(dx, dy);
}

describe('drawProjection', () => {
  it('is the identity for a WGS-84 basemap, and copies when asked to', () => {
    const p = drawProjection('wgs84');
    expect(p.isIdentity).toBe(true);
    expect(p.point(104.06, 30.67)).toEqual([104.06, 30.67]);
    const src = Float64Array.from([1, 2, 3, 4]);
    const dst = new Float64Array(4);
    p.convert(src, dst, [1], 2);
    expect([...dst]).toEqual([0, 0, 3, 4]);
  });

  it('matches gcoord within half a metre across the territory of a province', () => {
    const p = drawProjection('gcj02');
    let worst = 0;
    // A deterministic spread over Sichuan and the east coast, cell edges included.
    for (let i = 0; i < 2_000; i++) {
      const lng = 102 + ((i * 7919) % 1000) / 100;
      const lat = 26 + ((i * 104_729) % 1000) / 100;
      const exact = gcoord.transform([lng, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];
      worst = Math.max(worst, metres(p.point(lng, lat), exact));
    }
    expect(worst).toBeLessThan(0.5);
  });

  it('moves a Chengdu position by the GCJ offset (hundreds of metres) and back', () => {
    const p = drawProjection('gcj02');
    const wgs: [number, number] = [104.0665, 30.5723];
    const drawn = p.point(...wgs);
    const d = metres(drawn, wgs);
    expect(d).toBeGreaterThan(200);
    expect(d).toBeLessThan(800);
    expect(metres(p.unproject(...drawn), wgs)).toBeLessThan(0.5);
  });

  it('converts only the indexes a batch touched, and leaves never-placed (NaN) positions undrawn', () => {
    const p = drawProjection('gcj02');
    const src = Float64Array.from([104.06, 30.67, Number.NaN, Number.NaN, 104.1, 30.7]);
    const dst = new Float64Array(6);
    p.convert(src, dst, [1, 2], 3);
    expect(dst[0]).toBe(0);
    expect(Number.isNaN(dst[2])).toBe(true);
    expect(metres([dst[4]!, dst[5]!], p.point(104.1, 30.7))).toBeLessThan(0.01);
    p.convert(src, dst, 'all', 3);
    expect(dst[0]).not.toBe(0);
  });
});
