/**
 * REPORT_SCHEDULE: when briefing reports are written, in the display zone's wall-clock time.
 *
 *   schedule := entry ("," entry)*            empty: no scheduled reports
 *   entry    := kind "@" when ["/" region]     region: a 12-digit region code (default: whole territory)
 *   kind     := daily | weekly | xun | monthly
 *   when     := HH:MM                          daily: every day; xun: on the 1st, 11th and 21st;
 *                                              monthly: on the 1st
 *             | dow HH:MM                      weekly only; dow := mon|tue|wed|thu|fri|sat|sun
 *
 * Each run reports the period that has just ended: daily@08:00 writes yesterday's 日报, weekly@mon08:00 the
 * 7 days Monday–Sunday before it, xun the 旬 before, monthly the month before.
 * e.g. `daily@08:00,weekly@mon08:30,monthly@08:00,daily@08:00/330106001000`.
 */
import { addDays, localDateOf, type LocalDate, type ReportPeriod } from './report-period';

export interface ScheduleEntry {
  period: ReportPeriod;
  /** Minutes after local midnight. */
  minuteOfDay: number;
  /** weekly: 0 = Monday … 6 = Sunday. */
  weekday: number | null;
  regionCode: string | null;
}

const KINDS: Record<string, ReportPeriod> = {
  daily: 'day',
  weekly: 'week',
  xun: 'xun',
  monthly: 'month',
};
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ENTRY_RE =
  /^(daily|weekly|xun|monthly)@(?:(mon|tue|wed|thu|fri|sat|sun))?(\d{2}):(\d{2})(?:\/(\d{12}))?$/;

/** Parses the whole schedule or throws with the first bad entry named (config validation shows it). */
export function parseReportSchedule(text: string): ScheduleEntry[] {
  const out: ScheduleEntry[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim().toLowerCase();
    if (!s) continue;
    const m = ENTRY_RE.exec(s);
    const hh = Number(m?.[3]);
    const mm = Number(m?.[4]);
    if (!m || hh > 23 || mm > 59)
      throw new Error(`bad REPORT_SCHEDULE entry "${raw.trim()}" (e.g. daily@08:00, weekly@mon08:00)`);
    const isWeekly = m[1] === 'weekly';
    if (isWeekly !== (m[2] !== undefined))
      throw new Error(`REPORT_SCHEDULE entry "${raw.trim()}": a day of the week goes with weekly only`);
    out.push({
      period: KINDS[m[1]!]!,
      minuteOfDay: hh * 60 + mm,
      weekday: isWeekly ? WEEKDAYS.indexOf(m[2]!) : null,
      regionCode: m[5] ?? null,
    });
  }
  return out;
}

/** A report a schedule asks for: its period, the local date it is for, and when it fell due. */
export interface DueReport {
  period: ReportPeriod;
  regionCode: string | null;
  /** The report's date (its period's last day, or any day in it for 旬 and month): YYYY-MM-DD parts. */
  date: LocalDate;
  dueAt: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function runsOn(e: ScheduleEntry, day: LocalDate): boolean {
  if (e.period === 'day') return true;
  if (e.period === 'week')
    return (new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay() + 6) % 7 === e.weekday;
  if (e.period === 'xun') return day.d === 1 || day.d === 11 || day.d === 21;
  return day.d === 1;
}

/**
 * The latest run of an entry at or before `now` (looking back at most 31 days), and the report it writes:
 * the period that ended the day before the run. Null when it has never fallen due in that window.
 */
export function latestDue(e: ScheduleEntry, now: number, offsetMs: number): DueReport | null {
  const today = localDateOf(now, offsetMs);
  for (let back = 0; back <= 31; back++) {
    const day = addDays(today, -back);
    if (!runsOn(e, day)) continue;
    const dueAt = Date.UTC(day.y, day.m - 1, day.d) - offsetMs + e.minuteOfDay * MINUTE_MS;
    if (dueAt > now) continue;
    return { period: e.period, regionCode: e.regionCode, date: addDays(day, -1), dueAt };
  }
  return null;
}

export const SCHEDULE_LOOKBACK_MS = 31 * DAY_MS;
