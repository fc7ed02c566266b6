/**
 * REPORT_SCHEDULE with an injected clock and a real database: a due report is stored once (a stored file is
 * never rewritten), the next run stores the next one, and retention removes files past their age, rows and
 * files an older version left in REPORTS_DIR alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { parseReportSchedule } from '@/lib/reports/report-schedule';
import { createLogger } from '@/server/logger';
import { createReportService } from '@/server/reports/report-service';
import { startTestApp, type TestApp } from '../helpers/test-app';

const CST = 8 * 3_600_000;
const bj = (y: number, m: number, d: number, hh: number, mm: number) => Date.UTC(y, m - 1, d, hh, mm) - CST;

let t: TestApp;
let dir: string;
const clock = new FakeClock(bj(2026, 12, 2, 7, 59));

beforeAll(async () => {
  t = await startTestApp({ clock });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-report-schedule-'));
});
afterAll(async () => {
  await t?.close();
});

const service = (schedule: string, retentionDays = 400, fontPath?: string) =>
  createReportService({
    sql: t.app.ctx.sql,
    live: t.app.ctx.live,
    clock,
    logger: createLogger('silent'), // the font test's failure is expected
    tz: 'Asia/Shanghai',
    fontPath: fontPath ?? t.app.ctx.config.REPORT_FONT_PATH,
    dir,
    retentionDays,
    schedule: parseReportSchedule(schedule),
  });

describe('scheduled briefing reports', () => {
  it('stores each due report once, named by region, period and date', async () => {
    const s = service('daily@08:00,weekly@mon08:00');
    // 07:59 on Wed 2 Dec: yesterday's 08:00 run (30 Nov) and Monday's week (23–29 Nov) are due.
    expect((await s.runSchedule()).sort()).toEqual([
      'briefing-all-day-2026-11-30.pdf',
      'briefing-all-week-2026-11-29.pdf',
    ]);
    const first = await s.read('briefing-all-day-2026-11-30.pdf');
    expect(first!.subarray(0, 5).toString()).toBe('%PDF-');
    const firstAt = (await s.list()).find((f) => f.name === 'briefing-all-day-2026-11-30.pdf')!.createdAt;
    // Idempotent: nothing new is due, nothing is rewritten.
    clock.advance(1);
    expect(await s.runSchedule()).toEqual([]);
    expect(await s.read('briefing-all-day-2026-11-30.pdf')).toEqual(first);
    expect((await s.list()).find((f) => f.name === 'briefing-all-day-2026-11-30.pdf')!.createdAt).toBe(
      firstAt,
    );
    clock.set(bj(2026, 12, 2, 8, 0));
    expect(await s.runSchedule()).toEqual(['briefing-all-day-2026-12-01.pdf']);
    expect((await s.list()).map((f) => f.name)).toEqual([
      'briefing-all-day-2026-12-01.pdf',
      'briefing-all-day-2026-11-30.pdf',
      'briefing-all-week-2026-11-29.pdf',
    ]);
    // Nothing is written to REPORTS_DIR.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes report files older than the retention, and nothing else', async () => {
    fs.writeFileSync(path.join(dir, 'briefing-all-day-2026-10-01.pdf'), '%PDF-old');
    fs.writeFileSync(path.join(dir, 'briefing-all-day-2026-10-02.pdf'), '%PDF-old, on disk only');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'kept: not a report');
    const s = service('daily@08:00', 30);
    expect((await s.importFiles()).imported).toBe(2);
    await s.runSchedule();
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    const names = (await s.list()).map((f) => f.name);
    expect(names).not.toContain('briefing-all-day-2026-10-01.pdf');
    expect(names).toContain('briefing-all-day-2026-12-01.pdf');
    // A file retention finds on disk and not in the table goes too.
    fs.writeFileSync(path.join(dir, 'briefing-all-day-2026-10-03.pdf'), '%PDF-old');
    await s.prune();
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('says clearly which font is missing, and writes nothing', async () => {
    const s = service('monthly@08:00', 400, '/nonexistent/NotoSansCJK-Regular.ttc');
    await expect(s.render(null, 'day', { y: 2026, m: 12, d: 1 }, 'pdf')).rejects.toThrow(
      /report font not found at \/nonexistent\/NotoSansCJK-Regular\.ttc.*REPORT_FONT_PATH/,
    );
    // The schedule logs the failure and goes on; no file, not even a partial one.
    expect(await s.runSchedule()).toEqual([]);
    expect((await s.list()).filter((f) => f.name.includes('-month-'))).toEqual([]);
  });
});
