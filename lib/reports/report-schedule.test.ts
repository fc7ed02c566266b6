import { describe, expect, it } from 'vitest';
import { formatLocalDate } from './report-period';
import { latestDue, parseReportSchedule } from './report-schedule';

const CST = 8 * 3_600_000;
/** An instant given as Beijing wall-clock time. */
const bj = (y: number, m: number, d: number, hh: number, mm: number) => Date.UTC(y, m - 1, d, hh, mm) - CST;

describe('REPORT_SCHEDULE', () => {
  it('parses every kind, a weekday for weekly and an optional region', () => {
    expect(parseReportSchedule('')).toEqual([]);
    expect(parseReportSchedule('daily@08:00, weekly@mon08:30,xun@07:00,monthly@09:15/330106001000')).toEqual([
      { period: 'day', minuteOfDay: 480, weekday: null, regionCode: null },
      { period: 'week', minuteOfDay: 510, weekday: 0, regionCode: null },
      { period: 'xun', minuteOfDay: 420, weekday: null, regionCode: null },
      { period: 'month', minuteOfDay: 555, weekday: null, regionCode: '330106001000' },
    ]);
  });

  it('refuses what it does not understand, naming the entry', () => {
    for (const bad of [
      'daily@8:00',
      'daily@24:00',
      'weekly@08:00',
      'daily@mon08:00',
      'hourly@08:00',
      'daily@08:00/33',
    ])
      expect(() => parseReportSchedule(bad), bad).toThrow(bad);
  });

  it('reports the period that ended before each run', () => {
    const [daily, weekly, xun, monthly] = parseReportSchedule(
      'daily@08:00,weekly@mon08:00,xun@08:00,monthly@08:00',
    );
    const due = (e: typeof daily, t: number) => {
      const r = latestDue(e!, t, CST);
      return r && `${r.period} ${formatLocalDate(r.date)}`;
    };
    // Wed 2 Dec 2026: before 08:00 the last run was on the 1st (for 30 Nov); at 08:00 today's, for the 1st.
    expect(due(daily, bj(2026, 12, 2, 7, 59))).toBe('day 2026-11-30');
    expect(due(daily, bj(2026, 12, 2, 8, 0))).toBe('day 2026-12-01');
    // Monday 30 Nov 08:00: the week Mon 23 – Sun 29 Nov.
    expect(due(weekly, bj(2026, 12, 2, 12, 0))).toBe('week 2026-11-29');
    expect(due(xun, bj(2026, 12, 12, 9, 0))).toBe('xun 2026-12-10');
    expect(due(monthly, bj(2026, 12, 2, 9, 0))).toBe('month 2026-11-30');
  });
});
