/**
 * The region index the walls' figures read (server/stats/region-index.ts), on both engines (issue 20): built
 * in pages with the event loop free between them (a province's build held it 13–21 s every minute), kept
 * rather than rebuilt every minute, units registered since looked up by themselves, and rebuilt behind the
 * old index after REGION_INDEX_REFRESH_MS or at once after an import.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { SqlDb } from '@/server/db/sql-db';
import { LiveState } from '@/server/live/live-state';
import {
  invalidateRegionIndex,
  REGION_INDEX_PAGE_ROWS,
  REGION_INDEX_REFRESH_MS,
  regionIndex,
  type RegionIndex,
} from '@/server/stats/region-index';
import { squareGeometry } from '../helpers/geometry';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';
import { waitFor } from '../helpers/test-app';

const NOW = Date.UTC(2026, 11, 4, 2, 0, 0);
const CITY = '510100000000';
const DISTRICT = '510190000000';
const TOWN = '510190001000';
const COMMUNITY = '510190001001';
// Inserted out of byte order: the index lists them in it on either engine.
const GRIDS = ['510190001001003', '510190001001001', '510190001001002'];
/** More cameras than one page holds, so a build reads at least two. */
const CAMERAS = REGION_INDEX_PAGE_ROWS + 100;
const square = (x: number) => squareGeometry(x);
const cameraId = (k: number) => `C${String(k).padStart(8, '0')}`;
/** Camera k sits in grid k mod 3 (in insertion order), the last 100 in none. */
const gridOfCamera = (k: number) => (k < REGION_INDEX_PAGE_ROWS ? GRIDS[k % 3]! : null);

async function seed(db: SqlDb): Promise<void> {
  for (const [code, parent, level, x] of [
    [CITY, null, 'city', 104],
    [DISTRICT, CITY, 'district', 104],
    [TOWN, DISTRICT, 'town', 104],
    [COMMUNITY, TOWN, 'community', 104],
  ] as const)
    await db.run(
      sql`INSERT INTO regions (code, parent_code, level, name, geometry)
          VALUES (${code}, ${parent}, ${level}, ${`区域 ${code}`}, ${square(x)})`,
    );
  for (const [k, code] of GRIDS.entries())
    await db.run(
      sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
          VALUES (${code}, ${COMMUNITY}, ${`网格 ${code}`}, ${square(104 + k / 10)}, ${104.05 + k / 10}, 30.05)`,
    );
  await db.transaction(async (tx) => {
    for (let from = 0; from < CAMERAS; from += 500) {
      const rows = [];
      for (let k = from; k < Math.min(CAMERAS, from + 500); k++)
        rows.push(sql`(${cameraId(k)}, ${gridOfCamera(k)}, 0)`);
      await tx.run(sql`INSERT INTO cameras (id, grid_code, created_at) VALUES ${sql.join(rows, sql`, `)}`);
    }
  });
  await db.run(
    sql`INSERT INTO workers (id, name, role, grid_code, created_at) VALUES ('w1', 'w1', 'full_time', ${GRIDS[2]}, 0)`,
  );
}

/** Event-loop turns (setImmediate callbacks) that ran while `fn` was awaited. */
async function turnsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let isDone = false;
  const spin = () => {
    if (isDone) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const value = await fn();
  isDone = true;
  return { value, turns };
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`region index on ${backend.name}`, () => {
    let t: TestSqlDb;
    let live: LiveState;
    let first: RegionIndex;

    beforeAll(async () => {
      t = await backend.open();
      await seed(t.db);
      live = new LiveState(new FakeClock(NOW));
      await live.loadFromDb(t.db);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('is built in pages, the event loop turning between them, with areas in byte order', async () => {
      const { value, turns } = await turnsDuring(() => regionIndex(t.db, NOW, live));
      first = value;
      expect(turns).toBeGreaterThan(0);
      expect(first.gridCodes).toEqual([...GRIDS].sort());
      expect(first.childrenOf.get(COMMUNITY)!.map((n) => n.code)).toEqual([...GRIDS].sort());
      expect(first.top?.code).toBe(COMMUNITY);
      expect(first.byCode.get(GRIDS[0]!)!.bbox).toEqual([104, 30, 104.1, 30.1]);
      // Every camera, across the page boundary, points at its own grid.
      expect(first.cameraGrid.length).toBe(CAMERAS);
      for (const k of [0, 1, 2, REGION_INDEX_PAGE_ROWS - 1, REGION_INDEX_PAGE_ROWS, CAMERAS - 1]) {
        const g = gridOfCamera(k);
        const i = live.camera.indexOf(cameraId(k))!;
        expect(first.cameraGrid[i], cameraId(k)).toBe(g === null ? -1 : first.gridCodes.indexOf(g));
      }
      expect(first.workerGrid[live.worker.indexOf('w1')!]).toBe(first.gridCodes.indexOf(GRIDS[2]!));
    });

    it('keeps the index a minute later, and looks up only units registered since', async () => {
      await t.db.run(
        sql`INSERT INTO cameras (id, grid_code, created_at) VALUES ('C-new', ${GRIDS[1]}, ${NOW})`,
      );
      const i = live.camera.add({ id: 'C-new', name: null, kind: null });
      const later = await regionIndex(t.db, NOW + 60_000, live);
      expect(later).toBe(first);
      expect(later.at).toBe(NOW);
      expect(later.cameraGrid.length).toBe(live.camera.count);
      expect(later.cameraGrid[i]).toBe(later.gridCodes.indexOf(GRIDS[1]!));
    });

    it('is rebuilt behind the old one after REGION_INDEX_REFRESH_MS, and at once after an import', async () => {
      const due = NOW + REGION_INDEX_REFRESH_MS;
      // A camera moved without an import (no invalidation): only the rebuild sees it.
      await t.db.run(sql`UPDATE cameras SET grid_code = ${GRIDS[0]} WHERE id = ${cameraId(1)}`);
      expect(await regionIndex(t.db, due, live)).toBe(first);
      const rebuilt = await waitFor(
        async () => {
          const idx = await regionIndex(t.db, due, live);
          return idx !== first ? idx : null;
        },
        20_000,
        'the rebuilt index',
      );
      expect(rebuilt.at).toBe(due);
      expect(rebuilt.cameraGrid[live.camera.indexOf(cameraId(1))!]).toBe(
        rebuilt.gridCodes.indexOf(GRIDS[0]!),
      );

      await t.db.run(sql`UPDATE cameras SET grid_code = ${GRIDS[2]} WHERE id = ${cameraId(1)}`);
      invalidateRegionIndex(t.db);
      const afterImport = await regionIndex(t.db, due + 1, live);
      expect(afterImport).not.toBe(rebuilt);
      expect(afterImport.cameraGrid[live.camera.indexOf(cameraId(1))!]).toBe(
        afterImport.gridCodes.indexOf(GRIDS[2]!),
      );
    });
  });
}
