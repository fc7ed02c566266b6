import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../geo/crs';
import { areaOf, checkPolygonal, findSelfIntersection, type Ring } from './polygon-check';

const rect = (x0: number, y0: number, x1: number, y1: number): Ring => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const polygon = (...rings: Ring[]) => ({ type: 'Polygon', coordinates: rings });

/** A rectangle somewhere in China, 10 m to 10 km a side. */
const arbRect = fc
  .record({
    x: fc.double({ min: 75, max: 130, noNaN: true }),
    y: fc.double({ min: 20, max: 50, noNaN: true }),
    w: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
    h: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
  })
  .map(({ x, y, w, h }) => rect(x, y, x + w, y + h));

describe('checkPolygonal', () => {
  it('accepts a rectangle, a polygon with a hole and a multipolygon of disjoint parts', () => {
    expect(checkPolygonal(polygon(rect(120, 30, 121, 31))).ok).toBe(true);
    const holed = checkPolygonal(polygon(rect(120, 30, 121, 31), rect(120.2, 30.2, 120.4, 30.4)));
    expect(holed.ok && areaOf(holed.polygons)).toBeCloseTo(1 - 0.04, 9);
    expect(
      checkPolygonal({
        type: 'MultiPolygon',
        coordinates: [[rect(120, 30, 120.5, 30.5)], [rect(121, 30, 121.5, 30.5)]],
      }).ok,
    ).toBe(true);
  });

  it('says what is wrong: not closed, too few points, out of range, hole outside, parts overlapping', () => {
    const msg = (g: unknown) => {
      const r = checkPolygonal(g);
      return r.ok ? 'ok' : r.message;
    };
    expect(msg(polygon(rect(120, 30, 121, 31).slice(0, 4)))).toContain('未闭合');
    expect(
      msg(
        polygon([
          [120, 30],
          [121, 30],
          [120, 30],
        ]),
      ),
    ).toContain('少于 4 个点');
    expect(msg(polygon(rect(120, 30, 190, 31)))).toContain('超出范围');
    expect(msg(polygon(rect(120, 30, 121, 31), rect(122, 30, 122.1, 30.1)))).toContain('不在外环之内');
    expect(msg(polygon(rect(120, 30, 121, 31), rect(120.5, 30.5, 121.5, 31.5)))).toContain('相交');
    expect(
      msg({ type: 'MultiPolygon', coordinates: [[rect(120, 30, 121, 31)], [rect(120.5, 30, 121.5, 31)]] }),
    ).toContain('重叠');
    expect(msg({ type: 'LineString', coordinates: [] })).toContain('Polygon');
    expect(msg(null)).toContain('缺少几何');
  });

  it('converts a GCJ-02 outline to WGS-84 before storing it', () => {
    const r = checkPolygonal(polygon(rect(120, 30, 120.1, 30.1)), (p) => toWgs84(p[0], p[1], 'gcj02'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [x, y] = toWgs84(120, 30, 'gcj02');
    expect(r.polygons[0]![0]![0]![0]).toBeCloseTo(x, 6);
    expect(r.polygons[0]![0]![0]![1]).toBeCloseTo(y, 6);
  });

  it('property: every rectangle is valid and every rectangle turned into a bow tie is self-intersecting', () => {
    fc.assert(
      fc.property(arbRect, (ring) => {
        expect(checkPolygonal(polygon(ring)).ok).toBe(true);
        const bowTie: Ring = [ring[0]!, ring[2]!, ring[1]!, ring[3]!, ring[0]!];
        const r = checkPolygonal(polygon(bowTie));
        expect(r.ok).toBe(false);
        expect(!r.ok && r.message).toContain('自相交');
      }),
    );
  });

  it('property: a ring with a spike folded back over an edge is caught by the edge index', () => {
    fc.assert(
      fc.property(arbRect, fc.integer({ min: 4, max: 200 }), (ring, n) => {
        // n points along the bottom edge, then a last edge that crosses back through them.
        const [[x0, y0], , [x1, y1]] = ring as [[number, number], unknown, [number, number]];
        const pts: Ring = [];
        for (let i = 0; i <= n; i++) pts.push([x0 + ((x1 - x0) * i) / n, y0 + (i % 2) * 1e-6]);
        pts.push([x1, y1], [x0 + (x1 - x0) / 2, y0 - (y1 - y0)], [x0, y1], pts[0]!);
        expect(findSelfIntersection([pts])).not.toBeNull();
      }),
      { numRuns: 50 },
    );
  });

  it('property: any JSON as a geometry gives a verdict, never an exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (g) => {
        const r = checkPolygonal(g);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 12 }), {
          minLength: 1,
          maxLength: 3,
        }),
        (rings) => {
          const r = checkPolygonal({ type: 'Polygon', coordinates: rings });
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });
});
