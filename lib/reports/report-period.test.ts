import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseLocalDate,
  parseReportFileName,
  reportFileName,
  reportPeriodTitle,
  reportWindow,
} from './report-period';

const CST = 8 * 3_600_000;
const DAY = 86_400_000;

describe('report periods', () => {
  it('covers the day, the 7 days ending on it, its 旬 and its month, in Beijing time', () => {
    const d = parseLocalDate('2026-12-01')!;
    expect(reportWindow('day', d, CST)).toEqual([Date.UTC(2026, 10, 30, 16), Date.UTC(2026, 11, 1, 16)]);
    expect(reportWindow('week', d, CST)[1] - reportWindow('week', d, CST)[0]).toBe(7 * DAY);
    const feb = parseLocalDate('2027-02-25')!;
    expect(reportWindow('xun', feb, CST)).toEqual([Date.UTC(2027, 1, 20, 16), Date.UTC(2027, 1, 28, 16)]);
    expect(reportWindow('month', feb, CST)[1]).toBe(Date.UTC(2027, 1, 28, 16));
  });

  it('titles the period as a briefing does', () => {
    const d = parseLocalDate('2026-12-01')!;
    expect(reportPeriodTitle('day', d)).toBe('2026年12月1日');
    expect(reportPeriodTitle('week', d)).toBe('2026年11月25日—12月1日');
    expect(reportPeriodTitle('xun', parseLocalDate('2026-12-15')!)).toBe('2026年12月中旬');
    expect(reportPeriodTitle('month', d)).toBe('2026年12月');
  });

  it('refuses dates that do not exist', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26-12-01', '2026-12-1', '../2026-12-01'])
      expect(parseLocalDate(bad), bad).toBeNull();
  });

  it('round-trips file names and accepts nothing else (no paths, no other files)', () => {
    const f = { regionCode: '330106001000', period: 'xun' as const, date: '2026-12-11' };
    expect(parseReportFileName(reportFileName(f))).toEqual(f);
    for (const bad of [
      '../briefing-all-day-2026-12-01.pdf',
      'briefing-all-day-2026-12-01.pdf.tmp',
      'secret.pdf',
    ])
      expect(parseReportFileName(bad), bad).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseReportFileName(s);
        if (parsed) expect(reportFileName(parsed)).toBe(s); // only exact canonical names pass
      }),
    );
  });
});
