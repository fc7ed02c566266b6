import { DEFAULT_DISPLAY_TZ, offsetMinutes } from '@/lib/time/display-time';
import type { WallPeriod } from '@/lib/wall/stats';

/**
 * Periods are counted in the display zone (DISPLAY_TZ, China Standard Time by default), whatever zone the
 * server runs in, so a wall's 今日 starts at the midnight its clock shows. The zone's offset is taken at the
 * instant asked about; across a daylight-saving change (none in China) a boundary may be an hour off.
 */
export const CST_OFFSET_MS = 8 * 3_600_000;
const zoneOffsetMs = (t: number, tz: string) =>
  tz === DEFAULT_DISPLAY_TZ ? CST_OFFSET_MS : offsetMinutes(t, tz) * 60_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Start (epoch ms) of the local day containing t. */
export function cstDayStart(t: number, tz: string = DEFAULT_DISPLAY_TZ): number {
  const off = zoneOffsetMs(t, tz);
  return Math.floor((t + off) / DAY_MS) * DAY_MS - off;
}

/**
 * Start of a period: today; the last 7 days (today and the 6 before); the current 旬 (1st–10th, 11th–20th,
 * 21st–end: how Chinese administrations report); the current month.
 */
export function periodStart(period: WallPeriod, now: number, tz: string = DEFAULT_DISPLAY_TZ): number {
  const off = zoneOffsetMs(now, tz);
  const today = cstDayStart(now, tz);
  if (period === 'today') return today;
  if (period === '7d') return today - 6 * DAY_MS;
  const local = new Date(now + off);
  const day = local.getUTCDate();
  const firstDay = period === 'month' ? 1 : day <= 10 ? 1 : day <= 20 ? 11 : 21;
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), firstDay) - off;
}

/** Hourly starts of the last 24 h and daily starts of the last 7 days, oldest first. */
export function trendBuckets(
  now: number,
  tz: string = DEFAULT_DISPLAY_TZ,
): { hours: number[]; days: number[] } {
  const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const hours = Array.from({ length: 24 }, (_, k) => thisHour - (23 - k) * HOUR_MS);
  const today = cstDayStart(now, tz);
  const days = Array.from({ length: 7 }, (_, k) => today - (6 - k) * DAY_MS);
  return { hours, days };
}

/** The same local wall-clock instant one year earlier (29 Feb falls back to 28 Feb). */
export function sameTimeLastYear(t: number, tz: string = DEFAULT_DISPLAY_TZ): number {
  const off = zoneOffsetMs(t, tz);
  const local = new Date(t + off);
  const y = local.getUTCFullYear() - 1;
  const m = local.getUTCMonth();
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = Math.min(local.getUTCDate(), lastDay);
  const msOfDay = (t + off) % DAY_MS;
  return Date.UTC(y, m, d) + msOfDay - off;
}

/** Start of the period before the current one: yesterday, the 7 days before, the previous 旬 or month. */
export function previousPeriodStart(
  period: WallPeriod,
  now: number,
  tz: string = DEFAULT_DISPLAY_TZ,
): number {
  const start = periodStart(period, now, tz);
  if (period === 'today') return start - DAY_MS;
  if (period === '7d') return start - 7 * DAY_MS;
  // The 旬 or month that contains the instant just before this one started.
  return periodStart(period, start - 1, tz);
}

export interface CompareWindows {
  /** 环比: the previous period, as far into it as we are into this one. */
  mom: [number, number];
  /** 同比: the same period a year ago, as far into it. */
  yoy: [number, number];
}

/** Windows of the same elapsed length as the current period so far (never past their own period's end). */
export function compareWindows(
  period: WallPeriod,
  now: number,
  tz: string = DEFAULT_DISPLAY_TZ,
): CompareWindows {
  const start = periodStart(period, now, tz);
  const elapsed = now - start;
  const prev = previousPeriodStart(period, now, tz);
  const yoyStart = sameTimeLastYear(start, tz);
  return {
    mom: [prev, Math.min(prev + elapsed, start)],
    yoy: [yoyStart, yoyStart + elapsed],
  };
}
