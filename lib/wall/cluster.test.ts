import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_CELL_PX,
  CLUSTER_MAX_CELL_FACTOR,
  CLUSTER_MAX_MEAN_MEMBERS,
  cellDegrees,
  clusterMaxRadius,
  clusterPoints,
  clusterReadable,
  type ClusterInput,
} from './cluster';

const COLORS = [
  [0, 255, 0, 255],
  [255, 0, 0, 255],
] as const;

function input(points: [number, number, number][]): ClusterInput {
  const n = points.length;
  const position = new Float64Array(2 * n);
  const look = new Uint8Array(n);
  points.forEach(([lng, lat, l], i) => {
    position[2 * i] = lng;
    position[2 * i + 1] = lat;
    look[i] = l;
  });
  return {
    count: n,
    position,
    present: new Uint8Array(n).fill(1),
    look,
    severity: Uint8Array.from([0, 1]),
    colors: COLORS,
  };
}

describe('clusterPoints', () => {
  it('merges close points and shows the worst member', () => {
    const c = clusterPoints(
      input([
        [104, 30.5, 0],
        [104.0001, 30.5001, 1],
        [104.0002, 30.5, 0],
        [105, 31, 0],
      ]),
      10,
    );
    expect(c.length).toBe(2);
    const big = c.count[0] === 3 ? 0 : 1;
    expect(c.worstLook[big]).toBe(1);
    expect(c.member[big]).toBe(1);
    expect([...c.color.subarray(4 * big, 4 * big + 4)]).toEqual([255, 0, 0, 255]);
  });

  it('property: counts add up, and a bad point always lights its cluster', () => {
    const pt = fc.tuple(
      fc.double({ min: 103, max: 105, noNaN: true }),
      fc.double({ min: 30, max: 31, noNaN: true }),
      fc.nat({ max: 1 }),
    );
    fc.assert(
      fc.property(
        fc.array(pt, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 5, max: 16 }),
        (pts, zoom) => {
          const c = clusterPoints(input(pts), zoom);
          expect(c.count.reduce((a, b) => a + b, 0)).toBe(pts.length);
          const cell = cellDegrees(zoom);
          for (const [lng, lat, l] of pts) {
            if (l !== 1) continue;
            // Find this point's cluster by cell: it must be red.
            let found = false;
            for (let k = 0; k < c.length; k++) {
              const member = pts[c.member[k]!]!;
              if (
                Math.floor(member[0] / cell) === Math.floor(lng / cell) &&
                Math.floor(member[1] / cell) === Math.floor(lat / cell)
              ) {
                expect(c.worstLook[k]).toBe(1);
                found = true;
              }
            }
            expect(found).toBe(true);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

/** n points spread evenly over a square of `spanDeg` around a point of Chengdu. */
function grid(n: number, spanDeg: number): ClusterInput {
  const side = Math.ceil(Math.sqrt(n));
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++)
    pts.push([103 + ((i % side) / side) * spanDeg, 30 + (Math.floor(i / side) / side) * spanDeg, 0]);
  return input(pts);
}

describe('clusterReadable', () => {
  it('keeps the 56 px cell where clusters are small (a district)', () => {
    const c = clusterReadable(grid(20_000, 0.5), 10, 1.5);
    expect(c.cellPx).toBe(CLUSTER_CELL_PX * 1.5);
    expect(c).toEqual(clusterPoints(grid(20_000, 0.5), 10, CLUSTER_CELL_PX * 1.5));
  });

  it('doubles the cell while clusters average more than CLUSTER_MAX_MEAN_MEMBERS (a province), up to the bound', () => {
    // 200 k units over 4° at zoom 5, where a 56 px cell is 1.2° across: ~12,000 a cell.
    const dense = grid(200_000, 4);
    const at56 = clusterPoints(dense, 5);
    expect(200_000 / at56.length).toBeGreaterThan(CLUSTER_MAX_MEAN_MEMBERS);
    const c = clusterReadable(dense, 5);
    expect(c.cellPx).toBeGreaterThan(CLUSTER_CELL_PX);
    expect(c.cellPx).toBeLessThanOrEqual(CLUSTER_CELL_PX * CLUSTER_MAX_CELL_FACTOR);
    expect(c.length).toBeLessThan(at56.length);
    expect(c.count.reduce((a, b) => a + b, 0)).toBe(200_000);
    // It stopped at the first cell that is readable, or at the bound.
    const mean = 200_000 / c.length;
    expect(mean <= CLUSTER_MAX_MEAN_MEMBERS || c.cellPx === CLUSTER_CELL_PX * CLUSTER_MAX_CELL_FACTOR).toBe(
      true,
    );
    if (c.cellPx > CLUSTER_CELL_PX) {
      const half = clusterPoints(dense, 5, c.cellPx / 2);
      expect(200_000 / half.length).toBeGreaterThan(CLUSTER_MAX_MEAN_MEMBERS);
    }
  });

  it('property: merging cells when doubling gives what aggregating the points in the larger cell gives', () => {
    // Three looks, points absent now and then, and dense enough that the cell doubles.
    const pt = fc.tuple(
      fc.double({ min: 103, max: 103.4, noNaN: true }),
      fc.double({ min: 30, max: 30.4, noNaN: true }),
      fc.nat({ max: 2 }),
      fc.nat({ max: 9 }).map((d) => d === 0),
    );
    let doubledTwice = 0;
    fc.assert(
      fc.property(
        fc.array(pt, { minLength: 1_500, maxLength: 3_000 }),
        fc.constantFrom(1, 1.5, 2),
        (pts, scale) => {
          const at = input(pts.map(([lng, lat, l]) => [lng, lat, l]));
          at.severity = Uint8Array.from([0, 2, 1]);
          at.colors = [...COLORS, [0, 0, 255, 255]];
          pts.forEach(([, , , isAbsent], i) => (at.present[i] = isAbsent ? 0 : 1));
          // Zoom 4: a 56 px cell is ~1.5°, so every point shares one cell and the cell doubles to its bound.
          for (const zoom of [4, 9, 12]) {
            const c = clusterReadable(at, zoom, scale);
            if (c.cellPx === CLUSTER_CELL_PX * scale * 4) doubledTwice++;
            const direct = clusterPoints(at, zoom, c.cellPx);
            expect(c.length).toBe(direct.length);
            expect([...c.count]).toEqual([...direct.count]);
            expect([...c.member]).toEqual([...direct.member]);
            expect([...c.worstLook]).toEqual([...direct.worstLook]);
            expect([...c.color]).toEqual([...direct.color]);
            c.position.forEach((v, k) => expect(v).toBeCloseTo(direct.position[k]!, 9));
          }
        },
      ),
      // Shrinking thousands of points takes minutes: the first counterexample is reported as found.
      { numRuns: 60, endOnFailure: true },
    );
    expect(doubledTwice).toBeGreaterThan(0);
  });

  it('bounds the radius inside half the cell, in units of the pixel scale', () => {
    const c = clusterReadable(grid(10, 0.001), 10, 2);
    expect(clusterMaxRadius(c, 2)).toBe((CLUSTER_CELL_PX * 2) / 4 - 4);
  });
});
