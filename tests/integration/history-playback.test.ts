import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '@/server/auth/accounts';
import { startDispatchKit, type DispatchKit, CENTER } from './dispatch-test-kit';
import { HISTORY_ENV, ingest } from './history-kit';

let kit: DispatchKit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

const STEP_MS = 30_000;

describe('incident playback (处置回放)', () => {
  it("joins the incident's steps with its unit's track from dispatch to arrival, inside the incident's region only", async () => {
    kit = await startDispatchKit({ env: HISTORY_ENV });
    const { t, clock } = kit;
    const db = t.app.ctx.sql;
    const vehicle = (id: string, name: string, plate: string) =>
      db.run(
        sql`INSERT INTO vehicles (id, name, plate, created_at) VALUES (${id}, ${name}, ${plate}, ${clock.now()})`,
      );
    const T0 = Math.floor((clock.now() - 2 * 3_600_000) / 1000) * 1000;
    await vehicle('PB-1', '回放一号车', '浙A-PB001');
    // The car patrols before the call (k < 4), drives to the scene after dispatch (4..9), then stays.
    const reports = Array.from({ length: 12 }, (_, k) => ({
      id: 'PB-1',
      ts: T0 + k * STEP_MS,
      lng: Math.round((CENTER.lng - 0.01 + Math.min(k, 10) * 0.001) * 1e6) / 1e6,
      lat: CENTER.lat,
      speed: k < 10 ? 36 : 0,
      status: k < 4 ? 'patrol' : 'responding',
    }));
    for (const r of reports) await ingest(t.url, t.app, 'vehicles', [r]);

    const reportedAt = T0 + 60_000;
    const dispatchAt = T0 + 4 * STEP_MS;
    const onSceneAt = T0 + 9 * STEP_MS;
    const resolvedAt = T0 + 20 * STEP_MS;
    await kit.addIncident('PB-INC', {
      reportedAt,
      receivedAt: reportedAt,
      state: 'resolved',
      assigneeKind: 'vehicle',
      assigneeId: 'PB-1',
      title: '回放测试 电话13812345678',
    });
    const ev = (
      at: number,
      actor: string,
      type: string,
      from: string | null,
      to: string,
      assigneeId?: string,
    ) =>
      db.run(sql`INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state, note, data)
        VALUES ('PB-INC', ${at}, ${actor}, ${type}, ${from}, ${to}, NULL,
          ${assigneeId ? JSON.stringify({ assigneeKind: 'vehicle', assigneeId }) : null})`);
    await ev(reportedAt, 'ingest:hotline_12345', 'reported', null, 'reported');
    await ev(reportedAt + 20_000, 'dispatcher', 'transition', 'reported', 'accepted');
    // First sent to another car, then reassigned: the playback follows the unit that handled it.
    await ev(reportedAt + 30_000, 'dispatcher', 'assign', 'accepted', 'dispatched', 'OTHER');
    await ev(dispatchAt, 'dispatcher', 'assign', 'dispatched', 'dispatched', 'PB-1');
    await ev(onSceneAt, 'dispatcher', 'transition', 'dispatched', 'on_scene');
    await ev(resolvedAt, 'dispatcher', 'transition', 'on_scene', 'resolved');

    const leader = await kit.login('leader');
    const r = await kit.api('GET', '/api/history/incident/PB-INC/playback', { cookie: leader });
    expect(r.status).toBe(200);
    expect(r.body.steps).toEqual([
      { kind: 'reported', at: reportedAt },
      { kind: 'accepted', at: reportedAt + 20_000 },
      { kind: 'dispatched', at: dispatchAt },
      { kind: 'on_scene', at: onSceneAt },
      { kind: 'resolved', at: resolvedAt },
    ]);
    expect(r.body.arriveMs).toBe(onSceneAt - dispatchAt);
    expect(r.body.unit).toMatchObject({ kind: 'vehicle', id: 'PB-1' });
    expect(r.body.unit.name).toContain('回放一号车');
    // The route is the car's positions from dispatch to arrival, exactly.
    expect(r.body.route.from).toBe(dispatchAt);
    expect(r.body.route.to).toBe(onSceneAt);
    expect(r.body.route.points.map((p: { ts: number }) => p.ts)).toEqual(
      reports.slice(4, 10).map((p) => p.ts),
    );
    expect(r.body.route.points[0].lng).toBe(reports[4]!.lng);
    // 5 steps of 0.001° of longitude at 30.25° N: about 481 m.
    expect(r.body.route.distanceM).toBeGreaterThan(470);
    expect(r.body.route.distanceM).toBeLessThan(490);
    expect(r.body.incident).toMatchObject({ id: 'PB-INC', lng: CENTER.lng, lat: CENTER.lat });
    expect(r.body.incident.title).toContain('13812345678');

    // Replay (`at=`): the playback of the unit that held the case at that instant. Before the reassignment
    // that is OTHER, with its own dispatch and its way until it was relieved, not PB-1's.
    await vehicle('OTHER', '先派车', '浙A-PB002');
    const sentFirstAt = reportedAt + 30_000;
    const otherReports = [0, 10_000, 20_000, 45_000].map((dt, k) => ({
      id: 'OTHER',
      ts: sentFirstAt + dt,
      lng: Math.round((CENTER.lng + 0.02 - k * 0.001) * 1e6) / 1e6,
      lat: CENTER.lat,
      speed: 40,
      status: 'responding',
    }));
    for (const q of otherReports) await ingest(t.url, t.app, 'vehicles', [q]);
    const before = await kit.api('GET', `/api/history/incident/PB-INC/playback?at=${dispatchAt - 10_000}`, {
      cookie: leader,
    });
    expect(before.status).toBe(200);
    expect(before.body.unit).toMatchObject({ kind: 'vehicle', id: 'OTHER' });
    expect(before.body.steps).toEqual([
      { kind: 'reported', at: reportedAt },
      { kind: 'accepted', at: reportedAt + 20_000 },
      { kind: 'dispatched', at: sentFirstAt },
    ]);
    expect(before.body.arriveMs).toBeNull();
    // Its way from its dispatch until PB-1 relieved it (its report after that is not this case's).
    expect(before.body.route).toMatchObject({ from: sentFirstAt, to: dispatchAt });
    expect(before.body.route.points.map((p: { ts: number }) => p.ts)).toEqual(
      otherReports.slice(0, 3).map((p) => p.ts),
    );
    // The answer stands until the holder changes: a replay clock past that asks again.
    expect(before.body.holding).toEqual({ from: sentFirstAt, to: dispatchAt });
    const after = await kit.api('GET', `/api/history/incident/PB-INC/playback?at=${onSceneAt}`, {
      cookie: leader,
    });
    expect(after.body.unit).toMatchObject({ kind: 'vehicle', id: 'PB-1' });
    expect(after.body.steps).toEqual(r.body.steps);
    expect(after.body.route.points.map((p: { ts: number }) => p.ts)).toEqual(
      reports.slice(4, 10).map((p) => p.ts),
    );
    expect(after.body.holding).toEqual({ from: dispatchAt, to: null });
    // Before anyone was sent: nobody's dispatch.
    const unsent = await kit.api('GET', `/api/history/incident/PB-INC/playback?at=${reportedAt + 25_000}`, {
      cookie: leader,
    });
    expect(unsent.body.unit).toBeNull();
    expect(unsent.body.steps).toEqual([
      { kind: 'reported', at: reportedAt },
      { kind: 'accepted', at: reportedAt + 20_000 },
    ]);
    expect(unsent.body.route).toBeNull();
    expect(unsent.body.holding).toEqual({ from: null, to: sentFirstAt });
    expect(
      (await kit.api('GET', '/api/history/incident/PB-INC/playback?at=soon', { cookie: leader })).status,
    ).toBe(400);

    // Replay's incidents of the period: each assign step names its unit (a replay names the car that held the
    // case at its instant, not the one it ended with); no other step's data leaves the server.
    const hist = await kit.api('GET', `/api/history/incidents?from=${T0}&to=${clock.now()}`, {
      cookie: leader,
    });
    expect(hist.status).toBe(200);
    const timeline = (hist.body.incidents as { id: string; timeline: Record<string, unknown>[] }[]).find(
      (i) => i.id === 'PB-INC',
    )!.timeline;
    expect(
      timeline.filter((e) => e.type === 'assign').map((e) => [e.at, e.assigneeKind, e.assigneeId]),
    ).toEqual([
      [reportedAt + 30_000, 'vehicle', 'OTHER'],
      [dispatchAt, 'vehicle', 'PB-1'],
    ]);
    for (const e of timeline.filter((x) => x.type !== 'assign')) {
      expect(e).not.toHaveProperty('assigneeId');
      expect(e).not.toHaveProperty('data');
    }

    // A wall (`mask=1`) gets the title masked, as the incident's own detail.
    const masked = await kit.api('GET', '/api/history/incident/PB-INC/playback?mask=1', { cookie: leader });
    expect(masked.body.incident.title).not.toContain('13812345678');

    // A principal of another district reads it as missing; unknown ids too; no session is refused.
    await createUser(db, clock, {
      username: 'gongshu',
      role: 'duty',
      password: 'pingan-scoped-1',
      regionCode: '330105000000',
    });
    const other = await kit.login('gongshu', 'pingan-scoped-1');
    expect((await kit.api('GET', '/api/history/incident/PB-INC/playback', { cookie: other })).status).toBe(
      404,
    );
    expect((await kit.api('GET', '/api/history/incident/NOPE/playback', { cookie: leader })).status).toBe(
      404,
    );
    expect((await kit.api('GET', '/api/history/incident/PB-INC/playback')).status).toBe(401);
  });
});
