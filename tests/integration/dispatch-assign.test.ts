import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VEHICLE_STATUSES } from '@/lib/domain/enums';
import { isUniqueViolation } from '@/server/db/sql-db';
import { CENTER, STATUS, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
let dispatcher: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  dispatcher = await kit.login('dispatcher');
});
afterAll(() => kit?.close());

describe('assignment', () => {
  it('100 parallel assignments of one vehicle: exactly one wins, the rest get 409', async () => {
    await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'car-1', CENTER.lng + 0.01, CENTER.lat, STATUS.patrol);
    const ids = Array.from({ length: 100 }, (_, k) => `race-${k}`);
    for (const id of ids) await kit.addIncident(id);
    const results = await Promise.all(
      ids.map((id) =>
        kit.api('POST', `/api/incidents/${id}/assign`, { cookie: dispatcher, body: { vehicleId: 'car-1' } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);

    const db = kit.t.app.ctx.sql;
    const engaged = await db.all<{ id: string }>(
      sql`SELECT id FROM incidents WHERE assignee_id = 'car-1' AND state IN ('dispatched', 'on_scene')`,
    );
    expect(engaged).toHaveLength(1);
    const winner = engaged[0]!.id;
    // One ok audit row for the one assignment; the 99 refusals are on the record as errors.
    const audit = await db.all(
      sql`SELECT result, COUNT(*) AS n FROM audit_log WHERE action = 'incident.assign' GROUP BY result`,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { result: 'ok', n: 1 },
        { result: 'error', n: 99 },
      ]),
    );
    // The live state tells every wall: the board has the new state and the car is responding.
    expect(kit.t.app.ctx.live.incidents.get(winner)).toMatchObject({
      state: 'dispatched',
      assigneeKind: 'vehicle',
      assigneeId: 'car-1',
    });
    const car = kit.t.app.ctx.live.vehicle.getById('car-1')!;
    expect(VEHICLE_STATUSES[car.status]).toBe('responding');
  });

  it('the database itself refuses a second engaged incident for one unit (any process, any code path)', async () => {
    await kit.addIncident('raw-1');
    const refused = await kit.t.app.ctx.sql
      .run(
        sql`UPDATE incidents SET state = 'dispatched', assignee_kind = 'vehicle', assignee_id = 'car-1' WHERE id = 'raw-1'`,
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(refused), String(refused)).toBe(true);
  });

  it('works a case from report to closure, every step on the timeline and the record', async () => {
    const leader = await kit.login('leader');
    await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'car-2', CENTER.lng, CENTER.lat + 0.005, STATUS.patrol);
    await kit.addIncident('life-1', { priority: 1, category: 'fire_safety' });
    const post = (path: string, body: unknown, cookie = dispatcher) =>
      kit.api('POST', `/api/incidents/life-1/${path}`, { cookie, body });

    expect((await post('transition', { to: 'accepted', note: '已受理' })).status).toBe(200);
    const rec = await kit.api('GET', '/api/incidents/life-1/recommendations', { cookie: dispatcher });
    expect(rec.status).toBe(200);
    expect(rec.body.vehicles.map((v: { id: string }) => v.id)).toContain('car-2');
    expect(rec.body.departments.map((d: { id: string }) => d.id)).toEqual(['d-fire']);
    expect((await post('assign', { vehicleId: rec.body.vehicles[0].id })).status).toBe(200);
    expect((await post('transition', { to: 'on_scene' })).status).toBe(200);
    expect(VEHICLE_STATUSES[kit.t.app.ctx.live.vehicle.getById('car-2')!.status]).toBe('on_scene');
    expect((await post('transition', { to: 'resolved', note: '已处置' })).status).toBe(200);
    expect(VEHICLE_STATUSES[kit.t.app.ctx.live.vehicle.getById('car-2')!.status]).toBe('patrol');
    expect((await post('follow-up', { satisfaction: 5, note: '满意' })).status).toBe(200);
    // Closing is the leader's verification; the dispatcher may too, but an illegal jump is refused.
    expect((await post('transition', { to: 'on_scene' })).status).toBe(409);
    expect((await post('transition', { to: 'closed', note: '核查通过' }, leader)).status).toBe(200);
    expect(kit.t.app.ctx.live.incidents.get('life-1')).toBeUndefined(); // closed leaves the wall

    const detail = await kit.api('GET', '/api/incidents/life-1', { cookie: dispatcher });
    expect(detail.body.incident).toMatchObject({ state: 'closed', satisfaction: 5, reporter: '张三' });
    expect(detail.body.timeline.map((e: { type: string; actor: string }) => `${e.type}:${e.actor}`)).toEqual([
      'transition:dispatcher',
      'assign:dispatcher',
      'transition:dispatcher',
      'transition:dispatcher',
      'follow_up:dispatcher',
      'transition:leader',
    ]);
  });

  it('requires a reason to return (退单) and frees the unit', async () => {
    await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'car-3', CENTER.lng, CENTER.lat, STATUS.patrol);
    await kit.addIncident('ret-1');
    await kit.api('POST', '/api/incidents/ret-1/assign', {
      cookie: dispatcher,
      body: { vehicleId: 'car-3' },
    });
    const noNote = await kit.api('POST', '/api/incidents/ret-1/transition', {
      cookie: dispatcher,
      body: { to: 'returned' },
    });
    expect(noNote.status).toBe(400);
    const ok = await kit.api('POST', '/api/incidents/ret-1/transition', {
      cookie: dispatcher,
      body: { to: 'returned', note: '非本辖区' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.incident.assigneeId).toBeNull();
    // Free again: another incident can have it.
    await kit.addIncident('ret-2');
    expect(
      (
        await kit.api('POST', '/api/incidents/ret-2/assign', {
          cookie: dispatcher,
          body: { vehicleId: 'car-3' },
        })
      ).status,
    ).toBe(200);
  });

  it('assigns to a department without holding it, and refuses unknown or offline units', async () => {
    await kit.addIncident('dep-1');
    await kit.addIncident('dep-2');
    for (const id of ['dep-1', 'dep-2'])
      expect(
        (
          await kit.api('POST', `/api/incidents/${id}/assign`, {
            cookie: dispatcher,
            body: { departmentId: 'd-fire' },
          })
        ).status,
      ).toBe(200);
    await kit.addIncident('bad-1');
    expect(
      (
        await kit.api('POST', '/api/incidents/bad-1/assign', {
          cookie: dispatcher,
          body: { vehicleId: 'nope' },
        })
      ).status,
    ).toBe(404);
    await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'car-off', CENTER.lng, CENTER.lat, STATUS.offline);
    expect(
      (
        await kit.api('POST', '/api/incidents/bad-1/assign', {
          cookie: dispatcher,
          body: { vehicleId: 'car-off' },
        })
      ).status,
    ).toBe(409);
    const two = await kit.api('POST', '/api/incidents/bad-1/assign', {
      cookie: dispatcher,
      body: { vehicleId: 'a', workerId: 'b' },
    });
    expect(two.status).toBe(400);
  });

  it('lists the queue by urgency and shows overdue and flagged incidents on the 督办 list', async () => {
    const leader = await kit.login('leader');
    await kit.addIncident('old-1', { priority: 1, receivedAt: kit.clock.now() - 10 * 60_000 }); // 特急 accept limit 3 min: red
    await kit.addIncident('flag-1', { priority: 4 });
    expect(
      (
        await kit.api('POST', '/api/incidents/flag-1/supervise', {
          cookie: leader,
          body: { level: 3, note: '红牌督办' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await kit.api('POST', '/api/incidents/flag-1/supervise', { cookie: dispatcher, body: { level: 1 } }))
        .status,
    ).toBe(403);
    const sup = await kit.api('GET', '/api/supervision', { cookie: dispatcher });
    const ids = sup.body.incidents.map((i: { id: string }) => i.id);
    expect(ids[0]).toBe('flag-1');
    expect(ids).toContain('old-1');
    const queue = await kit.api('GET', '/api/incidents?state=reported', { cookie: dispatcher });
    expect(queue.body.incidents[0].id).toBe('old-1');
    expect(queue.body.incidents[0].timeLimits.lamp).toBe('red');
  });
});
