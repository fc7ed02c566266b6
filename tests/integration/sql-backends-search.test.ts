/**
 * Search on both engines (issue 19): the same finds, in the same order, on SQLite and PostgreSQL, including
 * what the two spell differently (case-insensitive matching of plates and ids, wildcards typed by a user).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearch } from '@/server/search/search';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`search on ${backend.name}`, () => {
    let t: TestSqlDb;
    let search: ReturnType<typeof createSearch>;

    beforeAll(async () => {
      t = await backend.open();
      const { db } = t;
      await db.run(
        sql`INSERT INTO departments (id, name, kind, region_code, categories) VALUES ('d-1', '清波派出所', 'police_station', '330102001000', '[]')`,
      );
      for (const [id, plate, dept] of [
        ['v-001', '浙A·A123', 'd-1'],
        ['v-002', '浙A·B456', null],
        ['V-100%', '浙A·C789', null],
      ] as const)
        await db.run(
          sql`INSERT INTO vehicles (id, name, plate, department_id, is_unassigned, created_at)
              VALUES (${id}, ${`巡逻车 ${id}`}, ${plate}, ${dept}, ${false}, ${NOW})`,
        );
      await db.run(
        sql`INSERT INTO workers (id, name, grid_code, phone, is_unassigned, created_at)
            VALUES ('w-1', '王建国', '330102001001001', '13900000000', ${false}, ${NOW})`,
      );
      search = createSearch({ sql: db });
    });
    afterAll(async () => {
      await t?.close();
    });

    const ids = async (q: string, kind: string, regionCode: string | null = null) =>
      (await search(q, { regionCode })).filter((r) => r.kind === kind).map((r) => r.id);

    it('matches plates and ids whatever their case, exact id first', async () => {
      expect(await ids('a123', 'vehicle')).toEqual(['v-001']);
      expect(await ids('v-00', 'vehicle')).toEqual(['v-001', 'v-002']);
      expect(await ids('v-002', 'vehicle')).toEqual(['v-002']);
    });

    it('takes a typed % as itself, not as a wildcard', async () => {
      expect(await ids('100%', 'vehicle')).toEqual(['V-100%']);
      expect(await ids('%', 'vehicle')).toEqual(['V-100%']);
    });

    it('keeps a scoped principal to its region, and names a worker by name', async () => {
      expect(await ids('浙A', 'vehicle', '330102001000')).toEqual(['v-001']);
      expect(await ids('王', 'worker', '330102001000')).toEqual(['w-1']);
      expect(await ids('王', 'worker', '330102002000')).toEqual([]);
      const w = (await search('王建国', { regionCode: null })).find((r) => r.id === 'w-1');
      expect(w).toMatchObject({ name: '王建国', detail: '330102001001001 · 13900000000' });
    });
  });
}
