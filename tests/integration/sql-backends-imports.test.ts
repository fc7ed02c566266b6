/**
 * Territory and registry imports on both engines (issue 19): the same files write the same rows, each import
 * one `import_runs` row and one audit row in its transaction, and the same file again changes nothing. Two
 * processes importing at once take turns: the one that commits second re-runs its checks on what the first
 * wrote (on PostgreSQL a transaction-scoped advisory lock orders their writes).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { ImportContext } from '@/server/admin/import/import-context';
import { importRegistry } from '@/server/admin/import/import-registry';
import { importTerritory } from '@/server/admin/import/import-territory';
import { UPSERT_BATCH_ROWS } from '@/server/admin/import/upsert-rows';
import { SqlAudit } from '@/server/audit/audit-append';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { sqlChainSource, verifyChain } from '@/server/audit/verify-chain';
import { flag, jsonValue, type SqlDb } from '@/server/db/sql-db';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';
import { bytesOf, goodTerritory, GRID_A1_1, GRID_B1_1 } from './import-fixtures';

const NOW = 1_800_000_000_000;
const AUDIT_KEY = 'sql-backends-imports-test-key-0123456789';
/** More cameras than one upsert statement takes, so the batches meet. */
const CAMERAS = UPSERT_BATCH_ROWS * 2 + 7;

const cameraId = (i: number) => `3301060000132${String(i).padStart(7, '0')}`;

/** Cameras alternating between two grids' interiors (GRID_A1_1 and GRID_B1_1). */
function camerasCsv(names: (i: number) => string): Uint8Array {
  const lines = ['id,name,lng,lat'];
  for (let i = 0; i < CAMERAS; i++)
    lines.push(`${cameraId(i)},${names(i)},${i % 2 === 0 ? '120.02' : '120.25'},30.15`);
  return Buffer.from(lines.join('\n'));
}

async function contextOf(db: SqlDb, clock: FakeClock): Promise<ImportContext> {
  await configureSqlAuditChain(db, { auditKey: AUDIT_KEY });
  return {
    sql: db,
    audit: new SqlAudit(db, clock),
    clock,
    actor: { username: 'admin', role: 'admin', clientAddress: '10.0.0.1' },
  };
}

/** Every row an import writes, in one shape whatever the engine (codes sorted in JS, byte order). */
async function dump(db: SqlDb) {
  type Row = Record<string, unknown>;
  const byKey = (rows: Row[], key: string) => rows.sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : 1));
  return {
    regions: byKey(await db.all<Record<string, unknown>>(sql`SELECT * FROM regions`), 'code'),
    grids: byKey(await db.all<Record<string, unknown>>(sql`SELECT * FROM grids`), 'code'),
    cameras: byKey(
      (await db.all<Row>(sql`SELECT * FROM cameras`)).map((c): Row => ({
        ...c,
        is_unassigned: flag(c.is_unassigned as number | boolean),
      })),
      'id',
    ),
    departments: (await db.all<Record<string, unknown>>(sql`SELECT * FROM departments ORDER BY id`)).map(
      (d) => ({ ...d, categories: jsonValue(d.categories) }),
    ),
    runs: await db.all<Record<string, unknown>>(
      sql`SELECT id, kind, file_name, sha256, created, updated, unchanged, actor, at FROM import_runs ORDER BY id`,
    ),
    audit: await db.all<Record<string, unknown>>(
      sql`SELECT id, actor, action, object_type, object_id, after, result FROM audit_log ORDER BY id`,
    ),
    world: (await db.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = 'world.info'`))?.value,
  };
}

const dumps = new Map<string, Awaited<ReturnType<typeof dump>>>();

describe.each(SQL_BACKENDS)('imports on $name', (backend) => {
  let t: TestSqlDb;
  let ctx: ImportContext;
  const clock = new FakeClock(NOW);

  beforeAll(async () => {
    if (backend.unavailable) return;
    t = await backend.open();
    ctx = await contextOf(t.db, clock);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(backend.unavailable !== null)(
    'a territory and a camera registry: their rows, one run and one audit row each; the same files again change nothing',
    async () => {
      const territory = { bytes: bytesOf(goodTerritory()), name: 'territory.geojson' };
      const cameras = { bytes: camerasCsv((i) => `摄像机${i}`), name: 'cameras.csv' };
      expect(await importTerritory(ctx, territory, { dryRun: false })).toMatchObject({
        ok: true,
        created: 10,
        runId: 1,
      });
      clock.advance(1_000);
      expect(await importRegistry(ctx, 'cameras', cameras, { dryRun: false })).toMatchObject({
        ok: true,
        created: CAMERAS,
        runId: 2,
      });
      const departments = {
        bytes: Buffer.from('id,name,kind,phone\nd-1,城西派出所,police_station,110\n'),
        name: 'd.csv',
      };
      expect(await importRegistry(ctx, 'departments', departments, { dryRun: false })).toMatchObject({
        ok: true,
        created: 1,
        runId: 3,
      });
      const first = await dump(t.db);
      expect(first.departments).toEqual([
        expect.objectContaining({
          id: 'd-1',
          kind: 'police_station',
          phone: '110',
          categories: expect.any(Array),
        }),
      ]);
      expect(first.departments[0]!.categories).not.toEqual([]);
      expect(first.regions).toHaveLength(6);
      expect(first.grids).toHaveLength(4);
      expect(first.cameras).toHaveLength(CAMERAS);
      expect(first.cameras.slice(0, 2).map((c) => c.grid_code)).toEqual([GRID_A1_1, GRID_B1_1]);
      expect(first.runs.map((r) => [r.kind, r.created])).toEqual([
        ['territory', 10],
        ['cameras', CAMERAS],
        ['departments', 1],
      ]);
      expect(first.audit.map((a) => [a.action, a.object_id, a.result])).toEqual([
        ['import.territory', '1', 'ok'],
        ['import.cameras', '2', 'ok'],
        ['import.departments', '3', 'ok'],
      ]);
      expect(JSON.parse(first.world!)).toMatchObject({ counts: { grids: 4, cameras: CAMERAS } });

      clock.advance(1_000);
      expect(await importTerritory(ctx, territory, { dryRun: false })).toMatchObject({
        ok: true,
        created: 0,
        updated: 0,
        unchanged: 10,
      });
      expect(await importRegistry(ctx, 'cameras', cameras, { dryRun: false })).toMatchObject({
        ok: true,
        created: 0,
        updated: 0,
        unchanged: CAMERAS,
      });
      expect(await importRegistry(ctx, 'departments', departments, { dryRun: false })).toMatchObject({
        unchanged: 1,
      });
      const again = await dump(t.db);
      expect([again.regions, again.grids, again.cameras, again.departments, again.world]).toEqual([
        first.regions,
        first.grids,
        first.cameras,
        first.departments,
        first.world,
      ]);
      // Still versioned and audited: an unchanged import is a fact too.
      expect(again.runs).toHaveLength(6);
      expect(again.audit).toHaveLength(6);
      expect(await verifyChain(sqlChainSource(t.db), { auditKey: AUDIT_KEY })).toMatchObject({
        ok: true,
        rows: 6,
      });
      dumps.set(backend.name, first);
    },
  );

  it.skipIf(backend.unavailable !== null)(
    'two processes importing the same new cameras at once: one creates them, the other finds them stored',
    async () => {
      const other = await contextOf(t.another(), clock);
      const file = { bytes: camerasCsv((i) => `新摄像机${i}`), name: 'renamed.csv' };
      const results = await Promise.all([
        importRegistry(ctx, 'cameras', file, { dryRun: false }),
        importRegistry(other, 'cameras', file, { dryRun: false }),
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      expect(results.map((r) => r.updated).sort()).toEqual([0, CAMERAS]);
      expect(results.map((r) => r.unchanged).sort()).toEqual([0, CAMERAS]);
      const runs = await t.db.all<{ updated: number }>(
        sql`SELECT updated FROM import_runs WHERE file_name = 'renamed.csv' ORDER BY id`,
      );
      expect(runs.map((r) => r.updated)).toEqual([CAMERAS, 0]);
    },
  );
});

describe('the same files on both engines', () => {
  it.skipIf(SQL_BACKENDS.some((b) => b.unavailable !== null))('write the same rows', () => {
    const [lite, pg] = [dumps.get('sqlite'), dumps.get('postgres')];
    expect(lite).toBeDefined();
    // Audit hashes and ids aside, every column the same.
    expect(pg).toEqual(lite);
  });
});
