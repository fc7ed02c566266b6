/**
 * Moves a stopped SQLite deployment into an empty PostgreSQL database (`npm run db:migrate-to-postgres`).
 *
 * Order of work, each step refusing with a reason rather than half-doing:
 * 1. the SQLite file must be at exactly the migration level this code knows, and its audit chain must
 *    verify (with its anchors), so a broken chain is found where it broke, not after the move;
 * 2. the target must hold no rows and no tables but ours (a second run refuses: nothing is copied twice);
 * 3. drizzle-pg/ migrations create the schema, then every table is copied in dependency order, in
 *    batches, in one transaction read from one SQLite snapshot, so a failure leaves the target empty;
 * 4. photos, alarm snapshots and report files that an older version kept only on disk (UPLOADS_DIR,
 *    REPORTS_DIR) join their rows in the same transaction, so every host serves them once PostgreSQL is the
 *    system of record;
 * 5. identity sequences continue after the highest id SQLite ever issued;
 * 6. row counts are compared table by table (snapshots and report files carried from disk counted apart),
 *    and the chain is verified again on PostgreSQL against the same anchors (outside both databases).
 */
import Database from 'better-sqlite3';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { anchorPathFor, readAnchor, type AnchorReading } from '../../audit/audit-anchor';
import { deriveAuditKey, parseKeyedMarker } from '../../audit/audit-key';
import type { AnchorReadings, VerifyResult } from '../../audit/audit-log';
import { RedisAuditAnchor } from '../../audit/redis-anchor';
import type { Logger } from '../../logger';
import { CopyRefused, copyTable, quote, resetSequences } from './copy-table';
import { createPgPool, migratePg } from './open-pg';
import { pgChainSource, sqlChainSource, verifyChain } from '../../audit/verify-chain';
import { pgClientRunner, sqliteSqlDb } from '../sql-db';
import { legacySnapshotDir, SnapshotStore } from '../../alarms/snapshot-store';
import { ReportStore } from '../../reports/report-store';
import { UploadStore } from '../../uploads/upload-store';
import * as s from './schema';

/**
 * Parents before the rows that name them (there are no foreign keys yet, but a reader of a half-copied
 * database, or a later schema with keys, finds every reference resolvable), the audit log last but one so
 * it records a world that is already there.
 */
export const COPY_ORDER: readonly PgTable[] = [
  s.meta,
  s.regions,
  s.grids,
  s.departments,
  s.vehicles,
  s.cameras,
  s.workers,
  s.fieldDevices,
  s.users,
  s.sessions,
  s.displayTokens,
  s.importRuns,
  s.alarmSnapshots,
  s.incidents,
  s.incidentEvents,
  s.hotlineCallbacks,
  s.uploads,
  s.incidentAttachments,
  s.workerReports,
  s.workerActions,
  s.reportFiles,
  s.historyEntities,
  s.historySegments,
  s.historyKeyframes,
  s.auditDenials,
  s.auditLog,
];

export const DEFAULT_BATCH_ROWS = 1_000;
/** How long to wait for the Redis anchor to answer before calling it unavailable. */
const REDIS_ANCHOR_WAIT_MS = 5_000;
const SQLITE_MIGRATIONS = path.resolve(import.meta.dirname, '../../../drizzle/meta/_journal.json');

/** The move was refused before anything was written (or was rolled back): the reason says what to do. */
export class MigrationRefused extends Error {}

export interface MigrateOptions {
  /** The SQLite file (DATABASE_PATH) of a stopped deployment. */
  from: string;
  /** postgres://… of an empty database. */
  to: string;
  /** AUDIT_KEY, required when the chain is keyed. */
  auditKey?: string;
  /** REDIS_URL of the deployment: its anchored head is checked too. */
  redisUrl?: string;
  /**
   * UPLOADS_DIR of the deployment: photos whose rows have no bytes, and alarm snapshots that incidents name
   * but the table lacks (under alarm-snapshots/), are read from here.
   */
  uploadsDir: string;
  /** REPORTS_DIR of the deployment: report files not in the table are read from here. */
  reportsDir: string;
  batchRows?: number;
  logger: Logger;
  onProgress?: (line: string) => void;
}

export interface TableReport {
  table: string;
  sqliteRows: number;
  /** Rows made from files on disk (alarm_snapshots, report_files), beside those copied. */
  fromFiles: number;
  pgRows: number;
  /** Time spent copying it. */
  seconds: number;
}

export interface MigrateReport {
  ok: boolean;
  tables: TableReport[];
  /** The chain as verified on SQLite before the copy and on PostgreSQL after it. */
  audit: { sqlite: VerifyResult; pg: VerifyResult };
  /** Bytes carried from disk; what was not readable there is named (it was not served before either). */
  files: {
    photos: Awaited<ReturnType<UploadStore['carryFiles']>>;
    snapshots: Awaited<ReturnType<SnapshotStore['carryFiles']>>;
    reports: Awaited<ReturnType<ReportStore['importDir']>>;
  };
  seconds: number;
}

function openSource(file: string): Database.Database {
  if (!fs.existsSync(file)) throw new MigrationRefused(`no SQLite database at ${file}`);
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  const journal = JSON.parse(fs.readFileSync(SQLITE_MIGRATIONS, 'utf8')) as { entries: unknown[] };
  let applied: number;
  try {
    applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  } catch {
    sqlite.close();
    throw new MigrationRefused(`${file} is not a Pingan database (no migration history)`);
  }
  if (applied !== journal.entries.length) {
    sqlite.close();
    throw new MigrationRefused(
      applied < journal.entries.length
        ? `${file} is at migration ${applied} of ${journal.entries.length}: start this version's server on it once (it migrates on start), stop it, then move it`
        : `${file} has ${applied} migrations, more than this version knows (${journal.entries.length}): move it with the version that wrote it`,
    );
  }
  return sqlite;
}

async function readAnchors(
  sqlite: Database.Database,
  opts: Pick<MigrateOptions, 'from' | 'redisUrl' | 'auditKey' | 'logger'>,
): Promise<AnchorReadings> {
  const readings: AnchorReadings = {};
  const file = anchorPathFor(opts.from);
  if (file && fs.existsSync(file)) readings.file = readAnchor(file);
  if (opts.redisUrl) {
    const markerRow = sqlite.prepare(`SELECT value FROM meta WHERE key = 'audit_chain_keyed_from'`).get() as
      { value: string } | undefined;
    const marker = parseKeyedMarker(markerRow?.value);
    const chain =
      marker && 'fromId' in marker && opts.auditKey
        ? { key: deriveAuditKey(opts.auditKey), fromId: marker.fromId }
        : null;
    const redis = new RedisAuditAnchor(opts.redisUrl, opts.logger, chain);
    try {
      const until = Date.now() + REDIS_ANCHOR_WAIT_MS;
      let reading: AnchorReading = await redis.read();
      while (redis.isUnavailable(reading) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        reading = await redis.read();
      }
      readings.redis = reading;
    } finally {
      await redis.close();
    }
  }
  return readings;
}

/**
 * Refuses a move that would leave photos or alarm snapshots behind wholesale: bytes that are only files,
 * and no UPLOADS_DIR where it was said to be (a single missing file is named in the report instead).
 */
function assertUploadsDir(sqlite: Database.Database, dir: string): void {
  const count = (query: string) => (sqlite.prepare(query).get() as { n: number }).n;
  const photos = count('SELECT count(*) AS n FROM uploads WHERE data IS NULL OR thumb IS NULL');
  const snapshots = count(
    `SELECT count(DISTINCT snapshot_sha256) AS n FROM incidents i WHERE snapshot_sha256 IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM alarm_snapshots s WHERE s.sha256 = i.snapshot_sha256)`,
  );
  if (photos + snapshots === 0 || fs.existsSync(dir)) return;
  const what = [photos && `${photos} photos`, snapshots && `${snapshots} alarm snapshots`].filter(Boolean);
  throw new MigrationRefused(
    `${what.join(' and ')} are stored only as files, and there is no uploads directory at ${dir}: pass --uploads (UPLOADS_DIR)`,
  );
}

/** Refuses a target holding any row, or any table that is not ours. */
async function assertEmptyTarget(client: pg.ClientBase): Promise<void> {
  const known = new Set(COPY_ORDER.map((t) => getTableConfig(t).name));
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  for (const { table_name: name } of tables.rows) {
    if (!known.has(name))
      throw new MigrationRefused(
        `the target holds a table that is not Pingan's (${name}): use an empty database`,
      );
    const r = await client.query<{ has: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(name)}) AS has`);
    if (r.rows[0]!.has)
      throw new MigrationRefused(
        `the target already holds data (table ${name} has rows): nothing was copied; move into an empty database`,
      );
  }
}

export async function migrateSqliteToPg(opts: MigrateOptions): Promise<MigrateReport> {
  const started = performance.now();
  const progress = opts.onProgress ?? (() => {});
  const sqlite = openSource(opts.from);
  const pool = createPgPool(opts.to, { max: 2 });
  try {
    const anchors = await readAnchors(sqlite, opts);
    progress('verifying the audit chain on SQLite');
    const before = await verifyChain(sqlChainSource(sqliteSqlDb(sqlite)), {
      auditKey: opts.auditKey,
      anchors,
    });
    if (!before.ok)
      throw new MigrationRefused(
        `the audit chain does not verify on SQLite (${before.reason}): find out why before moving it`,
      );

    assertUploadsDir(sqlite, opts.uploadsDir);
    const client = await pool.connect();
    try {
      await assertEmptyTarget(client);
      progress('creating the schema (drizzle-pg migrations)');
      await migratePg(pool);

      // One snapshot of the source for the whole copy and its counts.
      sqlite.exec('BEGIN');
      const tables: TableReport[] = [];
      let files: MigrateReport['files'] | undefined;
      await client.query('BEGIN');
      try {
        for (const table of COPY_ORDER) {
          const name = getTableConfig(table).name;
          const t0 = performance.now();
          const n = await copyTable(sqlite, client, table, opts.batchRows ?? DEFAULT_BATCH_ROWS);
          const seconds = +((performance.now() - t0) / 1000).toFixed(2);
          progress(`${name}: ${n} rows in ${seconds} s`);
          tables.push({ table: name, sqliteRows: n, fromFiles: 0, pgRows: 0, seconds });
        }
        const runner = pgClientRunner(client);
        progress(`photos and alarm snapshots: carrying file-only bytes from ${opts.uploadsDir}`);
        files = {
          photos: await new UploadStore(runner, opts.uploadsDir).carryFiles(),
          snapshots: await new SnapshotStore(runner, legacySnapshotDir(opts.uploadsDir)).carryFiles(),
          reports: await new ReportStore(runner, opts.reportsDir, opts.logger).importDir(),
        };
        progress(
          `photos: ${files.photos.carried} carried from files, ${files.photos.missing} files missing; alarm snapshots: ${files.snapshots.carried} carried, ${files.snapshots.missing} missing; report files: ${files.reports.imported} carried from ${opts.reportsDir}`,
        );
        const fromFiles = (table: PgTable, n: number) =>
          (tables.find((t) => t.table === getTableConfig(table).name)!.fromFiles = n);
        fromFiles(s.alarmSnapshots, files.snapshots.carried);
        fromFiles(s.reportFiles, files.reports.imported);
        await resetSequences(sqlite, client, COPY_ORDER);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        if (e instanceof CopyRefused) throw new MigrationRefused(`${e.message}: nothing was kept`);
        throw new MigrationRefused(`copy failed, nothing was kept: ${(e as Error).message}`);
      }
      for (const t of tables) {
        t.sqliteRows = (
          sqlite.prepare(`SELECT count(*) AS n FROM ${quote(t.table)}`).get() as { n: number }
        ).n;
        const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(t.table)}`);
        t.pgRows = r.rows[0]!.n;
      }
      sqlite.exec('COMMIT');

      progress('verifying the audit chain on PostgreSQL');
      const after = await verifyChain(pgChainSource(client), { auditKey: opts.auditKey, anchors });
      const isCounted = tables.every((t) => t.sqliteRows + t.fromFiles === t.pgRows);
      return {
        ok: isCounted && after.ok,
        tables,
        audit: { sqlite: before, pg: after },
        files: files!,
        seconds: +((performance.now() - started) / 1000).toFixed(2),
      };
    } finally {
      client.release();
    }
  } finally {
    sqlite.close();
    await pool.end();
  }
}
