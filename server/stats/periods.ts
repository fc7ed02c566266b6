import type { WallPeriod } from '@/lib/wall/stats';

/** Centres count days in China Standard Time (UTC+8, no DST), whatever zone the server runs in. */
export const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Start (epoch ms) of the local day containing t. */
export function cstDayStart(t: number): number {
  return Math.floor((t + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
}

/**
 * Start of a period: today; the last 7 days (today and the 6 before); the current 旬 (1st–10th, 11th–20th,
 * 21st–end: how Chinese administrations report); the current month.
 */
export function periodStart(period: WallPeriod, now: number): number {
  const today = cstDayStart(now);
  if (period === 'today') return today;
  if (period === '7d') return today - 6 * DAY_MS;
  const local = new Date(now + CST_OFFSET_MS);
  const day = local.getUTCDate();
  const firstDay = period === 'month' ? 1 : day <= 10 ? 1 : day <= 20 ? 11 : 21;
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), firstDay) - CST_OFFSET_MS;
}

/** Hourly starts of the last 24 h and daily starts of the last 7 days, oldest first. */
export function trendBuckets(now: number): { hours: number[]; days: number[] } {
  const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const hours = Array.from({ length: 24 }, (_, k) => thisHour - (23 - k) * HOUR_MS);
  const today = cstDayStart(now);
  const days = Array.from({ length: 7 }, (_, k) => today - (6 - k) * DAY_MS);
  return { hours, days };
}

/** The same local wall-clock instant one year earlier (29 Feb falls back to 28 Feb). */
export function sameTimeLastYear(t: number): number {
  const local = new Date(t + CST_OFFSET_MS);
  const y = local.getUTCFullYear() - 1;
  const m = local.getUTCMonth();
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = Math.min(local.getUTCDate(), lastDay);
  const msOfDay = (t + CST_OFFSET_MS) % DAY_MS;
  return Date.UTC(y, m, d) + msOfDay - CST_OFFSET_MS;
}

/** Start of the period before the current one: yesterday, the 7 days before, the previous 旬 or month. */
export function previousPeriodStart(period: WallPeriod, now: number): number {
  const start = periodStart(period, now);
  if (period === 'today') return start - DAY_MS;
  if (period === '7d') return start - 7 * DAY_MS;
  // The 旬 or month that contains the instant just before this one started.
  return periodStart(period, start - 1);
}

export interface CompareWindows {
  /** 环比: the previous period, as far into it as we are into this one. */
  mom: [number, number];
  /** 同比: the same period a year ago, as far into it. */
  yoy: [number, number];
}

/** Windows of the same elapsed length as the current period so far (never past their own period's end). */
export function compareWindows(period: WallPeriod, now: number): CompareWindows {
  const start = periodStart(period, now);
  const elapsed = now - start;
  const prev = previousPeriodStart(period, now);
  const yoyStart = sameTimeLastYear(start);
  return {
    mom: [prev, Math.min(prev + elapsed, start)],
    yoy: [yoyStart, yoyStart + elapsed],
  };
}
