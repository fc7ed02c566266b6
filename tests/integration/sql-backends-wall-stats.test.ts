/**
 * The walls' figures on both engines (issue 19): the same rows seeded into SQLite and into PostgreSQL give
 * the same computeWallStats (every scope and period, the 环比 window, the departments' 报到率), the same town
 * cards and the same area outlines; and the figures are not trivially equal (each part has something in it).
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { WALL_PERIODS, type WallStats } from '@/lib/wall/stats';
import type { TownCards } from '@/lib/wall/town-cards';
import type { SqlDb } from '@/server/db/sql-db';
import { LiveState } from '@/server/live/live-state';
import { areaFeaturesFromDb, type AreaFeatureCollection } from '@/server/stats/area-tiles';
import { invalidateRegionIndex } from '@/server/stats/region-index';
import { computeTownCards } from '@/server/stats/town-cards';
import { computeWallStats } from '@/server/stats/wall-stats';
import { squareGeometry } from '../helpers/geometry';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0); // 12:00 in Beijing
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CITY = '510100000000';
const DISTRICT = '510190000000';
const TOWN_A = '510190001000';
const TOWN_B = '510190002000';
const COMM_A = '510190001001';
const COMM_B = '510190002001';
const GRID_A1 = '510190001001001';
const GRID_A2 = '510190001001002';
const GRID_B = '510190002001001';
const square = (x: number) => squareGeometry(x);

interface Seeded {
  id: string;
  grid: string | null;
  category: string;
  priority: number;
  source: string;
  state: string;
  receivedAt: number;
  satisfaction?: number;
  supervision?: number;
  /** [at, toState] transitions, and department handings as [at, departmentId]. */
  transitions?: [number, string][];
  handedTo?: [number, string][];
  closedAt?: number;
}

const INCIDENTS: Seeded[] = [
  // Today.
  {
    id: 'i01',
    grid: GRID_A1,
    category: 'dispute',
    priority: 3,
    source: 'grid_worker',
    state: 'resolved',
    receivedAt: NOW - HOUR,
    satisfaction: 5,
    transitions: [[NOW - HOUR / 2, 'resolved']],
  },
  {
    id: 'i02',
    grid: GRID_A1,
    category: 'traffic',
    priority: 1,
    source: 'police_110',
    state: 'closed',
    receivedAt: NOW - 3 * HOUR,
    satisfaction: 3,
    transitions: [[NOW - 60_000, 'resolved']],
    closedAt: NOW - 30_000,
  },
  {
    id: 'i03',
    grid: GRID_A2,
    category: 'dispute',
    priority: 2,
    source: 'hotline_12345',
    state: 'reported',
    receivedAt: NOW - 60_000,
  },
  {
    id: 'i04',
    grid: GRID_B,
    category: 'fire_safety',
    priority: 3,
    source: 'video_patrol',
    state: 'on_scene',
    receivedAt: NOW - 2 * HOUR,
    handedTo: [[NOW - 2 * HOUR + 60_000, 'd-fire']],
    transitions: [[NOW - HOUR, 'on_scene']],
  },
  {
    id: 'i05',
    grid: GRID_B,
    category: 'dispute',
    priority: 3,
    source: 'public_app',
    state: 'cancelled',
    receivedAt: NOW - 5 * HOUR,
  },
  {
    id: 'i06',
    grid: null,
    category: 'environment',
    priority: 4,
    source: 'sensor',
    state: 'closed',
    receivedAt: NOW - 4 * HOUR,
    transitions: [[NOW - 3 * HOUR, 'resolved']],
    closedAt: NOW - 2 * HOUR,
  },
  {
    id: 'i07',
    grid: GRID_A2,
    category: 'fire_safety',
    priority: 2,
    source: 'grid_worker',
    state: 'dispatched',
    receivedAt: NOW - 90 * 60_000,
    handedTo: [
      [NOW - 80 * 60_000, 'd-fire'],
      [NOW - 70 * 60_000, 'd-city'],
    ],
  },
  // Yesterday (环比's window is yesterday 00:00–12:00) and earlier this week and month.
  {
    id: 'i08',
    grid: GRID_B,
    category: 'traffic',
    priority: 2,
    source: 'police_110',
    state: 'closed',
    receivedAt: NOW - DAY - HOUR,
    transitions: [[NOW - DAY, 'resolved']],
    closedAt: NOW - DAY + HOUR,
  },
  {
    id: 'i09',
    grid: GRID_A1,
    category: 'dispute',
    priority: 3,
    source: 'grid_worker',
    state: 'resolved',
    receivedAt: NOW - DAY + 2 * HOUR,
    handedTo: [[NOW - DAY + 3 * HOUR, 'd-city']],
    transitions: [
      [NOW - DAY + 4 * HOUR, 'on_scene'],
      [NOW - DAY + 5 * HOUR, 'resolved'],
    ],
  },
  {
    id: 'i10',
    grid: GRID_A2,
    category: 'work_safety',
    priority: 1,
    source: 'hotline_12345',
    state: 'reported',
    receivedAt: NOW - 3 * DAY,
    supervision: 2,
  },
  {
    id: 'i11',
    grid: GRID_B,
    category: 'dispute',
    priority: 3,
    source: 'grid_worker',
    state: 'closed',
    receivedAt: NOW - 12 * DAY,
    transitions: [[NOW - 11 * DAY, 'resolved']],
    closedAt: NOW - 11 * DAY,
  },
  // Last year, for 同比 (i13 is on record before its window, so the window counts).
  {
    id: 'i13',
    grid: GRID_B,
    category: 'dispute',
    priority: 3,
    source: 'grid_worker',
    state: 'closed',
    receivedAt: NOW - 400 * DAY,
    closedAt: NOW - 399 * DAY,
  },
  {
    id: 'i12',
    grid: GRID_A1,
    category: 'traffic',
    priority: 3,
    source: 'police_110',
    state: 'closed',
    receivedAt: NOW - 365 * DAY - HOUR,
    transitions: [[NOW - 365 * DAY, 'resolved']],
    closedAt: NOW - 365 * DAY,
  },
];

async function seed(db: SqlDb): Promise<void> {
  const region = (code: string, parent: string | null, level: string, name: string, x: number) =>
    db.run(
      sql`INSERT INTO regions (code, parent_code, level, name, geometry) VALUES (${code}, ${parent}, ${level}, ${name}, ${square(x)})`,
    );
  await region(CITY, null, 'city', '演示市', 104);
  await region(DISTRICT, CITY, 'district', '演示区', 104);
  await region(TOWN_A, DISTRICT, 'town', '甲街道', 104);
  await region(TOWN_B, DISTRICT, 'town', '乙街道', 104.2);
  await region(COMM_A, TOWN_A, 'community', '甲社区', 104);
  await region(COMM_B, TOWN_B, 'community', '乙社区', 104.2);
  for (const [code, community, name, x] of [
    [GRID_A1, COMM_A, '甲一网格', 104],
    [GRID_A2, COMM_A, '甲二网格', 104.05],
    [GRID_B, COMM_B, '乙一网格', 104.2],
  ] as const)
    await db.run(
      sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
          VALUES (${code}, ${community}, ${name}, ${square(x)}, ${x + 0.05}, ${30.05})`,
    );
  await db.run(
    sql`INSERT INTO meta (key, value, updated_at) VALUES ('world.info', ${JSON.stringify({ name: '演示世界' })}, ${NOW})`,
  );
  for (const [id, name] of [
    ['d-fire', '消防站'],
    ['d-city', '城管中队'],
  ])
    await db.run(sql`INSERT INTO departments (id, name, kind) VALUES (${id}, ${name}, 'fire')`);
  for (const i of INCIDENTS) {
    await db.run(
      sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code,
            state, supervision, satisfaction, closed_at, updated_at)
          VALUES (${i.id}, ${i.category}, ${`事件 ${i.id}`}, 104.05, 30.05, ${i.priority}, ${i.source}, ${i.receivedAt},
            ${i.receivedAt}, ${i.grid}, ${i.state}, ${i.supervision ?? 0}, ${i.satisfaction ?? null},
            ${i.closedAt ?? null}, ${i.closedAt ?? i.receivedAt})`,
    );
    const events: [number, string, string | null, string | null][] = [
      ...(i.handedTo ?? []).map(([at, dept]): [number, string, string | null, string | null] => [
        at,
        'assign',
        null,
        JSON.stringify({ assigneeKind: 'department', assigneeId: dept }),
      ]),
      ...(i.transitions ?? []).map(([at, to]): [number, string, string | null, string | null] => [
        at,
        'transition',
        to,
        null,
      ]),
    ].sort((a, b) => a[0] - b[0]);
    for (const [at, type, to, data] of events)
      await db.run(
        sql`INSERT INTO incident_events (incident_id, at, actor, type, to_state, data)
            VALUES (${i.id}, ${at}, 'x', ${type}, ${to}, ${data})`,
      );
  }
  for (const [id, grid] of [
    ['c1', GRID_A1],
    ['c2', GRID_A2],
    ['c3', GRID_B],
    ['c4', null],
  ] as const)
    await db.run(
      sql`INSERT INTO cameras (id, name, grid_code, created_at) VALUES (${id}, ${`摄像机 ${id}`}, ${grid}, 0)`,
    );
  for (const [id, grid] of [
    ['w1', GRID_A1],
    ['w2', GRID_B],
  ] as const)
    await db.run(
      sql`INSERT INTO workers (id, name, role, grid_code, created_at) VALUES (${id}, ${id}, 'full_time', ${grid}, 0)`,
    );
}

/** The live state a process builds from the same database: devices as loaded, reports as given here. */
async function liveOf(db: SqlDb, clock: FakeClock): Promise<LiveState> {
  const live = new LiveState(clock);
  await live.loadFromDb(db);
  const cam = (id: string, status: number, ts: number) => {
    const k = live.camera.indexOf(id)!;
    live.camera.status[k] = status;
    live.camera.ts[k] = ts;
  };
  cam('c1', 0, NOW - 1000);
  cam('c2', 0, NOW - HOUR);
  cam('c3', 2, NOW);
  const w = live.worker.indexOf('w1')!;
  live.worker.status[w] = 0;
  live.worker.ts[w] = NOW - 1000;
  for (const i of INCIDENTS.filter((x) => !['closed', 'cancelled'].includes(x.state))) {
    const v: IncidentView = {
      id: i.id,
      category: i.category as IncidentView['category'],
      title: `事件 ${i.id}`,
      priority: i.priority,
      source: i.source as IncidentView['source'],
      state: i.state as IncidentView['state'],
      lng: 104.05,
      lat: 30.05,
      address: null,
      gridCode: i.grid,
      reportedAt: i.receivedAt,
      receivedAt: i.receivedAt,
      updatedAt: i.receivedAt,
      assigneeKind: null,
      assigneeId: null,
      supervision: i.supervision ?? 0,
    };
    live.incidents.upsert(v);
  }
  return live;
}

interface Figures {
  stats: Record<string, WallStats>;
  cards: Record<string, TownCards>;
  areas: AreaFeatureCollection | null;
}

const figures = new Map<string, Figures>();

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the walls' figures on ${backend.name}`, () => {
    let t: TestSqlDb;
    afterAll(async () => {
      await t?.close();
    });

    it('computes every scope and period from the seeded rows', async () => {
      t = await backend.open();
      await seed(t.db);
      const clock = new FakeClock(NOW);
      const live = await liveOf(t.db, clock);
      invalidateRegionIndex(t.db);
      const out: Figures = { stats: {}, cards: {}, areas: await areaFeaturesFromDb(t.db) };
      for (const region of [null, TOWN_A, TOWN_B, COMM_A])
        for (const period of WALL_PERIODS)
          out.stats[`${region}|${period}`] = await computeWallStats({
            sql: t.db,
            live,
            clock,
            regionCode: region,
            period,
          });
      // A briefing's past day: as of that day's end, bounded there.
      out.stats.yesterday = await computeWallStats({
        sql: t.db,
        live,
        clock: { now: () => NOW - 12 * HOUR - 1 },
        regionCode: null,
        period: 'today',
        until: NOW - 12 * HOUR,
      });
      for (const region of [null, TOWN_A])
        out.cards[`${region}`] = await computeTownCards({ sql: t.db, live, clock }, region);
      figures.set(backend.name, out);

      const today = out.stats['null|today']!;
      expect(today.region.name).toBe('演示世界');
      expect(today.children.map((c) => c.name)).toEqual(['甲街道', '乙街道']);
      // The whole territory is the district (the top with more than one child): i06, in no grid, is left out.
      expect(today.kpi).toMatchObject({ received: 6, resolved: 2, open: 4, supervised: 1 });
      expect(today.compare.received.mom).toBe(1);
      expect(today.compare.received.yoy).toBe(1);
      expect(today.departments?.map((d) => [d.id, d.handed]).sort()).toEqual([
        ['d-city', 1],
        ['d-fire', 2],
      ]);
      expect(out.stats['null|month']!.departments?.find((d) => d.id === 'd-city')?.handed).toBe(2);
      expect(today.cameras).toMatchObject({ total: 3, online: 1, stale: 1, fault: 1 });
      expect(out.stats[`${COMM_A}|7d`]!.children.map((c) => c.code)).toEqual([GRID_A1, GRID_A2]);
      expect(out.cards.null!.cards.map((c) => [c.code, c.open])).toEqual([
        [TOWN_A, 5],
        [TOWN_B, 1],
      ]);
      expect(out.areas?.features.map((f) => f.properties.code).sort()).toEqual([GRID_A1, GRID_A2, GRID_B]);
    });
  });
}

describe.skipIf(SQL_BACKENDS.some((b) => b.unavailable !== null))(
  'the same figures from either engine',
  () => {
    it('agrees figure for figure', () => {
      const lite = figures.get('sqlite');
      const pg = figures.get('postgres');
      expect(lite && pg, 'both engines computed').toBeTruthy();
      expect(Object.keys(pg!.stats).sort()).toEqual(Object.keys(lite!.stats).sort());
      for (const key of Object.keys(lite!.stats)) expect(pg!.stats[key], key).toEqual(lite!.stats[key]);
      expect(pg!.cards).toEqual(lite!.cards);
      expect(pg!.areas).toEqual(lite!.areas);
    });
  },
);
