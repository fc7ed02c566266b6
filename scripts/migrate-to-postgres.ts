/**
 * Moves a stopped SQLite deployment into an empty PostgreSQL database, then verifies it:
 *
 *   npm run db:migrate-to-postgres -- --from ./data/pingan.db --to "$DATABASE_URL" [--batch 1000]
 *     [--uploads ./data/uploads] [--reports ./data/reports]
 *
 * --from defaults to DATABASE_PATH (or ./data/pingan.db), --to to DATABASE_URL, --uploads to UPLOADS_DIR
 * (or ./data/uploads) and --reports to REPORTS_DIR (or ./data/reports): photos, alarm snapshots (under
 * alarm-snapshots/) and report files an older version kept only there are carried into PostgreSQL with the rows. AUDIT_KEY must be set when
 * the audit chain is keyed; with REDIS_URL the head anchored in Redis is checked as well as the anchor file
 * beside the database. Prints a JSON report (row counts per table, the chain verified on both sides) and
 * exits 0 when everything matched, 1 when the copy does not verify, 2 when it was refused (nothing kept).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { MigrationRefused, migrateSqliteToPg } from '@/server/db/pg/migrate-from-sqlite';

const { values: a } = parseArgs({
  options: {
    from: { type: 'string', default: process.env.DATABASE_PATH ?? './data/pingan.db' },
    to: { type: 'string', default: process.env.DATABASE_URL },
    batch: { type: 'string' },
    uploads: { type: 'string', default: process.env.UPLOADS_DIR ?? './data/uploads' },
    reports: { type: 'string', default: process.env.REPORTS_DIR ?? './data/reports' },
  },
});

function fail(message: string, code: number): never {
  process.stderr.write(`db:migrate-to-postgres: ${message}\n`);
  process.exit(code);
}

if (!a.to || !/^postgres(ql)?:\/\//.test(a.to)) fail('--to (or DATABASE_URL) must be a postgres:// URL', 2);
const batchRows = a.batch === undefined ? undefined : Number(a.batch);
if (batchRows !== undefined && (!Number.isInteger(batchRows) || batchRows < 1))
  fail('--batch must be a whole number ≥ 1', 2);

try {
  const report = await migrateSqliteToPg({
    from: a.from!,
    to: a.to,
    auditKey: process.env.AUDIT_KEY || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    batchRows,
    uploadsDir: path.resolve(a.uploads!),
    reportsDir: path.resolve(a.reports!),
    // stdout carries the report alone; warnings (an unreachable Redis anchor) go to stderr.
    logger: pino({ level: 'warn' }, pino.destination(2)),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!report.ok) fail('the copy does not verify (see the report above)', 1);
} catch (e) {
  if (e instanceof MigrationRefused) fail(`refused: ${e.message}`, 2);
  throw e;
}
