import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { WallStatsSchema } from '@/lib/wall/stats';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import { LiveState } from '../live/live-state';
import { computeWallStats } from './wall-stats';
import { compareWindows, cstDayStart, periodStart, previousPeriodStart, sameTimeLastYear } from './periods';
import { incidentPressureScore, safetyIndex } from './safety-index';

/** A real SQLite file (WAL, as in production), removed with its directory by the OS's tmp cleaning. */
function tempDbPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wall-stats-')), 'wall.db');
}

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

async function world() {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 4, 0, 0)); // 12:00 CST
  const db = openDatabase(tempDbPath());
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
  await live.loadFromDb(sqliteSqlDb(s));
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

describe('periods in the display zone', () => {
  it('starts 今日 at the midnight of DISPLAY_TZ, not of the server or of UTC+8 when another zone is set', () => {
    const t = Date.UTC(2026, 11, 2, 20, 0, 0); // 04:00 on 12-03 in Beijing, 20:00 on 12-02 in UTC
    expect(periodStart('today', t)).toBe(Date.UTC(2026, 11, 2, 16, 0, 0));
    expect(periodStart('today', t, 'UTC')).toBe(Date.UTC(2026, 11, 2, 0, 0, 0));
    expect(periodStart('today', t, 'Asia/Urumqi')).toBe(Date.UTC(2026, 11, 2, 18, 0, 0));
    expect(compareWindows('today', t, 'UTC').mom).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 1, 20)]);
  });
});

describe('computeWallStats', () => {
  it('counts the whole territory: KPIs, rates, categories, cameras, ranking, overdue list', async () => {
    const { db, live, clock } = await world();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: 'today',
    });
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

  it('counts one town only, with its breadcrumb', async () => {
    const { db, live, clock } = await world();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: TOWN_A,
      period: '7d',
    });
    expect(st.region).toMatchObject({ code: TOWN_A, name: '甲街道', level: 'town' });
    expect(st.region.path.map((p) => p.name)).toEqual(['甲街道']);
    expect(st.kpi).toMatchObject({ received: 3, open: 1, overdue: 0 });
    expect(st.cameras.total).toBe(2);
    expect(st.children.map((c) => c.name)).toEqual(['甲社区']);
  });
});

describe('computeWallStats: the KPIs a leader asks for', () => {
  async function richer() {
    const w = await world();
    const { db, live, clock } = w;
    const s = db.$client;
    const now = clock.now();
    s.prepare(`UPDATE incidents SET source = 'hotline_12345' WHERE id = 'b1'`).run();
    s.prepare(`UPDATE incidents SET satisfaction = 5 WHERE id = 'a2'`).run();
    s.prepare(`UPDATE incidents SET satisfaction = 3 WHERE id = 'a1'`).run();
    const inc = s.prepare(
      `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code, state, updated_at)
       VALUES (?, ?, 't', 104, 30, 3, ?, ?, ?, ?, ?, ?)`,
    );
    // Today: a cancelled dispute (a duplicate) from a citizen.
    inc.run('c1', 'dispute', 'public_app', now - 7_200_000, now - 7_200_000, GRID_A, 'cancelled', now);
    // Yesterday 11:00 (inside 环比's window, resolved within it) and 13:00 (after the window's end).
    inc.run('y1', 'traffic', 'police_110', now - 90_000_000, now - 90_000_000, GRID_B, 'closed', now);
    s.prepare(
      `INSERT INTO incident_events (incident_id, at, actor, type, to_state) VALUES ('y1', ?, 'x', 'transition', 'resolved')`,
    ).run(now - 88_200_000);
    inc.run('y2', 'traffic', 'police_110', now - 82_800_000, now - 82_800_000, GRID_B, 'closed', now);

    const base = {
      category: 'dispute' as const,
      source: 'grid_worker' as const,
      lng: 104,
      lat: 30,
      address: null,
      gridCode: GRID_A,
      assigneeKind: null,
      assigneeId: null,
    };
    const at = (t: number) => ({ reportedAt: t, receivedAt: t, updatedAt: t });
    // 督办 but on time (green): listed, counted as supervised, not as overdue.
    live.incidents.upsert({
      ...base,
      ...at(now - 60_000),
      id: 'sup',
      title: 'sup',
      priority: 3,
      state: 'accepted',
      supervision: 1,
    });
    // 特急 on scene for 100 of its 120 minutes: a yellow lamp (预警), neither overdue nor listed.
    live.incidents.upsert({
      ...base,
      ...at(now - 6_000_000),
      id: 'warn',
      title: 'warn',
      priority: 1,
      state: 'on_scene',
      supervision: 0,
    });
    // Resolved, waiting for 结案: not open work.
    live.incidents.upsert({
      ...base,
      ...at(now - 60_000),
      id: 'done',
      title: 'done',
      priority: 3,
      state: 'resolved',
      supervision: 0,
    });
    // Two units held by dispatch while their terminals still report "patrol".
    for (const [id, state] of [
      ['d1', 'dispatched'],
      ['d2', 'on_scene'],
    ] as const)
      live.incidents.upsert({
        ...base,
        ...at(now - 60_000),
        id,
        title: id,
        priority: 3,
        state,
        supervision: 0,
        assigneeKind: 'vehicle',
        assigneeId: `v-${id}`,
      });
    for (const id of ['v-d1', 'v-d2', 'v-free', 'v-off']) {
      const i = live.vehicle.add({ id, name: id, kind: 'car' });
      live.vehicle.lng[i] = 104.05;
      live.vehicle.lat[i] = 30.05;
      live.vehicle.status[i] = id === 'v-off' ? 4 : 0; // offline : patrol
      live.vehicle.ts[i] = now - 1_000;
    }
    for (const [id, status] of [
      ['w-on', 0],
      ['w-off', 1],
    ] as const) {
      s.prepare(
        `INSERT INTO workers (id, name, role, grid_code, created_at) VALUES (?, ?, 'full_time', ?, 0)`,
      ).run(id, id, GRID_A);
      const i = live.worker.add({ id, name: id, kind: 'full_time' });
      live.worker.status[i] = status;
      live.worker.ts[i] = now - 1_000;
    }
    return w;
  }

  it('computes 闭环率, 主动发现率, 满意度, 化解率, 网格员在线率 and the 平安指数 over the period', async () => {
    const { db, live, clock } = await richer();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: 'today',
    });
    expect(WallStatsSchema.parse(st)).toBeTruthy();
    // Today: a1 (resolved), a2 (closed), a3, b1 (open), c1 (cancelled).
    expect(st.kpi.received).toBe(5);
    expect(st.kpi.closedLoopRate).toBe(1 / 4); // a2 of the 4 not cancelled
    expect(st.kpi.proactiveRate).toBe(3 / 5); // a1, a2, a3 by grid workers; b1 hotline; c1 public app
    expect(st.kpi.satisfactionRate).toBe(1 / 2); // a2 answered 5, a1 answered 3
    expect(st.kpi.rated).toBe(2);
    expect(st.kpi.disputeResolveRate).toBe(1 / 2); // a1 of a1, a3 (c1 cancelled)
    expect(st.kpi.workerOnlineRate).toBe(1 / 2);
    // The index looks a week back (today alone has closed little by morning): a1, a2, a3, b1, c1, old, y1,
    // y2. Closed a2, y1, y2 of the 7 not cancelled; on time 3 of 4 resolved (a2 late); proactive a1, a2,
    // a3, old of 8; satisfied 1 of 2; disputes a1 resolved of a1, a3, old. 环比 today: yesterday
    // 00:00–12:00 held y1 only, 5 now against 1 then → pressure (1+1)/(5+1).
    const w = { closed: 0.2, onTime: 0.2, sat: 0.15, dispute: 0.15, proactive: 0.1, pressure: 0.2 };
    const expected =
      w.closed * (3 / 7) +
      w.onTime * 0.75 +
      w.sat * 0.5 +
      w.dispute * (1 / 3) +
      w.proactive * 0.5 +
      w.pressure * (2 / 6);
    expect(st.kpi.safetyIndex).toBeCloseTo(expected * 100, 1);
    // Over 近7日 the board's own rates are the index's: the same window.
    const week = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: '7d',
    });
    expect(week.kpi.closedLoopRate).toBe(3 / 7);
    expect(week.kpi.disputeResolveRate).toBe(1 / 3);
  });

  it('compares with the previous period (环比) and shows no 同比 without last year on record', async () => {
    const { db, live, clock } = await richer();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: 'today',
    });
    expect(st.compare.received).toEqual({ mom: 1, yoy: null });
    expect(st.compare.resolved).toEqual({ mom: 1, yoy: null });
    // Town A had nothing yesterday morning: a real 0, not "no data".
    const town = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: TOWN_A,
      period: 'today',
    });
    expect(town.compare.received).toEqual({ mom: 0, yoy: null });
  });

  it('lists exactly what 超时 and 督办 count; 预警 is counted apart; 在办 is open work only', async () => {
    const { db, live, clock } = await richer();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: 'today',
    });
    expect(st.kpi.overdue).toBe(1); // old
    expect(st.kpi.supervised).toBe(2); // old (红牌), sup
    expect(st.kpi.warning).toBe(1); // warn
    const listed = st.overdueList.map((r) => r.id);
    expect(listed).toEqual(['old', 'sup']);
    expect(st.overdueListTotal).toBe(2);
    expect(st.overdueList[1]).toMatchObject({ lamp: 'green', supervision: 1 });
    // a3, b1, old, sup, warn, d1, d2 (not "done", which is 已办结).
    expect(st.kpi.open).toBe(7);
  });

  it('counts units held by dispatch as 出警 / 到场 even while their terminals report patrol', async () => {
    const { db, live, clock } = await richer();
    const st = await computeWallStats({
      sql: sqliteSqlDb(db.$client),
      live,
      clock,
      regionCode: null,
      period: 'today',
    });
    expect(st.vehicles).toEqual({
      total: 4,
      onDuty: 3,
      responding: 1,
      onScene: 1,
      patrol: 1,
      idle: 0,
      offline: 1,
    });
    expect(st.workers).toEqual({ total: 2, onDuty: 1 });
  });
});

describe('safety index', () => {
  it('is the weighted mean of the known parts, 0–100', () => {
    const all = (v: number | null) => ({
      closedLoopRate: v,
      onTimeRate: v,
      satisfactionRate: v,
      disputeResolveRate: v,
      proactiveRate: v,
      incidentPressure: v,
    });
    expect(safetyIndex(all(1))).toBe(100);
    expect(safetyIndex(all(0))).toBe(0);
    expect(safetyIndex(all(null))).toBeNull();
    expect(safetyIndex({ ...all(null), closedLoopRate: 0.5, onTimeRate: 1 })).toBe(75);
    expect(incidentPressureScore(5, 5)).toBe(1);
    expect(incidentPressureScore(9, 4)).toBe(0.5);
    expect(incidentPressureScore(3, null)).toBeNull();
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

  it('finds the previous period and the same time last year', () => {
    const t = Date.UTC(2026, 10, 23, 4, 0, 0); // 23 Nov 12:00 CST
    expect(previousPeriodStart('today', t)).toBe(Date.UTC(2026, 10, 21, 16, 0, 0));
    expect(previousPeriodStart('xun', t)).toBe(Date.UTC(2026, 10, 10, 16, 0, 0));
    expect(previousPeriodStart('month', t)).toBe(Date.UTC(2026, 8, 30, 16, 0, 0));
    expect(sameTimeLastYear(Date.UTC(2028, 1, 29, 4, 0, 0))).toBe(Date.UTC(2027, 1, 28, 4, 0, 0));
    const w = compareWindows('today', t);
    expect(w.mom).toEqual([Date.UTC(2026, 10, 21, 16, 0, 0), Date.UTC(2026, 10, 22, 4, 0, 0)]);
    expect(w.yoy).toEqual([Date.UTC(2025, 10, 22, 16, 0, 0), Date.UTC(2025, 10, 23, 4, 0, 0)]);
    // 1 Dec 12:00: the previous 旬 (21–30 Nov) is 10 days long; its window is as long as this one so far.
    const d = Date.UTC(2026, 11, 1, 4, 0, 0);
    expect(compareWindows('xun', d).mom).toEqual([
      Date.UTC(2026, 10, 20, 16, 0, 0),
      Date.UTC(2026, 10, 21, 4, 0, 0),
    ]);
  });
});
