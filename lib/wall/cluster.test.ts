import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellDegrees, clusterPoints, type ClusterInput } from './cluster';

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
