/**
 * The region gate's registry look-ups on both engines (issue 19): which vehicles, grid workers and cameras
 * belong to a scoped principal's region, one by one (hasEntity) and all at once (entityFilter), the same on
 * SQLite and PostgreSQL, including the code-range read PostgreSQL would get wrong under a locale collation.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegionGate, type Bbox } from '@/server/auth/region-scope';
import { createLogger } from '@/server/logger';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
const TOWN = '330102001000';
const TOWN_BOX: Bbox = [120.1, 30.2, 120.2, 30.3];
const town = { regionCode: TOWN };

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the region gate on ${backend.name}`, () => {
    let t: TestSqlDb;
    let gate: ReturnType<typeof createRegionGate>;

    beforeAll(async () => {
      t = await backend.open();
      const { db } = t;
      for (const [id, region] of [
        ['d-town', TOWN],
        ['d-district', '330102000000'],
        ['d-other', '330106000000'],
        ['d-anywhere', null],
      ] as const)
        await db.run(
          sql`INSERT INTO departments (id, name, kind, region_code, categories) VALUES (${id}, ${id}, 'police_station', ${region}, '[]')`,
        );
      for (const [id, dept] of [
        ['v-town', 'd-town'],
        ['v-district', 'd-district'],
        ['v-other', 'd-other'],
        ['v-anywhere', 'd-anywhere'],
        ['v-nodept', null],
      ] as const)
        await db.run(
          sql`INSERT INTO vehicles (id, name, department_id, is_unassigned, created_at) VALUES (${id}, ${id}, ${dept}, ${false}, ${NOW})`,
        );
      for (const [id, grid] of [
        ['w-in', '330102001001001'],
        ['w-in-short', '3301020019'],
        ['w-out', '330102002001001'],
        ['w-before', '33010200'],
        ['w-none', null],
      ] as const)
        await db.run(
          sql`INSERT INTO workers (id, name, grid_code, is_unassigned, created_at) VALUES (${id}, ${id}, ${grid}, ${false}, ${NOW})`,
        );
      for (const [id, region, grid] of [
        ['c-region', TOWN, null],
        ['c-grid', null, '330102001002003'],
        ['c-out', '330106001000', '330102001002003'],
      ] as const)
        await db.run(
          sql`INSERT INTO cameras (id, name, region_code, grid_code, is_unassigned, created_at) VALUES (${id}, ${id}, ${region}, ${grid}, ${false}, ${NOW})`,
        );
      gate = createRegionGate({ sql: db, logger: createLogger('silent'), regionBox: () => TOWN_BOX });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('tells one unit at a time by its registry', async () => {
      const has = (kind: 'vehicle' | 'worker' | 'camera', id: string) => gate.hasEntity(town, kind, id);
      expect(
        await Promise.all(
          ['v-town', 'v-district', 'v-anywhere', 'v-other', 'v-nodept'].map((id) => has('vehicle', id)),
        ),
      ).toEqual([true, true, true, false, false]);
      expect(
        await Promise.all(
          ['w-in', 'w-in-short', 'w-out', 'w-before', 'w-none'].map((id) => has('worker', id)),
        ),
      ).toEqual([true, true, false, false, false]);
      expect(await Promise.all(['c-region', 'c-grid', 'c-out'].map((id) => has('camera', id)))).toEqual([
        true,
        true,
        false,
      ]);
      // Outside the registry, but drawn on the town's wall right now.
      expect(await gate.hasEntity(town, 'vehicle', 'v-other', { lng: 120.15, lat: 30.25 })).toBe(true);
      expect(await gate.hasEntity(null, 'vehicle', 'v-other')).toBe(true);
    });

    it('filters many units with one read per kind, agreeing with the one-at-a-time answers', async () => {
      const far = [0, 0] as const;
      const members = async (kind: 'vehicle' | 'worker' | 'camera', ids: string[]) => {
        const f = (await gate.entityFilter(town, kind))!;
        return ids.filter((id) => f(id, ...far));
      };
      expect(await members('vehicle', ['v-town', 'v-district', 'v-anywhere', 'v-other', 'v-nodept'])).toEqual(
        ['v-town', 'v-district', 'v-anywhere'],
      );
      expect(await members('worker', ['w-in', 'w-in-short', 'w-out', 'w-before', 'w-none'])).toEqual([
        'w-in',
        'w-in-short',
      ]);
      expect(await members('camera', ['c-region', 'c-grid', 'c-out'])).toEqual(['c-region', 'c-grid']);
      expect(await gate.entityFilter(null, 'vehicle')).toBeNull();
    });
  });
}
