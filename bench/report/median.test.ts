import { describe, expect, it } from 'vitest';
import type { Figure } from './figures';
import { median, medianFigures } from './median';

const fig = (value: number | null, baseline: number | null, ratio: number | null, note: string): Figure => ({
  value,
  unit: 'u',
  baseline,
  target: 1,
  ratio,
  met: value === null ? null : value >= 300,
  note,
});

describe('medianFigures', () => {
  it('takes the median value and baseline, keeps min, max and the median run’s note', () => {
    const out = medianFigures([
      { B1: fig(500, 5, 100, 'a') },
      { B1: fig(300, 10, 30, 'b') },
      { B1: fig(350, 4, 87.5, 'c') },
    ]);
    expect(out.B1).toMatchObject({ value: 350, baseline: 5, min: 300, max: 500, note: 'c', met: true });
    // Higher is better here (ratio = value / baseline): recomputed from the medians.
    expect(out.B1!.ratio).toBe(70);
    expect((out.B1!.runs as unknown[]).length).toBe(3);
    expect(out.B1!.extraMedians).toEqual({});
  });

  it('gives the median of every other numeric field the runs share', () => {
    const out = medianFigures([
      { B4: { ...fig(30, null, null, 'a'), firstFullMapS: 1.5 } },
      { B4: { ...fig(30, null, null, 'b'), firstFullMapS: 1.1 } },
      { B4: { ...fig(30, null, null, 'c'), firstFullMapS: 2.9 } },
    ]);
    expect(out.B4!.extraMedians).toEqual({ firstFullMapS: { median: 1.5, min: 1.1, max: 2.9 } });
  });

  it('keeps the direction of a lower-is-better ratio', () => {
    const out = medianFigures([
      { B3: fig(2, 50, 25, 'x') },
      { B3: fig(4, 60, 15, 'y') },
      { B3: fig(3, 40, 13.3, 'z') },
    ]);
    expect(out.B3).toMatchObject({ value: 3, baseline: 50, ratio: 16.7, min: 2, max: 4 });
  });

  it('leaves out runs that measured nothing, and says so', () => {
    const out = medianFigures([{ B5: fig(null, 1, null, 'n') }, { B5: fig(200, null, null, 'm') }]);
    expect(out.B5).toMatchObject({ value: 200, min: 200, max: 200, note: 'm' });
    expect(out.B5!.runs).toEqual([
      { value: null, baseline: 1, met: null },
      { value: 200, baseline: null, met: false },
    ]);
  });

  it('is the identity for one run', () => {
    const one = { B2: fig(15, 135, 9, 'one') };
    expect(medianFigures([one])).toBe(one);
  });
});

describe('median', () => {
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
