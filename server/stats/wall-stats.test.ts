import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { WallStatsSchema } from '@/lib/wall/stats';
import { openDatabase } from '../db/open-database';
import { LiveState } from '../live/live-state';
import { computeWallStats } from './wall-stats';
import { cstDayStart, periodStart } from './periods';

const DISTRICT = '510190000000';
const TOWN_A = '510190001000';
const TOWN_B = '510190002000';
const COMM_A = '510190001001';
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

function world() {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 4, 0, 0)); // 12:00 CST
  const db = openDatabase(':memory:');
  const s = db.$client;
  const region = s.prepare(
    'INSERT INTO regions (code, parent_code, level, name, geometry) VALUES (?, ?, ?, ?, ?)',
  );
  region.run(DISTRICT, null, 'district', '演示区', SQUARE(104));
  region.run(TOWN_A, DISTRICT, 'town', '甲街道', SQUARE(104));
  region.run(TOWN_B, DISTRICT, 'town', '乙街道', SQUARE(104.1));
  region.run(COMM_A, TOWN_A, 'community', '甲社区', SQUARE(104));
  region.run('510190002001', TOWN_B, 'community', '乙社区', SQUARE(104.1));
  const grid = s.prepare(
    'INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat) VALUES (?, ?, ?, ?, ?, ?)',
  );
  grid.run(GRID_A, COMM_A, '甲一网格', SQUARE(104), 104.05, 30.05);
  grid.run(GRID_B, '510190002001', '乙一网格', SQUARE(104.1), 104.15, 30.05);
  const now = clock.now();
  const inc = s.prepare(
    `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code, state, updated_at)
     VALUES (?, ?, 't', 104, 30, ?, 'grid_worker', ?, ?, ?, ?, ?)`,
  );
  const ev = s.prepare(
    `INSERT INTO incident_events (incident_id, at, actor, type, to_state) VALUES (?, ?, 'x', 'transition', 'resolved')`,
  );
  // Today: 3 in town A (2 resolved, one of them late), 1 in town B; one from 3 days ago.
  inc.run('a1', 'dispute', 3, now - 3_600_000, now - 3_600_000, GRID_A, 'resolved', now);
  ev.run('a1', now - 1_800_000);
  inc.run('a2', 'traffic', 1, now - 10_800_000, now - 10_800_000, GRID_A, 'closed', now);
  ev.run('a2', now - 60_000); // 特急 resolve limit is 2 h: resolved after ~3 h → late
  inc.run('a3', 'dispute', 2, now - 60_000, now - 60_000, GRID_A, 'reported', now);
  inc.run('b1', 'fire_safety', 3, now - 60_000, now - 60_000, GRID_B, 'reported', now);
  inc.run('old', 'dispute', 3, now - 3 * 86_400_000, now - 3 * 86_400_000, GRID_B, 'reported', now);
  s.prepare(
    `INSERT INTO cameras (id, grid_code, created_at) VALUES ('c1', ?, 0), ('c2', ?, 0), ('c3', ?, 0)`,
  ).run(GRID_A, GRID_A, GRID_B);

  const live = new LiveState(clock);
  live.loadFromDb(s);
  const cams = live.camera;
  cams.status[0] = 0; // online, fresh
  cams.ts[0] = now - 1000;
  cams.status[1] = 0; // online but silent for an hour: stale
  cams.ts[1] = now - 3_600_000;
  cams.status[2] = 2; // fault
  cams.ts[2] = now;
  const view = (
    id: string,
    grid: string,
    priority: number,
    receivedAt: number,
    supervision = 0,
  ): IncidentView => ({
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
    supervision,
  });
  live.incidents.upsert(view('a3', GRID_A, 2, now - 60_000));
  live.incidents.upsert(view('b1', GRID_B, 3, now - 60_000));
  live.incidents.upsert(view('old', GRID_B, 3, now - 3 * 86_400_000 - 1, 3)); // overdue (3 days) + 红牌
  return { db, live, clock };
}

describe('computeWallStats', () => {
  it('counts the whole territory: KPIs, rates, categories, cameras, ranking, overdue list', () => {
    const { db, live, clock } = world();
    const st = computeWallStats({ db, live, clock, regionCode: null, period: 'today' });
    expect(WallStatsSchema.parse(st)).toBeTruthy();
    expect(st.region.name).toBe('演示区');
    expect(st.children.map((c) => c.name)).toEqual(['甲街道', '乙街道']);
    expect(st.kpi).toMatchObject({
      received: 4,
      resolved: 2,
      resolvedOnTime: 1,
      open: 3,
      overdue: 1,
      supervised: 1,
    });
    expect(st.kpi.resolveRate).toBe(0.5);
    expect(st.kpi.onTimeRate).toBe(0.5);
    expect(st.byCategory[0]).toEqual({ category: 'dispute', count: 2 });
    expect(st.cameras).toMatchObject({ total: 3, online: 1, stale: 1, fault: 1 });
    expect(st.ranking.map((r) => [r.name, r.open, r.overdue])).toEqual([
      ['乙街道', 2, 1],
      ['甲街道', 1, 0],
    ]);
    expect(st.overdueList[0]).toMatchObject({ id: 'old', lamp: 'red', supervision: 3, regionName: '乙街道' });
    expect(st.trend7d.reduce((n, d) => n + d.received, 0)).toBe(5);
  });

  it('counts one town only, with its breadcrumb', () => {
    const { db, live, clock } = world();
    const st = computeWallStats({ db, live, clock, regionCode: TOWN_A, period: '7d' });
    expect(st.region).toMatchObject({ code: TOWN_A, name: '甲街道', level: 'town' });
    expect(st.region.path.map((p) => p.name)).toEqual(['甲街道']);
    expect(st.kpi).toMatchObject({ received: 3, open: 1, overdue: 0 });
    expect(st.cameras.total).toBe(2);
    expect(st.children.map((c) => c.name)).toEqual(['甲社区']);
  });
});

describe('periods', () => {
  it('starts days at midnight China time and 旬 on the 1st, 11th and 21st', () => {
    const t = Date.UTC(2026, 10, 23, 4, 0, 0); // 23 Nov 12:00 CST
    expect(cstDayStart(t)).toBe(Date.UTC(2026, 10, 22, 16, 0, 0));
    expect(periodStart('xun', t)).toBe(Date.UTC(2026, 10, 20, 16, 0, 0));
    expect(periodStart('month', t)).toBe(Date.UTC(2026, 9, 31, 16, 0, 0));
    expect(periodStart('7d', t)).toBe(Date.UTC(2026, 10, 16, 16, 0, 0));
  });
});
