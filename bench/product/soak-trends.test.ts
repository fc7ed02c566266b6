import { describe, expect, it } from 'vitest';
import { renderSoak, soakTrends, type SoakSample } from './soak';

const sample = (tH: number, rss: number, dom: number): SoakSample => ({
  tH,
  serverRssMb: rss,
  serverHeapMb: 100,
  serverFds: 40,
  wallHeapMb: null,
  wallDomNodes: dom,
  wallBatches: 600,
  dbMb: 10,
  walMb: 4,
});

describe('soakTrends', () => {
  it('finds a growing series and a flat one, the warm-up left out', () => {
    // RSS creeps 5 MB an hour around 410 MB (4 % over the soak: flat); DOM nodes double every hour.
    const samples = Array.from({ length: 41 }, (_, i) => {
      const tH = i / 10;
      return sample(tH, 400 + 5 * tH, i === 0 ? 90_000 : 2_000 * 2 ** tH);
    });
    const t = Object.fromEntries(soakTrends(samples).map((x) => [x.series, x]));
    expect(t['server RSS']!.perHour).toBeCloseTo(5, 5);
    expect(t['server RSS']!.isFlat).toBe(true);
    // The warm-up's 90,000 nodes would make the slope negative; it is not in the trend.
    expect(t['wall DOM nodes']!.perHour).toBeGreaterThan(0);
    expect(t['wall DOM nodes']!.isFlat).toBe(false);
    expect(t['wall DOM nodes']!.peak).toBe(90_000);
    // A series never read has no trend, rather than a flat one.
    expect(t['wall JS heap after GC']).toMatchObject({ perHour: null, isFlat: null, last: null });
  });

  it('calls a straight climb over the soak growing, however small its rate per 10 minutes', () => {
    // 30 MB an hour from 300 MB: 1.7 % of the peak per 10 min (MEM's rule would pass it), +36 % over 4 h.
    const samples = Array.from({ length: 41 }, (_, i) => sample(i / 10, 300 + 30 * (i / 10), 2_000));
    const rss = soakTrends(samples).find((x) => x.series === 'server RSS')!;
    expect(rss.isFlat).toBe(false);
    expect(soakTrends(samples).find((x) => x.series === 'server open file descriptors')!.isFlat).toBe(true);
  });

  it('draws every panel as SVG, each titled with its two series', () => {
    const svg = renderSoak([sample(0, 300, 2000), sample(1, 310, 2100)], 'soak', 20);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('server: RSS');
    expect(svg).toContain('DOM nodes (right)');
  });
});
