import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTER, STATUS, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Every page gets names, not ids: the incident, its timeline, the audit listing and a vehicle's details are
 * named on the server where they are assembled (real app, real SQLite or PostgreSQL, real HTTP).
 */
let kit: DispatchKit;
let dispatcher: string;

const DEPT = 'dept-510190103-police_station';
const CAR = 'veh-00057';
const WORKER = 'wkr-00001';

beforeAll(async () => {
  kit = await startDispatchKit();
  dispatcher = await kit.login('dispatcher');
  const db = kit.t.app.ctx.sql;
  const now = kit.clock.now();
  const categories = JSON.stringify(['public_security']);
  await db.run(
    sql`INSERT INTO departments (id, name, kind, region_code, categories)
        VALUES (${DEPT}, '城西派出所', 'police_station', '510190103000', ${categories})`,
  );
  await db.run(
    sql`INSERT INTO vehicles (id, name, plate, kind, department_id, created_at)
        VALUES (${CAR}, '城西派出所巡逻车01', '川A·12345', 'patrol_car', ${DEPT}, ${now})`,
  );
  await db.run(
    sql`INSERT INTO workers (id, name, role, grid_code, created_at)
        VALUES (${WORKER}, '张三丰', 'full_time', '330102001001001', ${now})`,
  );
  await kit.placeUnit(kit.t.app.ctx.live.vehicle, CAR, CENTER.lng + 0.002, CENTER.lat, STATUS.patrol);
  await kit.placeUnit(kit.t.app.ctx.live.worker, WORKER, CENTER.lng, CENTER.lat + 0.002, STATUS.onDuty);
});
afterAll(() => kit?.close());

describe('names, not ids', () => {
  it('an assigned incident carries the unit by name and every actor by name', async () => {
    await kit.addIncident('names-1', { source: 'police_110' });
    // What the 110 intake writes when the report arrives (server/ingest/incident-ingest.ts).
    await kit.t.app.ctx.sql.run(
      sql`INSERT INTO incident_events (incident_id, at, actor, type, to_state)
          VALUES ('names-1', ${kit.clock.now()}, 'ingest:police_110', 'reported', 'reported')`,
    );
    const post = (path: string, body: unknown) =>
      kit.api('POST', `/api/incidents/names-1/${path}`, { cookie: dispatcher, body });
    expect((await post('transition', { to: 'accepted' })).status).toBe(200);
    expect((await post('assign', { vehicleId: CAR })).status).toBe(200);

    const r = await kit.api('GET', '/api/incidents/names-1', { cookie: dispatcher });
    expect(r.status).toBe(200);
    expect(r.body.incident.assigneeId).toBe(CAR); // the id stays for operators
    expect(r.body.incident.assigneeName).toBe('城西派出所巡逻车01 川A·12345');
    const timeline = r.body.timeline as { type: string; actorName: string; assigneeName: string | null }[];
    expect(timeline.map((e) => [e.type, e.actorName])).toEqual([
      ['reported', '110警情接入'],
      ['transition', '调度员'],
      ['assign', '调度员'],
    ]);
    expect(timeline.find((e) => e.type === 'assign')!.assigneeName).toBe('城西派出所巡逻车01 川A·12345');
    expect(JSON.stringify(r.body)).not.toMatch(/"actorName":"(ingest:|dispatcher)/);
  });

  it("a grid worker's name is shown in full only to roles entitled to personal data, and masked for a wall", async () => {
    await kit.addIncident('names-2');
    const a = await kit.api('POST', '/api/incidents/names-2/assign', {
      cookie: dispatcher,
      body: { workerId: WORKER },
    });
    expect(a.status).toBe(200);
    const full = await kit.api('GET', '/api/incidents/names-2', { cookie: dispatcher });
    expect(full.body.incident.assigneeName).toBe('张三丰 (专职网格员)');
    const wall = await kit.api('GET', '/api/incidents/names-2?mask=1', { cookie: dispatcher });
    expect(wall.body.incident.assigneeName).toBe('张** (专职网格员)');
    expect(wall.body.timeline.at(-1).assigneeName).toBe('张** (专职网格员)');
    const duty = await kit.login('duty');
    const dutyView = await kit.api('GET', '/api/incidents/names-2', { cookie: duty });
    expect(dutyView.body.incident.assigneeName).toBe('张** (专职网格员)');
    const worker = await kit.api('GET', `/api/workers/${WORKER}`, { cookie: duty });
    expect(worker.body).toMatchObject({ name: '张**', label: '张** (专职网格员)' });
  });

  it("a vehicle's details carry its department by name", async () => {
    const r = await kit.api('GET', `/api/vehicles/${CAR}?mask=1`, { cookie: dispatcher });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: CAR,
      kind: 'vehicle',
      type: 'patrol_car',
      label: '城西派出所巡逻车01 川A·12345',
      departmentId: DEPT,
      departmentName: '城西派出所',
      status: 'responding',
    });
  });

  it('the audit listing names the actor and the assigned unit', async () => {
    const admin = await kit.login('admin');
    const r = await kit.api('GET', '/api/audit?action=incident.assign&objectId=names-1', { cookie: admin });
    expect(r.status).toBe(200);
    expect(r.body.rows).toHaveLength(1);
    expect(r.body.rows[0]).toMatchObject({ actor: 'dispatcher', actorName: '调度员', result: 'ok' });
    expect(JSON.parse(r.body.rows[0].after)).toMatchObject({ assigneeId: CAR });
    expect(r.body.names[CAR]).toBe('城西派出所巡逻车01 川A·12345');
  });
});
