/**
 * Briefing report periods (日报, 周报, 旬报, 月报) and report file names: pure, shared by the server that
 * writes reports and the wall that lists them.
 *
 * A report is for the period that ends with (or contains) a local date in the display zone:
 * - day: that date; week: the 7 days ending with it (the wall's 近7日 seen from that evening);
 * - xun: the 旬 containing it (1st–10th, 11th–20th, 21st–end); month: its calendar month.
 * Each maps onto the wall's period of the same span, so the KPIs come from the wall's own function.
 */
import type { WallPeriod } from '../wall/stats';

export const REPORT_PERIODS = ['day', 'week', 'xun', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export const REPORT_PERIOD_LABELS: Record<ReportPeriod, { zh: string; en: string }> = {
  day: { zh: '日报', en: 'Daily' },
  week: { zh: '周报', en: 'Weekly' },
  xun: { zh: '旬报', en: '10-day' },
  month: { zh: '月报', en: 'Monthly' },
};

/** The wall period a report's KPIs are computed as (server/stats/periods.ts). */
export const WALL_PERIOD_OF: Record<ReportPeriod, WallPeriod> = {
  day: 'today',
  week: '7d',
  xun: 'xun',
  month: 'month',
};

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A local calendar date: year, month 1–12, day 1–31. */
export interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/** Parses YYYY-MM-DD; null when malformed or not a real date (2026-02-30). */
export function parseLocalDate(text: string): LocalDate | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  if (y < 2000 || y > 2100) return null;
  return { y, m: mo, d };
}

export function formatLocalDate({ y, m, d }: LocalDate): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The local date of an instant, for a zone `offsetMs` ahead of UTC. */
export function localDateOf(t: number, offsetMs: number): LocalDate {
  const u = new Date(t + offsetMs);
  return { y: u.getUTCFullYear(), m: u.getUTCMonth() + 1, d: u.getUTCDate() };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const u = new Date(Date.UTC(date.y, date.m - 1, date.d) + days * DAY_MS);
  return { y: u.getUTCFullYear(), m: u.getUTCMonth() + 1, d: u.getUTCDate() };
}

/** [first, last] local dates the report covers (inclusive). */
export function reportDays(period: ReportPeriod, date: LocalDate): [LocalDate, LocalDate] {
  if (period === 'day') return [date, date];
  if (period === 'week') return [addDays(date, -6), date];
  const lastOfMonth = new Date(Date.UTC(date.y, date.m, 0)).getUTCDate();
  if (period === 'month')
    return [
      { ...date, d: 1 },
      { ...date, d: lastOfMonth },
    ];
  const first = date.d <= 10 ? 1 : date.d <= 20 ? 11 : 21;
  const last = first === 21 ? lastOfMonth : first + 9;
  return [
    { ...date, d: first },
    { ...date, d: last },
  ];
}

/**
 * The period as instants [start, end) for a zone `offsetMs` ahead of UTC (China: a fixed +8 h).
 * `end` is the midnight after the last day.
 */
export function reportWindow(period: ReportPeriod, date: LocalDate, offsetMs: number): [number, number] {
  const [a, b] = reportDays(period, date);
  const midnight = (x: LocalDate) => Date.UTC(x.y, x.m - 1, x.d) - offsetMs;
  return [midnight(a), midnight(b) + DAY_MS];
}

const XUN_NAMES = ['上旬', '中旬', '下旬'] as const;

/** The period as a briefing's title names it: 2026年12月1日, 2026年11月25日—12月1日, 2026年12月上旬, 2026年12月. */
export function reportPeriodTitle(period: ReportPeriod, date: LocalDate): string {
  const ymd = (x: LocalDate) => `${x.y}年${x.m}月${x.d}日`;
  if (period === 'day') return ymd(date);
  if (period === 'month') return `${date.y}年${date.m}月`;
  if (period === 'xun') return `${date.y}年${date.m}月${XUN_NAMES[date.d <= 10 ? 0 : date.d <= 20 ? 1 : 2]}`;
  const [a, b] = reportDays('week', date);
  return `${ymd(a)}—${a.y === b.y ? '' : `${b.y}年`}${b.m}月${b.d}日`;
}

/** A report file: `briefing-<region code|all>-<period>-<YYYY-MM-DD>.pdf`. */
export interface ReportFileName {
  regionCode: string | null;
  period: ReportPeriod;
  date: string;
}

const FILE_RE = /^briefing-(all|\d{12}|\d{15})-(day|week|xun|month)-(\d{4}-\d{2}-\d{2})\.pdf$/;

export function reportFileName(f: ReportFileName): string {
  return `briefing-${f.regionCode ?? 'all'}-${f.period}-${f.date}.pdf`;
}

/** Null for anything that is not exactly a report file name (no paths, no other extensions). */
export function parseReportFileName(name: string): ReportFileName | null {
  const m = FILE_RE.exec(name);
  if (!m || !parseLocalDate(m[3]!)) return null;
  return { regionCode: m[1] === 'all' ? null : m[1]!, period: m[2] as ReportPeriod, date: m[3]! };
}
