import { describe, expect, it } from 'vitest';
import { RATE_MIN_SAMPLE, rateSample, shownRate, thinSampleHint } from './kpi-rates';
import { sampleWallStats } from './stats-fixture';
import type { WallStats } from './stats';

/** The fixture's stats with the KPI fields given (a period of `received` cases, say just after midnight). */
function stats(kpi: Partial<WallStats['kpi']>, disputes = 0): WallStats {
  const s = sampleWallStats();
  return {
    ...s,
    kpi: { ...s.kpi, ...kpi },
    byCategory: [
      { category: 'dispute', count: disputes },
      { category: 'traffic', count: 3 },
    ],
  };
}

describe('period rates on tiny denominators', () => {
  it('shows "—" with a thin-sample hint for 闭环率, 主动发现率 and 化解率 on one case (02:00 on the wall)', () => {
    const s = stats(
      { received: 1, resolved: 0, closedLoopRate: 0, proactiveRate: 0, disputeResolveRate: 0 },
      1,
    );
    for (const key of ['closedLoopRate', 'proactiveRate', 'disputeResolveRate'] as const)
      expect(shownRate(s, key), key).toEqual({ percent: null, isThin: true, sample: 1 });
  });

  it('shows the rate from RATE_MIN_SAMPLE cases on, each over its own denominator', () => {
    const s = stats(
      {
        received: RATE_MIN_SAMPLE,
        resolved: 4,
        rated: 7,
        closedLoopRate: 0.4,
        onTimeRate: 0.5,
        satisfactionRate: 1,
      },
      2,
    );
    expect(shownRate(s, 'closedLoopRate')).toEqual({ percent: 40, isThin: false, sample: RATE_MIN_SAMPLE });
    // 按时办结率 divides by the resolved (4), 满意度 by the follow-ups (7), 化解率 by the disputes (2).
    expect(shownRate(s, 'onTimeRate')).toMatchObject({ percent: null, isThin: true, sample: 4 });
    expect(shownRate(s, 'satisfactionRate')).toEqual({ percent: 100, isThin: false, sample: 7 });
    expect(shownRate(s, 'disputeResolveRate')).toMatchObject({ isThin: true, sample: 2 });
    expect(rateSample(s.kpi, s.byCategory, 'resolveRate')).toBe(RATE_MIN_SAMPLE);
  });

  it('keeps "nothing to divide" (null) apart from "too few" and says "—" with no hint before stats arrive', () => {
    expect(shownRate(stats({ received: 0, closedLoopRate: null }), 'closedLoopRate')).toEqual({
      percent: null,
      isThin: false,
      sample: 0,
    });
    expect(shownRate(null, 'resolveRate')).toEqual({ percent: null, isThin: false, sample: 0 });
    // A category missing from byCategory is zero disputes, not a crash.
    const none = { ...stats({ disputeResolveRate: 1 }), byCategory: [] };
    expect(shownRate(none, 'disputeResolveRate')).toMatchObject({ isThin: true, sample: 0 });
  });

  it('words the hint in both languages, with the count in the tooltip', () => {
    expect(thinSampleHint(1, 'zh')).toEqual({ text: '样本不足', title: '仅 1 件，满 5 件才计算比率' });
    expect(thinSampleHint(3, 'en')).toEqual({ text: 'n<5', title: 'Only 3 case(s); rates are shown from 5' });
  });
});
