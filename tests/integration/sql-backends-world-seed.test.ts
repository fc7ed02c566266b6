import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import type { SqlDb } from '@/server/db/sql-db';
import { createLogger } from '@/server/logger';
import { backfillDemoHistory } from '@/server/simulator/history-backfill';
import { loadSimWorld } from '@/server/simulator/sim-world';
import { MAX_ROWS_PER_INSERT } from '@/server/world/bulk-insert';
import { SEED_PRESETS } from '@/server/world/seed-presets';
import { isWorldSeeded, seedDemoWorld } from '@/server/world/seed-world';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const TABLES = ['regions', 'grids', 'departments', 'vehicles', 'workers', 'cameras'] as const;
const NOW = Date.UTC(2026, 0, 5, 4, 0, 0);
// More cameras than one INSERT carries, and not a multiple of it: the last statement is a short one.
const WORLD = { ...SEED_PRESETS.tiny.world, seed: 'both-engines', cameras: 2 * MAX_ROWS_PER_INSERT + 37 };

async function counts(db: SqlDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES)
    out[t] = Number((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${sql.identifier(t)}`))!.n);
  return out;
}

/**
 * What each engine ended with, compared once both have run: the rows, and the history played on them (the
 * simulator reads the world in the same order on both, so the same seed plays out alike).
 */
const seen: Record<string, unknown> = {};

describe.each(SQL_BACKENDS)('world seed on $name', (backend) => {
  let t: TestSqlDb;
  afterAll(() => t?.close());

  it.skipIf(backend.unavailable)(
    'seeds the tiny preset, re-seeds over it, and plays history on it',
    async () => {
      t = await backend.open();
      const { db } = t;
      expect(await isWorldSeeded(db)).toBe(false);
      const first = await seedDemoWorld(db, { ...WORLD, now: NOW });
      expect(first.isNew).toBe(true);
      expect(await isWorldSeeded(db)).toBe(true);
      const c = await counts(db);
      const { counts: info } = first.info;
      expect(c).toMatchObject({
        grids: info.grids,
        departments: info.departments,
        vehicles: info.vehicles,
        workers: info.workers,
        cameras: WORLD.cameras,
      });
      expect(c.regions).toBe(info.cities + info.districts + info.towns + info.communities);
      expect((await seedDemoWorld(db, { ...WORLD, now: NOW })).isNew).toBe(false);

      // A device that registered itself survives a forced re-seed; the world's rows are replaced, not doubled.
      await db.run(
        sql`INSERT INTO vehicles (id, name, is_unassigned, created_at) VALUES ('self-reported', NULL, ${true}, ${NOW})`,
      );
      expect((await seedDemoWorld(db, { ...WORLD, now: NOW + 1, isForced: true })).isNew).toBe(true);
      const reseeded = await counts(db);
      expect(reseeded).toEqual({ ...c, vehicles: c.vehicles! + 1 });

      const world = (await loadSimWorld(db))!;
      expect(world.vehicles).toHaveLength(info.vehicles);
      expect(world.cameras).toHaveLength(WORLD.cameras);
      expect((await loadSimWorld(db, { maxCameras: 0, maxVehicles: 3 }))!.vehicles).toHaveLength(3);

      // As at start-up: the replay's dispatch steps append to the audit chain.
      await configureSqlAuditChain(db, {});
      const history = await backfillDemoHistory({
        db,
        logger: createLogger('silent'),
        days: 1,
        now: NOW,
        seed: 'both',
        incidentsPerDay: 40,
      });
      expect(history.incidents).toBeGreaterThan(0);
      expect(history.auditRows).toBeGreaterThan(0);
      seen[backend.name] = {
        counts: c,
        reseeded,
        ids: world.vehicles.map((v) => v.id),
        history: { ...history, elapsedMs: 0 },
      };
    },
  );
});

describe('both engines', () => {
  it.skipIf(SQL_BACKENDS.some((b) => b.unavailable))('seed the same rows', () => {
    expect(seen.postgres).toBeDefined();
    expect(seen.postgres).toEqual(seen.sqlite);
  });
});
