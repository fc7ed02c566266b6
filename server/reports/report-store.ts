/**
 * Briefing report files in the system of record (`report_files`): the leader renders them on whichever
 * host it runs, and every host lists and serves them. A stored file is never rewritten by the schedule
 * (`add` keeps the first); only a regeneration by hand replaces one (`replace`), in one statement, so a
 * download never meets half a file.
 *
 * Files that an older version wrote into REPORTS_DIR are imported at start (`importDir`) rather than listed
 * beside the rows: the table stays the one listing, with one retention and one way to serve, and each host
 * brings in the files only its own disk holds. A name already in the table is neither read nor imported,
 * so a restart costs one directory listing; the files stay until retention removes them.
 */
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { parseReportFileName, type ReportPeriod } from '@/lib/reports/report-period';
import { readLegacyFile } from '../db/legacy-file';
import type { SqlRunner } from '../db/sql-db';
import type { Logger } from '../logger';

/**
 * A report file's bound, a row's blob: a one-page briefing PDF (CJK font subset, map, charts) measures
 * 140 KB with no incidents and 0.5 MB for a week of 14,000 on the district preset (map points are capped at
 * MAP_POINTS_MAX); a render past this is refused rather than stored, and a larger file is not imported.
 */
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;
/** Refusals an import names in its answer and log (the rest are counted). */
const IMPORT_REFUSALS_NAMED = 20;

export interface StoredReport {
  name: string;
  regionCode: string | null;
  period: ReportPeriod;
  date: string;
  bytes: number;
  createdAt: number;
}

export class ReportStoreError extends Error {}

export class ReportStore {
  constructor(
    /** The database, or (the move to PostgreSQL) a transaction on it. */
    private readonly db: SqlRunner,
    /** REPORTS_DIR: only read for import, and cleared by retention. */
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async has(name: string): Promise<boolean> {
    return (await this.db.get(sql`SELECT 1 AS x FROM report_files WHERE name = ${name}`)) !== undefined;
  }

  /**
   * Stores a file under a report name; with `replace` an existing one is replaced, otherwise kept (answers
   * false: nothing was written).
   */
  async put(name: string, body: Buffer, createdAt: number, o: { replace?: boolean } = {}): Promise<boolean> {
    const f = parseReportFileName(name);
    if (!f) throw new ReportStoreError(`not a report file name: ${name.slice(0, 80)}`);
    if (body.length > MAX_REPORT_BYTES)
      throw new ReportStoreError(`report ${name} is ${body.length} bytes, over ${MAX_REPORT_BYTES}`);
    const insert = sql`INSERT INTO report_files (name, region_code, period, date, bytes, created_at, body)
      VALUES (${name}, ${f.regionCode}, ${f.period}, ${f.date}, ${body.length}, ${createdAt}, ${body})`;
    const r = await this.db.run(
      o.replace
        ? sql`${insert} ON CONFLICT (name) DO UPDATE
              SET bytes = excluded.bytes, created_at = excluded.created_at, body = excluded.body`
        : sql`${insert} ON CONFLICT (name) DO NOTHING`,
    );
    return r.changes > 0;
  }

  /** Every stored report without its body, newest first (by date, then by when it was written). */
  list(): Promise<StoredReport[]> {
    return this.db.all<StoredReport>(
      sql`SELECT name, region_code AS "regionCode", period, date, bytes, created_at AS "createdAt"
          FROM report_files ORDER BY date DESC, created_at DESC, name`,
    );
  }

  async read(name: string): Promise<Buffer | null> {
    const row = await this.db.get<{ body: Buffer }>(sql`SELECT body FROM report_files WHERE name = ${name}`);
    return row?.body ?? null;
  }

  /** Removes the reports dated before `oldest` (YYYY-MM-DD): their rows, and their files in REPORTS_DIR. */
  async prune(oldest: string): Promise<number> {
    const removed = (await this.db.run(sql`DELETE FROM report_files WHERE date < ${oldest}`)).changes;
    for (const name of await this.namesOnDisk()) {
      const f = parseReportFileName(name);
      if (!f || f.date >= oldest) continue;
      try {
        await unlink(path.join(this.dir, name));
      } catch (err) {
        this.logger.warn({ err, name }, 'report retention: could not remove the file');
      }
    }
    return removed;
  }

  /**
   * Imports the report files in REPORTS_DIR whose names the table lacks, one at a time; a file that cannot
   * be read, or is over the bound, is left where it is and named in the answer. A database error is thrown.
   */
  async importDir(): Promise<{ imported: number; refused: { name: string; reason: string }[] }> {
    const refused: { name: string; reason: string }[] = [];
    let imported = 0;
    const names = (await this.namesOnDisk()).filter((n) => parseReportFileName(n) !== null);
    if (names.length === 0) return { imported, refused };
    const stored = new Set(
      (await this.db.all<{ name: string }>(sql`SELECT name FROM report_files`)).map((r) => r.name),
    );
    let refusedCount = 0;
    for (const name of names) {
      if (stored.has(name)) continue;
      const file = await readLegacyFile(path.join(this.dir, name), MAX_REPORT_BYTES);
      if (!file.ok) {
        if (refusedCount++ < IMPORT_REFUSALS_NAMED) refused.push({ name, reason: file.reason });
        continue;
      }
      if (await this.put(name, file.data, file.mtimeMs)) imported++;
    }
    if (imported > 0 || refusedCount > 0)
      this.logger.info(
        { dir: this.dir, imported, refused: refusedCount, named: refused },
        'report files imported from REPORTS_DIR',
      );
    return { imported, refused };
  }

  private async namesOnDisk(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch {
      return []; // no directory: nothing was ever written there
    }
  }
}
