/**
 * `npm run db:migrate-to-postgres` as an operator runs it: a SQLite deployment seeded through the product's
 * own code (the tiny world, demo accounts, a day of incidents handled through the audited dispatch service,
 * position history, a keyed audit chain anchored beside the file, photos, alarm snapshots and report files,
 * some of them kept only on disk as an older version did) is moved into a fresh PostgreSQL database; every
 * row arrives as it was, the file-only photo, snapshot and report arrive with their bytes, the chain verifies
 * there, and tampering on PostgreSQL is caught.
 */
import { sqliteSqlDb } from '@/server/db/sql-db';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { anchorPathFor, AuditAnchor, readAnchor } from '@/server/audit/audit-anchor';
import { configureSqlAuditChain, deriveAuditKey } from '@/server/audit/audit-key';
import { RedisAuditAnchor } from '@/server/audit/redis-anchor';
import { appendAudit, SqlAudit } from '@/server/audit/audit-append';
import { pgSqlDb, type SqlDb } from '@/server/db/sql-db';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { openDatabase } from '@/server/db/open-database';
import { createPgClient, createPgPool } from '@/server/db/pg/open-pg';
import { pgChainSource, verifyChain } from '@/server/audit/verify-chain';
import { BUCKET_MS } from '@/server/history/open-runs';
import { SWEEP_GRACE_MS } from '@/server/history/history-writer';
import { createInThreadHistory } from '@/server/history/in-thread';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { backfillDemoHistory } from '@/server/simulator/history-backfill';
import { SEED_PRESETS } from '@/server/world/seed-presets';
import { seedDemoWorld } from '@/server/world/seed-world';
import { createTestPgDatabase, pgUnavailable, type TestPgDatabase } from '../helpers/pg';
import { TestRedis } from '../helpers/redis-server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import type { HealthReport } from '@/lib/realtime/contract';
import { legacySnapshotDir, snapshotFilePath, SnapshotStore } from '@/server/alarms/snapshot-store';
import { ReportStore } from '@/server/reports/report-store';
import { isRejection, processPhoto, type ProcessedPhoto } from '@/server/uploads/photo';
import { photoFilePath, UploadStore } from '@/server/uploads/upload-store';

const unavailable = await pgUnavailable();
if (unavailable) console.warn(`pg-migrate skipped: ${unavailable}`);

const ROOT = path.resolve(import.meta.dirname, '../..');
const AUDIT_KEY = 'pg-migrate-test-audit-key-0123456789abcdef';
const JSONB = new Set(['departments.categories', 'incident_events.data']);
const BOOLEAN = new Set(['vehicles.is_unassigned', 'cameras.is_unassigned', 'workers.is_unassigned']);
const FILE_ONLY_REPORT = 'briefing-all-week-2026-11-29.pdf';
/** A camera's PNG as an older version kept it: a file under UPLOADS_DIR/alarm-snapshots, no row. */
const FILE_ONLY_SNAPSHOT = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('snapshot kept only on disk'),
]);
const FILE_ONLY_SNAPSHOT_SHA = createHash('sha256').update(FILE_ONLY_SNAPSHOT).digest('hex');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A deployment's UPLOADS_DIR and REPORTS_DIR: beside its database file. */
const uploadsDirOf = (file: string) => path.join(path.dirname(file), 'uploads');
const reportsDirOf = (file: string) => path.join(path.dirname(file), 'reports');

/** The npm script's own file in its own process, as `npm run db:migrate-to-postgres -- …` runs it. */
async function migrateCli(from: string, to: string, env: Record<string, string> = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        ...['--import', 'tsx', 'scripts/migrate-to-postgres.ts', '--from', from, '--to', to, '--batch', '97'],
        ...['--uploads', uploadsDirOf(from), '--reports', reportsDirOf(from)],
      ],
      { cwd: ROOT, env: { ...process.env, AUDIT_KEY, REDIS_URL: '', ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A real photo as the upload path stores it (re-encoded, with its thumbnail). */
async function testPhoto(red: number): Promise<ProcessedPhoto> {
  const jpeg = await sharp({
    create: { width: 96, height: 64, channels: 3, background: { r: red, g: 90, b: 40 } },
  })
    .jpeg()
    .toBuffer();
  const p = await processPhoto(jpeg);
  if (isRejection(p)) throw new Error(p.reason);
  return p;
}

/**
 * Photos, alarm snapshots and report files: one of each stored as this version stores them (bytes in the
 * row), one of each only on disk as an older version left them (a row without bytes, a file without a row).
 */
async function seedFiles(db: SqlDb, file: string, now: number): Promise<void> {
  const uploads = new UploadStore(db, uploadsDirOf(file));
  await uploads.save(await testPhoto(10), 'grid01', now);
  const old = await testPhoto(200);
  await db.run(
    sql`INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at)
          VALUES (${old.hash}, 'image/jpeg', ${old.data.length}, ${old.width}, ${old.height}, 'grid02', ${now - 86_400_000})`,
  );
  fs.mkdirSync(path.dirname(uploads.fileOf(old.hash, false)), { recursive: true });
  fs.writeFileSync(uploads.fileOf(old.hash, false), old.data);
  fs.writeFileSync(uploads.fileOf(old.hash, true), old.thumb);
  await new ReportStore(db, reportsDirOf(file), createLogger('silent')).put(
    'briefing-all-day-2026-12-01.pdf',
    Buffer.from('%PDF-stored'),
    now,
  );
  fs.mkdirSync(reportsDirOf(file), { recursive: true });
  fs.writeFileSync(path.join(reportsDirOf(file), FILE_ONLY_REPORT), '%PDF-only on disk');
  fs.writeFileSync(path.join(reportsDirOf(file), 'notes.txt'), 'not a report');

  // Two incidents become camera alarms: one whose snapshot is in its row, one whose snapshot is a file.
  const snapshotDir = legacySnapshotDir(uploadsDirOf(file));
  const stored = await new SnapshotStore(db, snapshotDir).put(
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
    'jpeg',
    now,
  );
  const legacy = snapshotFilePath(snapshotDir, FILE_ONLY_SNAPSHOT_SHA, 'png');
  fs.mkdirSync(path.dirname(legacy), { recursive: true });
  fs.writeFileSync(legacy, FILE_ONLY_SNAPSHOT);
  const ids = await db.all<{ id: string }>(sql`SELECT id FROM incidents ORDER BY id LIMIT 2`);
  for (const [i, sha] of [stored, FILE_ONLY_SNAPSHOT_SHA].entries())
    await db.run(sql`UPDATE incidents SET snapshot_sha256 = ${sha} WHERE id = ${ids[i]!.id}`);
}

/** A refused move left the target as it was: not one table created. */
async function expectNoTables(url: string): Promise<void> {
  const c = createPgClient(url);
  await c.connect();
  try {
    const tables = await c.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.rowCount).toBe(0);
  } finally {
    await c.end();
  }
}

/** A stopped deployment: seeded, handled, with history and an anchored, keyed chain. */
async function seedDeployment(file: string, redisUrl: string): Promise<void> {
  const db = openDatabase(file);
  const sqlite = db.$client;
  const logger = createLogger('error');
  await configureSqlAuditChain(sqliteSqlDb(sqlite), { auditKey: AUDIT_KEY, logger });
  const now = Date.now();
  const clock = new FakeClock(now);
  await seedDemoWorld(sqliteSqlDb(sqlite), { ...SEED_PRESETS.tiny.world, seed: 'pg-migrate' });
  await seedDemoAccounts(sqliteSqlDb(sqlite), clock, 'pg-migrate-password-1');
  await backfillDemoHistory({ db: sqliteSqlDb(sqlite), logger, days: 1, now, incidentsPerDay: 60 });

  await seedFiles(sqliteSqlDb(sqlite), file, now);

  // Position history: a few vehicles over two buckets, written once the first is past its grace.
  const t0 = Math.floor(now / BUCKET_MS) * BUCKET_MS - 3 * BUCKET_MS;
  const hClock = new FakeClock(t0);
  const live = new LiveState(hClock);
  for (let i = 0; i < 5; i++) live.vehicle.add({ id: `pgm-V${i}`, name: null, kind: null });
  const history = createInThreadHistory({ sqlite, live, clock: hClock, logger, retentionDays: 30 });
  const report = (at: number, k: number) => {
    hClock.set(at);
    for (let i = 0; i < 5; i++) {
      live.vehicle.ts[i] = at;
      live.vehicle.lng[i] = 120.1 + i / 1e3 + k / 1e5;
      live.vehicle.lat[i] = 30.2 + k / 1e5;
      live.vehicle.speed[i] = 20 + i;
      live.vehicle.touch(i, live.tick);
    }
    history.tick(live.seal());
  };
  for (let k = 0; k < 3; k++) report(t0 + 60_000 + k * 30_000, k);
  report(t0 + BUCKET_MS + 1_000, 3);
  let at = t0 + BUCKET_MS + SWEEP_GRACE_MS;
  for (let tick = 0; tick < 20; tick++) {
    hClock.set((at += 100));
    history.tick(live.seal());
  }

  // The head anchored beside the file and in Redis (signed with the key), as the server does every second.
  const chain = await configureSqlAuditChain(sqliteSqlDb(sqlite), { auditKey: AUDIT_KEY, logger });
  const redis = new RedisAuditAnchor(redisUrl, logger, chain);
  const anchor = new AuditAnchor(sqliteSqlDb(sqlite), anchorPathFor(file), clock, logger, redis);
  for (let i = 0; i < 100 && (await redis.read()).error; i++) await new Promise((r) => setTimeout(r, 50));
  await anchor.tick();
  await redis.close();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}

/** Every row of a table, ordered, with SQLite's encodings turned into what PostgreSQL should hold. */
function sqliteRows(sqlite: Database.Database, table: string, order: string): unknown[] {
  const rows = sqlite.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).all() as Record<
    string,
    unknown
  >[];
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        const where = `${table}.${k}`;
        if (v !== null && JSONB.has(where)) return [k, JSON.parse(v as string)];
        if (v !== null && BOOLEAN.has(where)) return [k, v === 1];
        return [k, v];
      }),
    ),
  );
}

/** What PostgreSQL should hold beyond SQLite's rows: the bytes of file-only photos, file-only snapshots and reports. */
function withFilesCarried(table: string, rows: unknown[]): unknown[] {
  if (table === 'alarm_snapshots') {
    const file = snapshotFilePath(legacySnapshotDir(uploadsDirOf(FILE)), FILE_ONLY_SNAPSHOT_SHA, 'png');
    const carried = {
      sha256: FILE_ONLY_SNAPSHOT_SHA,
      type: 'png',
      bytes: FILE_ONLY_SNAPSHOT.length,
      created_at: Math.round(fs.statSync(file).mtimeMs),
      body: FILE_ONLY_SNAPSHOT,
    };
    return [...(rows as { sha256: string }[]), carried].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  }
  if (table === 'uploads') {
    const fileOf = (hash: string, isThumb: boolean) => photoFilePath(uploadsDirOf(FILE), hash, isThumb);
    return (rows as { hash: string; data: Buffer | null; thumb: Buffer | null }[]).map((r) => ({
      ...r,
      data: r.data ?? fs.readFileSync(fileOf(r.hash, false)),
      thumb: r.thumb ?? fs.readFileSync(fileOf(r.hash, true)),
    }));
  }
  if (table === 'report_files') {
    const file = path.join(reportsDirOf(FILE), FILE_ONLY_REPORT);
    const body = fs.readFileSync(file);
    const carried = {
      name: FILE_ONLY_REPORT,
      region_code: null,
      period: 'week',
      date: '2026-11-29',
      bytes: body.length,
      created_at: Math.round(fs.statSync(file).mtimeMs),
      body,
    };
    return [...(rows as { name: string }[]), carried].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  return rows;
}

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-pg-migrate-'));
const FILE = path.join(DIR, 'pingan.db');

describe.skipIf(unavailable !== null)('moving SQLite to PostgreSQL', () => {
  const dir = DIR;
  const file = FILE;
  let target: TestPgDatabase;
  let client: pg.Client;
  let first: RunResult;
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await TestRedis.start();
    await seedDeployment(file, redis.url);
    target = await createTestPgDatabase();
    first = await migrateCli(file, target.url, { REDIS_URL: redis.url });
    client = createPgClient(target.url);
    await client.connect();
  }, 180_000);
  afterAll(async () => {
    await client?.end().catch(() => {});
    await target?.drop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table, and the counts and the keyed chain verify on PostgreSQL against the anchor', () => {
    expect(first.stderr).not.toMatch(/refused/);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.ok).toBe(true);
    const counts = Object.fromEntries(
      (report.tables as { table: string; sqliteRows: number; pgRows: number }[]).map((t) => [
        t.table,
        t.pgRows,
      ]),
    );
    for (const t of report.tables) expect(t.pgRows, t.table).toBe(t.sqliteRows + t.fromFiles);
    // The seed reached the tables that matter, so the comparison is not of empty tables.
    for (const table of [
      'grids',
      'vehicles',
      'users',
      'incidents',
      'incident_events',
      'audit_log',
      'history_segments',
      'uploads',
      'alarm_snapshots',
      'report_files',
    ])
      expect(counts[table], table).toBeGreaterThan(0);
    const anchored = readAnchor(anchorPathFor(file)!).head!;
    expect(report.audit.pg).toMatchObject({
      ok: true,
      rows: counts.audit_log,
      keyed: { fromId: 1 },
      anchors: {
        file: { head: { id: anchored.id, hash: anchored.hash } },
        redis: { head: { id: anchored.id, hash: anchored.hash } },
      },
    });
    expect(report.audit.pg.anchors.file.problem).toBeUndefined();
    expect(report.audit.pg.anchors.redis.problem).toBeUndefined();
    expect(report.audit.sqlite).toMatchObject({ ok: true, rows: counts.audit_log });
  });

  it('keeps every value: booleans, epoch milliseconds, blobs byte for byte, JSON, text', async () => {
    const sqlite = new Database(file, { readonly: true });
    try {
      const tables = sqlite
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations'`,
        )
        .all() as { name: string }[];
      expect(tables.length).toBeGreaterThan(20);
      for (const { name } of tables) {
        const pkCols = (
          sqlite.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; pk: number; type: string }[]
        )
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk);
        const pk = pkCols.map((c) => `"${c.name}"`).join(', ');
        // Text keys in byte order on both sides (SQLite's BINARY is PostgreSQL's "C", whatever the locale).
        const pgOrder = pkCols
          .map((c) => `"${c.name}"${c.type.toLowerCase() === 'text' ? ' COLLATE "C"' : ''}`)
          .join(', ');
        const fromPg = (await client.query(`SELECT * FROM "${name}" ORDER BY ${pgOrder}`)).rows;
        expect(fromPg, name).toEqual(withFilesCarried(name, sqliteRows(sqlite, name, pk)));
      }
    } finally {
      sqlite.close();
    }
  });

  it('carries the photo, the snapshot and the report kept only on disk into PostgreSQL, where any host serves them', async () => {
    expect(JSON.parse(first.stdout).files).toEqual({
      photos: { carried: 1, missing: 0, named: [] },
      snapshots: { carried: 1, missing: 0, named: [] },
      reports: { imported: 1, refused: [] },
    });
    const db = pgSqlDb(createPgPool(target.url, { max: 1 }));
    try {
      // Another host: no UPLOADS_DIR or REPORTS_DIR of the old one.
      const elsewhere = path.join(dir, 'another-host');
      const uploads = new UploadStore(db, elsewhere);
      const onDisk = new UploadStore(db, uploadsDirOf(file));
      const rows = await client.query<{ hash: string }>('SELECT hash FROM uploads ORDER BY created_at');
      expect(rows.rows).toHaveLength(2);
      for (const { hash } of rows.rows)
        for (const isThumb of [false, true]) {
          const bytes = await uploads.read(hash, isThumb);
          expect(bytes?.subarray(0, 2), `${hash} ${isThumb}`).toEqual(Buffer.from([0xff, 0xd8]));
          if (fs.existsSync(onDisk.fileOf(hash, isThumb)))
            expect(bytes).toEqual(fs.readFileSync(onDisk.fileOf(hash, isThumb)));
        }
      const snapshots = new SnapshotStore(db, legacySnapshotDir(elsewhere));
      const named = await client.query<{ sha: string }>(
        'SELECT snapshot_sha256 AS sha FROM incidents WHERE snapshot_sha256 IS NOT NULL ORDER BY id',
      );
      expect(named.rows).toHaveLength(2);
      for (const { sha } of named.rows) expect(await snapshots.read(sha), sha).not.toBeNull();
      expect(await snapshots.read(FILE_ONLY_SNAPSHOT_SHA)).toEqual({
        bytes: FILE_ONLY_SNAPSHOT,
        type: 'png',
      });
      const reports = new ReportStore(db, elsewhere, createLogger('silent'));
      expect((await reports.read(FILE_ONLY_REPORT))!.toString()).toBe('%PDF-only on disk');
      expect((await reports.list()).map((r) => r.name)).toEqual([
        'briefing-all-day-2026-12-01.pdf',
        FILE_ONLY_REPORT,
      ]);
    } finally {
      await db.close();
    }
  });

  it('continues identity sequences after the copied ids', async () => {
    const max = await client.query<{ id: number }>('SELECT max(id) AS id FROM incident_events');
    const next = await client.query<{ id: number }>(
      `SELECT nextval(pg_get_serial_sequence('incident_events', 'id')) AS id`,
    );
    expect(next.rows[0]!.id).toBe(max.rows[0]!.id! + 1);
  });

  it('continues the keyed chain on PostgreSQL: appends after the move verify with the moved rows', async () => {
    const clock = new FakeClock(Date.now());
    // Through the product's own appender, configured from the moved marker as a PostgreSQL server would be.
    const db = pgSqlDb(createPgPool(target.url, { max: 1 }));
    try {
      const chain = await configureSqlAuditChain(db, { auditKey: AUDIT_KEY });
      expect(chain).toEqual({ key: deriveAuditKey(AUDIT_KEY), fromId: 1 });
      for (const objectId of ['after-1', 'after-2'])
        await db.transaction((tx) =>
          appendAudit(
            tx,
            {
              actor: 'admin',
              role: 'admin',
              clientAddress: null,
              action: 'test.append',
              objectType: 'test',
              objectId,
              result: 'ok',
            },
            { clock, chain },
          ),
        );
    } finally {
      await db.close();
    }
    const v = await verifyChain(pgChainSource(client), {
      auditKey: AUDIT_KEY,
      anchors: { file: readAnchor(anchorPathFor(file)!) },
    });
    const rows = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(v).toMatchObject({ ok: true, rows: rows.rows[0]!.n });
    const last = await client.query<{ object_id: string }>(
      'SELECT object_id FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    expect(last.rows[0]!.object_id).toBe('after-2');
  });

  it('refuses to run again into the same (no longer empty) database, changing nothing', async () => {
    const before = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    const again = await migrateCli(file, target.url);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refused: the target already holds data/);
    const after = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('fails verification on PostgreSQL after a superuser edits one audit row with the trigger disabled', async () => {
    const anchors = { file: readAnchor(anchorPathFor(file)!) };
    const source = pgChainSource(client);
    expect((await verifyChain(source, { auditKey: AUDIT_KEY, anchors })).ok).toBe(true);
    const victim = await client.query<{ id: number; actor: string }>(
      `SELECT id, actor FROM audit_log ORDER BY id LIMIT 1 OFFSET 3`,
    );
    const { id, actor } = victim.rows[0]!;
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await client.query(`UPDATE audit_log SET actor = $1 WHERE id = $2`, [`${actor}x`, id]);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const v = await verifyChain(source, { auditKey: AUDIT_KEY, anchors });
    expect(v).toMatchObject({ ok: false, problem: 'row', firstBadRow: id });
    // Without the key the keyed chain cannot be checked at all (and is not called good).
    expect(await verifyChain(source, { anchors })).toMatchObject({ ok: false, problem: 'key' });
  });

  it('fails on the anchor when the newest rows are removed on PostgreSQL (the chain alone would pass)', async () => {
    const anchors = { file: readAnchor(anchorPathFor(file)!) };
    const head = anchors.file.head!;
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    // Undo the edit above so only the cut is left to find.
    const rows = await client.query<{ id: number; actor: string }>(
      `SELECT id, actor FROM audit_log WHERE actor LIKE '%x' ORDER BY id`,
    );
    for (const r of rows.rows)
      await client.query(`UPDATE audit_log SET actor = $1 WHERE id = $2`, [r.actor.slice(0, -1), r.id]);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    expect((await verifyChain(pgChainSource(client), { auditKey: AUDIT_KEY, anchors })).ok).toBe(true);

    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete');
    await client.query('DELETE FROM audit_log WHERE id >= $1', [head.id - 1]);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_delete');
    const v = await verifyChain(pgChainSource(client), { auditKey: AUDIT_KEY, anchors });
    expect(v).toMatchObject({ ok: false, problem: 'head', firstBadRow: head.id });
  });
});

describe.skipIf(unavailable !== null)('moving SQLite to PostgreSQL: refusals', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-pg-refuse-'));
  let target: TestPgDatabase;
  beforeAll(async () => {
    target = await createTestPgDatabase();
  });
  afterAll(async () => {
    await target?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a source whose audit chain is broken, and keeps the target empty', async () => {
    const file = path.join(dir, 'broken.db');
    const db = openDatabase(file);
    const clock = new FakeClock(Date.now());
    const audit = new SqlAudit(sqliteSqlDb(db.$client), clock);
    for (const action of ['user.create', 'user.disable', 'user.enable'])
      await audit.appendAlone({
        actor: 'cli',
        role: 'admin',
        clientAddress: null,
        action,
        objectType: 'user',
        objectId: 'u-1',
        result: 'ok',
      });
    db.$client.exec('DROP TRIGGER audit_log_no_update');
    db.$client.prepare(`UPDATE audit_log SET actor = 'mallory' WHERE id = 1`).run();
    const rows = (db.$client.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    db.$client.close();
    expect(rows).toBe(3);

    const r = await migrateCli(file, target.url, { AUDIT_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused: the audit chain does not verify on SQLite \(row 1 /);
    await expectNoTables(target.url);
  });

  it('refuses to leave file-only photos and snapshots behind when their directory is not where it was said to be', async () => {
    const file = path.join(dir, 'no-uploads', 'pingan.db');
    fs.mkdirSync(path.dirname(file));
    const db = openDatabase(file);
    db.$client
      .prepare(
        `INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at) VALUES (?, 'image/jpeg', 10, 4, 4, 'grid01', 1796000000000)`,
      )
      .run('ab'.repeat(32));
    db.$client
      .prepare(
        `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, state, supervision, updated_at, snapshot_sha256)
         VALUES ('A1', 'fire_safety', '烟火', 120.17, 30.25, 1, 'video_patrol', 1796000000000, 1796000000000, 'reported', 0, 1796000000000, ?)`,
      )
      .run('cd'.repeat(32));
    db.$client.close();
    const r = await migrateCli(file, target.url, { AUDIT_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /1 photos and 1 alarm snapshots are stored only as files, and there is no uploads directory at .*--uploads/,
    );
    await expectNoTables(target.url);
  });

  it('keeps nothing when a value cannot be copied, and moves once it is fixed', async () => {
    const file = path.join(dir, 'bad-flag.db');
    const db = openDatabase(file);
    const insert = db.$client.prepare(
      'INSERT INTO vehicles (id, name, is_unassigned, created_at) VALUES (?, ?, ?, ?)',
    );
    for (let i = 0; i < 250; i++) insert.run(`v-${i}`, `车 ${i}`, i === 200 ? 2 : 0, 1_796_000_000_000);
    db.$client.close();

    const r = await migrateCli(file, target.url, { AUDIT_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /vehicles row id=v-200: column is_unassigned is a flag but holds 2: nothing was kept/,
    );
    const c = createPgClient(target.url);
    await c.connect();
    try {
      // A batch of 97 went over before the bad row (the 115th in key order): the rollback took it back.
      expect((await c.query('SELECT count(*)::int AS n FROM vehicles')).rows[0].n).toBe(0);
      const fixed = new Database(file);
      fixed.prepare(`UPDATE vehicles SET is_unassigned = 1 WHERE id = 'v-200'`).run();
      fixed.close();
      const again = await migrateCli(file, target.url, { AUDIT_KEY: '' });
      expect(again.code).toBe(0);
      expect((await c.query('SELECT count(*)::int AS n FROM vehicles WHERE is_unassigned')).rows[0].n).toBe(
        1,
      );
      expect((await c.query('SELECT count(*)::int AS n FROM vehicles')).rows[0].n).toBe(250);
      // Make the target empty again for the next case.
      await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA drizzle CASCADE');
    } finally {
      await c.end();
    }
  });

  it('refuses a target that holds a table that is not ours', async () => {
    const file = path.join(dir, 'empty.db');
    openDatabase(file).$client.close();
    const c = createPgClient(target.url);
    await c.connect();
    try {
      await c.query('CREATE TABLE somebody_elses (id int)');
    } finally {
      await c.end();
    }
    const r = await migrateCli(file, target.url, { AUDIT_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not Pingan's \(somebody_elses\)/);
  });
});

/**
 * The move's purpose: the server started with DATABASE_URL on the moved database serves the same centre,
 * its users sign in with their passwords, and its chain verifies there against the anchor in Redis.
 */
describe.skipIf(unavailable !== null)('serving the moved database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-pg-serve-'));
  const file = path.join(dir, 'pingan.db');
  let target: TestPgDatabase | undefined;
  let redis: TestRedis | undefined;
  let srv: ServerProcess | undefined;
  afterAll(async () => {
    await srv?.stop();
    await target?.drop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a server on DATABASE_URL shows what the SQLite one showed, signs its users in, and verifies the chain', async () => {
    redis = await TestRedis.start();
    await seedDeployment(file, redis.url);
    const env = {
      AUDIT_KEY,
      REDIS_URL: redis.url,
      SESSION_SECRET: 'pg-serve-test-session-secret-0123456789abcdef',
    };
    // What the deployment shows before the move, from its own SQLite file.
    srv = await startServerProcess({ ...env, DATABASE_PATH: file }, { isApiOnly: true });
    const before = (await (await fetch(`${srv.url}/api/health`)).json()) as HealthReport;
    await srv.stop();
    expect(before.openIncidents).toBeGreaterThan(0);

    target = await createTestPgDatabase();
    const moved = await migrateCli(file, target.url, { REDIS_URL: redis.url });
    expect(moved.code, moved.stderr).toBe(0);
    // This host's own files (position history, the audit anchor) in a directory of their own.
    srv = await startServerProcess(
      { ...env, DATABASE_URL: target.url, DATABASE_PATH: path.join(dir, 'pg-host', 'pingan.db') },
      { isApiOnly: true },
    );
    const after = (await (await fetch(`${srv.url}/api/health`)).json()) as HealthReport;
    expect(after).toMatchObject({ db: 'up', openIncidents: before.openIncidents, entities: before.entities });
    expect(srv.logLines().find((l) => l.msg === 'starting')).toMatchObject({ db: { engine: 'postgres' } });

    const login = await fetch(`${srv.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'pg-migrate-password-1' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const verify = await fetch(`${srv.url}/api/audit/verify`, { headers: { cookie } });
    expect(verify.status).toBe(200);
    // The sign-in itself was appended on PostgreSQL after the moved rows, and the whole chain holds.
    expect(await verify.json()).toMatchObject({ ok: true });
  }, 180_000);
});
