/**
 * 平安指数 (safety index, 0–100): a weighted mean of the centre's own KPIs and of how the incident count
 * compares with the previous period, so a leader can be told exactly why it moved. docs/kpis.md explains it;
 * change the weights there and here together.
 */
export const SAFETY_INDEX_WEIGHTS = {
  closedLoopRate: 0.2,
  onTimeRate: 0.2,
  satisfactionRate: 0.15,
  disputeResolveRate: 0.15,
  proactiveRate: 0.1,
  incidentPressure: 0.2,
} as const;
export type SafetyIndexPart = keyof typeof SAFETY_INDEX_WEIGHTS;

/**
 * 事件压力 as a 0..1 score: 1 while incidents run at or below the previous period's pace, falling as they
 * rise above it ((previous + 1) ÷ (current + 1), the +1 so that one incident after a quiet period is not 0).
 * Null without a previous period to compare with.
 */
export function incidentPressureScore(current: number, previous: number | null): number | null {
  if (previous === null) return null;
  return Math.min(1, (previous + 1) / (current + 1));
}

/**
 * The index over whichever parts are known (each 0..1): the weights of unknown parts are shared out over
 * the known ones, so a new territory without follow-ups still gets an index. Null when nothing is known.
 */
export function safetyIndex(parts: Record<SafetyIndexPart, number | null>): number | null {
  let sum = 0;
  let weight = 0;
  for (const k of Object.keys(SAFETY_INDEX_WEIGHTS) as SafetyIndexPart[]) {
    const v = parts[k];
    if (v === null || !Number.isFinite(v)) continue;
    sum += SAFETY_INDEX_WEIGHTS[k] * Math.min(1, Math.max(0, v));
    weight += SAFETY_INDEX_WEIGHTS[k];
  }
  return weight > 0 ? Math.round((sum / weight) * 1000) / 10 : null;
}
