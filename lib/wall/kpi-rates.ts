/**
 * The period rates on the wall's KPI board (办结率, 按时办结率, 闭环率, 满意度, 化解率, 主动发现率), shown only
 * over enough cases. Shortly after midnight 闭环率 is 0.0 % of one incident: true, but from 5 m it reads as
 * an alarm. Below RATE_MIN_SAMPLE cases the board shows "—" with a small "样本不足" hint instead. A client
 * formatting rule: the server still sends every rate as computed (the 平安指数 and reports use them).
 */
import type { WallStats } from './stats';
import type { Lang } from './i18n';

/** Fewest cases a period rate is shown over; below it one case moves the figure by 20 points or more. */
export const RATE_MIN_SAMPLE = 5;

/** The rates that are shares of the period's cases (网格员在线率 is a head count of now, always shown). */
export type PeriodRateKey =
  | 'resolveRate'
  | 'onTimeRate'
  | 'closedLoopRate'
  | 'satisfactionRate'
  | 'disputeResolveRate'
  | 'proactiveRate';

/**
 * How many cases a rate divides by, as far as the wall's stats tell. For 闭环率 and 化解率 this counts the
 * 作废 cases too, which the server leaves out of the division: a period with many cancelled cases may show a
 * rate over slightly fewer than RATE_MIN_SAMPLE real ones (the stats carry no cancelled count to subtract).
 */
export function rateSample(kpi: WallStats['kpi'], byCategory: WallStats['byCategory'], key: PeriodRateKey) {
  switch (key) {
    case 'resolveRate':
    case 'closedLoopRate':
    case 'proactiveRate':
      return kpi.received;
    case 'onTimeRate':
      return kpi.resolved;
    case 'satisfactionRate':
      return kpi.rated;
    case 'disputeResolveRate':
      return byCategory.find((c) => c.category === 'dispute')?.count ?? 0;
  }
}

export interface ShownRate {
  /** Percent (0–100) to show, or null: "—". */
  percent: number | null;
  /** True when the rate exists but its sample is too small to show. */
  isThin: boolean;
  /** Cases it divides by (for the hint's tooltip). */
  sample: number;
}

/** A period rate as the board shows it: a percent, or "—" (nothing to divide, or too few cases). */
export function shownRate(
  stats: Pick<WallStats, 'kpi' | 'byCategory'> | null | undefined,
  key: PeriodRateKey,
  minSample = RATE_MIN_SAMPLE,
): ShownRate {
  if (!stats) return { percent: null, isThin: false, sample: 0 };
  const rate = stats.kpi[key];
  const sample = rateSample(stats.kpi, stats.byCategory, key);
  if (rate === null) return { percent: null, isThin: false, sample };
  if (sample < minSample) return { percent: null, isThin: true, sample };
  return { percent: rate * 100, isThin: false, sample };
}

/** The small hint under a hidden rate ("样本不足" / "n<5"), and its tooltip saying how many cases there were. */
export function thinSampleHint(
  sample: number,
  lang: Lang,
  minSample = RATE_MIN_SAMPLE,
): { text: string; title: string } {
  return lang === 'zh'
    ? { text: '样本不足', title: `仅 ${sample} 件，满 ${minSample} 件才计算比率` }
    : { text: `n<${minSample}`, title: `Only ${sample} case(s); rates are shown from ${minSample}` };
}
