import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GridLocator } from './grid-locator';

type Ring = [number, number][];

const square = (x: number, y: number, s: number): Ring => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];

/** Even-odd over GeoJSON rings, written plainly: what the packed outlines must answer. */
function contains(polygons: Ring[][], lng: number, lat: number): boolean {
  return polygons.some((rings) => {
    let inside = false;
    for (const ring of rings)
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]!;
        const [xj, yj] = ring[j]!;
        if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    return inside;
  });
}

describe('GridLocator', () => {
  it('places a point in a polygon, not in its hole, and in any part of a multipolygon', () => {
    const locator = new GridLocator([
      {
        code: 'A',
        geometry: JSON.stringify({ type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] }),
      },
      {
        code: 'B',
        geometry: JSON.stringify({
          type: 'MultiPolygon',
          coordinates: [[square(20, 0, 2)], [square(30, 0, 2)]],
        }),
      },
      { code: 'bad', geometry: '{not json' },
      { code: 'point', geometry: JSON.stringify({ type: 'Point', coordinates: [1, 1] }) },
    ]);
    expect(locator.size).toBe(2);
    expect(locator.locate(1, 1)).toBe('A');
    expect(locator.locate(5, 5)).toBeNull();
    expect(locator.locate(21, 1)).toBe('B');
    expect(locator.locate(31, 1)).toBe('B');
    expect(locator.locate(25, 1)).toBeNull();
    expect(locator.bbox).toEqual([0, 0, 32, 10]);
    expect(locator.bboxOf('B')).toEqual([20, 0, 32, 2]);
    expect(locator.bboxOf('C')).toBeNull();
  });

  it('with no grids places nothing', () => {
    const locator = new GridLocator([]);
    expect(locator.size).toBe(0);
    expect(locator.bbox).toBeNull();
    expect(locator.locate(0, 0)).toBeNull();
  });

  it('answers as even-odd over the GeoJSON rings for any outlines and points', () => {
    const coord = fc.integer({ min: 0, max: 40 }).map((v) => v / 2);
    const ring = fc
      .array(fc.tuple(coord, coord), { minLength: 3, maxLength: 8 })
      .map((pts): Ring => [...pts, pts[0]!]);
    // Holes within the outer ring's box, as a real outline's are (the R-tree holds outer rings' boxes).
    const polygon = fc.tuple(ring, fc.array(ring, { maxLength: 2 })).map(([outer, holes]) => {
      const xs = outer.map((p) => p[0]);
      const ys = outer.map((p) => p[1]);
      const clamp = (v: number, vs: number[]) => Math.min(Math.max(v, Math.min(...vs)), Math.max(...vs));
      return [outer, ...holes.map((h) => h.map(([x, y]): [number, number] => [clamp(x, xs), clamp(y, ys)]))];
    });
    const grid = fc.array(polygon, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(grid, { maxLength: 6 }),
        fc.array(
          fc.tuple(
            fc.double({ min: -1, max: 21, noNaN: true }),
            fc.double({ min: -1, max: 21, noNaN: true }),
          ),
          {
            maxLength: 20,
          },
        ),
        (grids, points) => {
          const locator = new GridLocator(
            grids.map((polygons, i) => ({
              code: `g${i}`,
              geometry: JSON.stringify({ type: 'MultiPolygon', coordinates: polygons }),
            })),
          );
          for (const [x, y] of points) {
            const holders = grids.flatMap((polygons, i) => (contains(polygons, x, y) ? [`g${i}`] : []));
            const found = locator.locate(x, y);
            // Overlapping grids may be found in the R-tree's order: any one holding the point will do.
            if (holders.length === 0) expect(found).toBeNull();
            else expect(holders).toContain(found);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
