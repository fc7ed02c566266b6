/**
 * Briefing report files in the system of record on both engines (issue 19): a report the leader rendered is
 * listed and served by another process with another REPORTS_DIR (another host); the schedule never rewrites
 * a stored report, a hand-made one replaces it; files an older version left in REPORTS_DIR are imported once,
 * and what is not a readable report file stays where it is; retention deletes rows and old files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { parseReportSchedule } from '@/lib/reports/report-schedule';
import type { SqlDb } from '@/server/db/sql-db';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { createReportService } from '@/server/reports/report-service';
import { MAX_REPORT_BYTES } from '@/server/reports/report-store';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const CST = 8 * 3_600_000;
const bj = (y: number, m: number, d: number, hh: number, mm: number) => Date.UTC(y, m - 1, d, hh, mm) - CST;
const FONT = process.env.REPORT_FONT_PATH ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`briefing report files on ${backend.name}`, () => {
    let t: TestSqlDb;
    let root: string;
    const clock = new FakeClock(bj(2026, 12, 2, 8, 0));
    /** A process on a host of its own: its own REPORTS_DIR, and (on PostgreSQL) its own pool. */
    const host = (db: SqlDb, dir: string, o: { schedule?: string; retentionDays?: number } = {}) =>
      createReportService({
        sql: db,
        live: new LiveState(clock),
        clock,
        logger: createLogger('silent'),
        tz: 'Asia/Shanghai',
        fontPath: FONT,
        dir,
        retentionDays: o.retentionDays ?? 400,
        schedule: parseReportSchedule(o.schedule ?? 'daily@08:00'),
      });
    const dirs = () => ({ a: path.join(root, 'a'), b: path.join(root, 'b') });
    const body = (name: string) =>
      t.db.get<{ body: Buffer; createdAt: number }>(
        sql`SELECT body, created_at AS "createdAt" FROM report_files WHERE name = ${name}`,
      );

    beforeAll(async () => {
      t = await backend.open();
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-report-files-'));
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('stores what the leader renders, and another host lists and serves it', async () => {
      const leader = host(t.db, dirs().a);
      const other = host(t.another(), dirs().b);
      expect(await leader.runSchedule()).toEqual(['briefing-all-day-2026-12-01.pdf']);
      const [listed] = await other.list();
      expect(listed).toMatchObject({
        name: 'briefing-all-day-2026-12-01.pdf',
        regionCode: null,
        regionName: null,
        period: 'day',
        date: '2026-12-01',
        createdAt: clock.now(),
      });
      const pdf = await other.read(listed!.name);
      expect(pdf!.subarray(0, 5).toString()).toBe('%PDF-');
      expect(listed!.bytes).toBe(pdf!.length);
      expect(pdf!.length).toBeLessThan(MAX_REPORT_BYTES);
      // Nothing on either host's disk.
      expect(fs.existsSync(dirs().a)).toBe(false);
      expect(await other.read('briefing-all-day-2026-11-30.pdf')).toBeNull();
    });

    it('never rewrites a stored report on the schedule; a hand-made one replaces it', async () => {
      const leader = host(t.db, dirs().a);
      const before = await body('briefing-all-day-2026-12-01.pdf');
      clock.advance(60_000);
      expect(await leader.runSchedule()).toEqual([]);
      expect(await leader.generate(null, 'day', { y: 2026, m: 12, d: 1 })).toEqual({
        name: 'briefing-all-day-2026-12-01.pdf',
        isSkipped: true,
      });
      expect(await body('briefing-all-day-2026-12-01.pdf')).toEqual(before);
      expect(await leader.generate(null, 'day', { y: 2026, m: 12, d: 1 }, { force: true })).toMatchObject({
        isSkipped: false,
      });
      expect((await body('briefing-all-day-2026-12-01.pdf'))!.createdAt).toBe(clock.now());
    });

    it('imports the report files an older version left in REPORTS_DIR, once, and leaves the rest', async () => {
      const dir = dirs().b;
      fs.mkdirSync(dir, { recursive: true });
      const put = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
      put('briefing-all-week-2026-11-29.pdf', '%PDF-legacy week');
      put('briefing-330106001000-day-2026-11-30.pdf', '%PDF-legacy town');
      // Already stored from the rendered one: the row wins, the file is not read.
      put('briefing-all-day-2026-12-01.pdf', '%PDF-stale copy');
      put('notes.txt', 'not a report');
      // Over the bound (sparse: no bytes written), and a directory under a report's name.
      fs.closeSync(fs.openSync(path.join(dir, 'briefing-all-month-2026-10-31.pdf'), 'w'));
      fs.truncateSync(path.join(dir, 'briefing-all-month-2026-10-31.pdf'), MAX_REPORT_BYTES + 1);
      fs.mkdirSync(path.join(dir, 'briefing-all-xun-2026-11-20.pdf'));
      const stored = await body('briefing-all-day-2026-12-01.pdf');

      const b = host(t.another(), dir);
      const imported = await b.importFiles();
      expect(imported.imported).toBe(2);
      expect(imported.refused.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
        { name: 'briefing-all-month-2026-10-31.pdf', reason: 'too_large' },
        { name: 'briefing-all-xun-2026-11-20.pdf', reason: 'unreadable' },
      ]);
      expect(await body('briefing-all-day-2026-12-01.pdf')).toEqual(stored);
      // The leader's host, which never had the files, lists and serves them.
      const leader = host(t.db, dirs().a);
      expect((await leader.list()).map((f) => f.name)).toEqual([
        'briefing-all-day-2026-12-01.pdf',
        'briefing-330106001000-day-2026-11-30.pdf',
        'briefing-all-week-2026-11-29.pdf',
      ]);
      expect((await leader.read('briefing-all-week-2026-11-29.pdf'))!.toString()).toBe('%PDF-legacy week');
      const mtime = Math.round(fs.statSync(path.join(dir, 'briefing-all-week-2026-11-29.pdf')).mtimeMs);
      expect((await body('briefing-all-week-2026-11-29.pdf'))!.createdAt).toBe(mtime);
      // A restart imports nothing twice.
      expect((await host(t.another(), dir).importFiles()).imported).toBe(0);
      expect(await host(t.db, path.join(root, 'none')).importFiles()).toEqual({ imported: 0, refused: [] });
    });

    it('retention deletes the rows and the old files, and nothing else', async () => {
      const dir = dirs().b;
      // 2 Dec with 2 days kept: reports dated before 30 Nov go.
      const s = host(t.db, dir, { schedule: '', retentionDays: 2 });
      expect(await s.prune()).toBe(1);
      expect((await s.list()).map((f) => f.name)).toEqual([
        'briefing-all-day-2026-12-01.pdf',
        'briefing-330106001000-day-2026-11-30.pdf',
      ]);
      expect(fs.readdirSync(dir).sort()).toEqual([
        'briefing-330106001000-day-2026-11-30.pdf',
        'briefing-all-day-2026-12-01.pdf',
        'briefing-all-xun-2026-11-20.pdf', // a directory: not a file to remove
        'notes.txt',
      ]);
      expect(await s.read('briefing-all-week-2026-11-29.pdf')).toBeNull();
    });
  });
}
