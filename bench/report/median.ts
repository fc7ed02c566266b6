/**
 * Every figure as the median of several whole runs, with min and max beside it: on a shared 2-core machine
 * one run can read 300 k/s and the next 500 k/s, so a single figure says little.
 */
import type { Figure } from './figures';

export interface RunSummary {
  value: number | null;
  baseline: number | null;
  met: boolean | null;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Middle element of sorted numbers (mean of the two middle ones for an even count); null when none. */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const OWN_FIELDS = new Set(['value', 'baseline', 'target', 'ratio', 'min', 'max']);

/**
 * The median of each other numeric field every run has (B4's seconds beside its megabytes, B5's oldest live
 * age): the note carries the median run's, which need not be the median of those.
 */
function extraMedians(figs: Figure[]): Record<string, { median: number; min: number; max: number }> {
  const out: Record<string, { median: number; min: number; max: number }> = {};
  for (const key of Object.keys(figs[0]!)) {
    if (OWN_FIELDS.has(key)) continue;
    const xs = figs.map((f) => f[key]);
    if (!xs.every((x): x is number => typeof x === 'number' && Number.isFinite(x))) continue;
    out[key] = { median: median(xs)!, min: Math.min(...xs), max: Math.max(...xs) };
  }
  return out;
}

/**
 * Per figure: value and baseline are the medians over the runs, min and max the range of the values, and
 * the note, met and every other field come from the run whose value is the median (the run nearest it for
 * an even count). The ratio to the baseline is recomputed from the two medians, in the direction the runs'
 * own ratios were taken. A run that could not measure a figure (null) is kept in `runs` but not in the median.
 */
export function medianFigures(runs: Record<string, Figure>[]): Record<string, Figure> {
  if (runs.length <= 1) return runs[0] ?? {};
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  const out: Record<string, Figure> = {};
  for (const k of keys) {
    const fs = runs.map((r) => r[k] ?? null);
    const measured = fs.filter((f): f is Figure => f !== null && f.value !== null);
    const summaries: (RunSummary | null)[] = fs.map((f) =>
      f ? { value: f.value, baseline: f.baseline, met: f.met } : null,
    );
    if (measured.length === 0) {
      const present = fs.filter((f): f is Figure => f !== null);
      const baseline = median(present.flatMap((f) => (f.baseline === null ? [] : [f.baseline])));
      out[k] = { ...present[0]!, baseline, runs: summaries };
      continue;
    }
    const values = measured.map((f) => f.value!);
    const v = median(values)!;
    const pick = [...measured].sort((a, b) => Math.abs(a.value! - v) - Math.abs(b.value! - v))[0]!;
    const b = median(measured.flatMap((f) => (f.baseline === null ? [] : [f.baseline])));
    // Higher is better when the run's ratio was value / baseline (ratio ≥ 1 exactly when value ≥ baseline).
    const higherIsBetter =
      pick.ratio !== null && pick.baseline !== null && pick.value !== null
        ? pick.ratio >= 1 === pick.value >= pick.baseline
        : true;
    const ratio =
      pick.ratio === null || b === null || b === 0 || v === 0
        ? null
        : round(higherIsBetter ? v / b : b / v, 1);
    out[k] = {
      ...pick,
      value: v,
      baseline: b,
      ratio,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: summaries,
      extraMedians: extraMedians(measured),
    };
  }
  return out;
}
