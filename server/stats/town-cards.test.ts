import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { TownCardsSchema } from '@/lib/wall/town-cards';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import { LiveState } from '../live/live-state';
import { computeTownCards } from './town-cards';

const DISTRICT = '510190000000';
const TOWN_A = '510190001000';
const TOWN_B = '510190002000';
const GRID_A = '510190001001001';
const GRID_B = '510190002001001';
const SQUARE = (x: number) =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [x, 30],
        [x + 0.1, 30],
        [x + 0.1, 30.1],
        [x, 30.1],
        [x, 30],
      ],
    ],
  });

async function world() {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 4, 0, 0));
  const db = openDatabase(':memory:');
  const s = db.$client;
  const region = s.prepare(
    'INSERT INTO regions (code, parent_code, level, name, geometry) VALUES (?, ?, ?, ?, ?)',
  );
  region.run(DISTRICT, null, 'district', '演示区', SQUARE(104));
  region.run(TOWN_A, DISTRICT, 'town', '甲街道', SQUARE(104));
  region.run(TOWN_B, DISTRICT, 'town', '乙街道', SQUARE(104.2));
  region.run('510190001001', TOWN_A, 'community', '甲社区', SQUARE(104));
  region.run('510190002001', TOWN_B, 'community', '乙社区', SQUARE(104.2));
  const grid = s.prepare(
    'INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat) VALUES (?, ?, ?, ?, ?, ?)',
  );
  grid.run(GRID_A, '510190001001', '甲一网格', SQUARE(104), 104.05, 30.05);
  grid.run(GRID_B, '510190002001', '乙一网格', SQUARE(104.2), 104.25, 30.05);
  s.prepare(
    `INSERT INTO cameras (id, name, grid_code, created_at) VALUES ('c1', '甲路口', ?, 0), ('c2', '甲广场', ?, 0), ('c3', '乙桥头', ?, 0)`,
  ).run(GRID_A, GRID_A, GRID_B);

  const now = clock.now();
  const live = new LiveState(clock);
  await live.loadFromDb(sqliteSqlDb(s));
  const cams = live.camera;
  cams.status[0] = 0; // online, fresh
  cams.ts[0] = now - 1000;
  cams.status[1] = 0; // online but silent for an hour: stale, so down
  cams.ts[1] = now - 3_600_000;
  cams.status[2] = 2; // fault
  cams.ts[2] = now;
  const car = (id: string, lng: number, status: number, ts: number) => {
    const i = live.vehicle.add({ id, name: id, kind: 'car' });
    live.vehicle.lng[i] = lng;
    live.vehicle.lat[i] = 30.05;
    live.vehicle.status[i] = status;
    live.vehicle.ts[i] = ts;
  };
  car('v1', 104.05, 0, now); // in town A, reporting
  car('v2', 104.25, 0, now - 3_600_000); // in town B, silent for an hour: not on duty
  car('v3', 110, 0, now); // outside both
  const view = (id: string, grid: string, priority: number, receivedAt: number): IncidentView => ({
    id,
    category: 'dispute',
    title: id,
    priority,
    source: 'grid_worker',
    state: 'reported',
    lng: 104,
    lat: 30,
    address: null,
    gridCode: grid,
    reportedAt: receivedAt,
    receivedAt,
    updatedAt: receivedAt,
    assigneeKind: null,
    assigneeId: null,
    supervision: 0,
  });
  live.incidents.upsert(view('a1', GRID_A, 1, now - 60_000));
  live.incidents.upsert(view('b1', GRID_B, 3, now - 60_000));
  live.incidents.upsert(view('b2', GRID_B, 3, now - 3 * 86_400_000)); // 3 days open: overdue
  return { db, live, clock };
}

describe('computeTownCards', () => {
  it('gives each town its open, overdue and 特急 incidents, cameras and units; down cameras by name', async () => {
    const { db, live, clock } = await world();
    const tc = TownCardsSchema.parse(
      await computeTownCards({ sql: sqliteSqlDb(db.$client), live, clock }, null),
    );
    expect(tc.cards.map((c) => c.name)).toEqual(['乙街道', '甲街道']); // most open first
    const [b, a] = tc.cards;
    expect(b).toMatchObject({ open: 2, overdue: 1, critical: 0, units: { total: 1, onDuty: 0 } });
    expect(b!.cameras).toEqual({ total: 1, online: 0, offline: 0, fault: 1 });
    expect(a).toMatchObject({ open: 1, overdue: 0, critical: 1, units: { total: 1, onDuty: 1 } });
    expect(a!.cameras).toEqual({ total: 2, online: 1, offline: 1, fault: 0 });
    expect(tc.offlineTotal).toBe(2);
    expect(tc.offlineCameras).toEqual([
      { id: 'c3', name: '乙桥头', status: 'fault', regionName: '乙街道' },
      { id: 'c2', name: '甲广场', status: 'stale', regionName: '甲街道' },
    ]);
  });

  it('scopes to one town: its communities are the cards, only its cameras are listed', async () => {
    const { db, live, clock } = await world();
    const tc = await computeTownCards({ sql: sqliteSqlDb(db.$client), live, clock }, TOWN_A);
    expect(tc.regionCode).toBe(TOWN_A);
    expect(tc.cards.map((c) => [c.name, c.open, c.cameras.total])).toEqual([['甲社区', 1, 2]]);
    expect(tc.offlineCameras.map((c) => c.name)).toEqual(['甲广场']);
  });
});
