import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multiArea, pointInMulti } from './geo';
import { blobOutline } from './outline';
import { Rng } from './rng';
import { partition } from './tiling';

describe('partition', () => {
  it('tiles any blob: areas add up and no two parts overlap', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 2, max: 12 }), (seed, n) => {
        const rng = new Rng(seed);
        const parent = blobOutline(rng, [0, 0], 1_000, 48, 1.5);
        const parts = partition(parent, n, rng, {
          density: (x) => (x > 0 ? 1 : 0.3),
          relaxSteps: 2,
          wiggle: n % 2 ? 0.12 : 0,
        });
        expect(parts).toHaveLength(n);
        const total = multiArea(parent);
        const sum = parts.reduce((s, p) => s + multiArea(p.shape), 0);
        expect(Math.abs(sum - total) / total).toBeLessThan(1e-9);
        // No overlaps and no gaps: every sampled point of the parent lies in exactly one part.
        for (let k = 0; k < 200; k++) {
          const x = rng.range(-1_300, 1_300);
          const y = rng.range(-1_300, 1_300);
          if (!pointInMulti(x, y, parent)) continue;
          expect(parts.filter((p) => pointInMulti(x, y, p.shape)).length).toBe(1);
        }
      }),
      { numRuns: 25 },
    );
  });
});
