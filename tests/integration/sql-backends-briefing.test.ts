/**
 * The briefing report's own queries (top grids, areas, map points, the daily trend) on both engines
 * (issue 19): the same rows, seeded with plain SQL, give the same figures on SQLite and PostgreSQL, and the
 * figures are the ones counted by hand below.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '@/server/db/sql-db';
import { briefingRows, dailyTrend, type BriefingScope } from '@/server/reports/briefing-data';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CST = 8 * HOUR;
/** Local midnight of 10 January 2026 in China Standard Time: the window's start. */
const FROM = Date.UTC(2026, 0, 10) - CST;
const WINDOW: [number, number] = [FROM, FROM + 3 * DAY];
/** The report is generated 40 h into its 3-day window: the third day has not begun. */
const AS_OF = FROM + 40 * HOUR;

const TOWN = '330106001000';
const C1 = '330106001001';
const C2 = '330106001002';
const G11 = '330106001001001';
const G12 = '330106001001002';
const G21 = '330106001002001';
const G31 = '330106002001001';
/** A grid code no grid row has (an imported incident ahead of its grid). */
const G_UNKNOWN = '330106001001099';

const square = (x: number) =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [x, 30],
        [x + 0.01, 30],
        [x + 0.01, 30.01],
        [x, 30],
      ],
    ],
  });

/** [id, grid, hours after FROM, state, priority] */
const INCIDENTS: [string, string | null, number, string, number][] = [
  ['A1', G11, 1, 'resolved', 2],
  ['A2', G11, 2, 'reported', 1],
  ['A3', G11, 30, 'closed', 3],
  ['A4', G12, 3, 'dispatched', 3],
  ['A5', G12, 3, 'reported', 3], // ties A4 on priority and time: the id decides
  ['A6', G21, 26, 'resolved', 2],
  ['A7', G_UNKNOWN, 5, 'reported', 4],
  ['B1', G31, 4, 'reported', 1], // another town
  ['N1', null, 6, 'reported', 2], // outside every grid
  ['O1', G11, -1, 'reported', 1], // before the window
  ['O2', G11, 45, 'reported', 1], // after the report's instant
];
const lngOf = (id: string) => 120 + INCIDENTS.findIndex((i) => i[0] === id) / 100;

async function seed(db: SqlDb) {
  const regions: [string, string | null, string, string, string | null][] = [
    [TOWN, '330106000000', 'town', '西湖街道', square(120)],
    [C1, TOWN, 'community', '北山社区', square(120.1)],
    [C2, TOWN, 'community', '灵隐社区', null],
  ];
  for (const [code, parent, level, name, geometry] of regions)
    await db.run(
      sql`INSERT INTO regions (code, parent_code, level, name, geometry, center_lng, center_lat)
          VALUES (${code}, ${parent}, ${level}, ${name}, ${geometry}, 120.1, 30.1)`,
    );
  const grids: [string, string, string, string][] = [
    [G11, C1, '一网格', square(120.2)],
    [G12, C1, '二网格', '{broken'],
    [G21, C2, '三网格', square(120.3)],
    [G31, '330106002001', '四网格', square(120.4)],
  ];
  for (const [code, community, name, geometry] of grids)
    await db.run(
      sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
          VALUES (${code}, ${community}, ${name}, ${geometry}, 120.1, 30.1)`,
    );
  for (const [id, grid, hours, state, priority] of INCIDENTS) {
    const at = FROM + hours * HOUR;
    await db.run(
      sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code, state, supervision, updated_at)
          VALUES (${id}, 'citizen_request', '噪音扰民', ${lngOf(id)}, 30.25, ${priority}, 'hotline_12345', ${at}, ${at}, ${grid}, ${state}, 0, ${at})`,
    );
  }
}

const townScope: BriefingScope = { from: WINDOW[0], to: AS_OF + 1, prefix: '330106001' };
const territory: BriefingScope = { ...townScope, prefix: '' };
const point = (id: string, priority: number) => ({ lng: lngOf(id), lat: 30.25, priority });
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the briefing report's queries on ${backend.name}`, () => {
    let t: TestSqlDb;

    beforeAll(async () => {
      t = await backend.open();
      await seed(t.db);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts the top grids, the points and their total inside the scope and the window', async () => {
      const r = await briefingRows(t.db, townScope, TOWN, [C1, C2]);
      expect(r.topGrids).toEqual([
        { code: G11, name: '一网格', community: '北山社区', count: 3 },
        { code: G12, name: '二网格', community: '北山社区', count: 2 },
        { code: G_UNKNOWN, name: G_UNKNOWN, community: null, count: 1 },
        { code: G21, name: '三网格', community: '灵隐社区', count: 1 },
      ]);
      expect(r.pointsTotal).toBe(7);
      expect(r.points).toEqual([
        point('A2', 1),
        point('A1', 2),
        point('A6', 2),
        point('A4', 3),
        point('A5', 3),
        point('A3', 3),
        point('A7', 4),
      ]);
      const all = await briefingRows(t.db, territory, null, []);
      expect(all.pointsTotal).toBe(9);
      expect(all.topGrids.map((g) => [g.code, g.count])).toEqual([
        [G11, 3],
        [G12, 2],
        [G_UNKNOWN, 1],
        [G21, 1],
        [G31, 1],
      ]);
    });

    it("draws the children's outlines, else the scope's own, leaving out unreadable ones", async () => {
      const town = await briefingRows(t.db, townScope, TOWN, [C1, C2]);
      expect(town.areas).toEqual([{ name: '北山社区', geometry: JSON.parse(square(120.1)) }]);
      const noOutlines = await briefingRows(t.db, townScope, TOWN, [C2]);
      expect(noOutlines.areas).toEqual([{ name: '西湖街道', geometry: JSON.parse(square(120)) }]);
      const community = await briefingRows(t.db, { ...townScope, prefix: C1 }, C1, [G11, G12, G21]);
      expect([...community.areas].sort(byName)).toEqual([
        { name: '一网格', geometry: JSON.parse(square(120.2)) },
        { name: '三网格', geometry: JSON.parse(square(120.3)) },
      ]);
    });

    it('counts received and resolved per local day up to the report instant', async () => {
      expect(await dailyTrend(t.db, townScope, WINDOW, CST, AS_OF)).toEqual([
        { label: '1/10', received: 5, resolved: 1 },
        { label: '1/11', received: 2, resolved: 2 },
      ]);
      expect(await dailyTrend(t.db, territory, WINDOW, CST, AS_OF)).toEqual([
        { label: '1/10', received: 7, resolved: 1 },
        { label: '1/11', received: 2, resolved: 2 },
      ]);
    });
  });
}
