import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deptAckLimit, activeTimeLimits } from '@/lib/domain/time-limits';
import { hashPassword } from '@/server/auth/password';
import { insertUser } from '@/server/auth/accounts';
import { RedisBus } from '@/server/bus/redis-bus';
import { createLogger } from '@/server/logger';
import { computeWallStats } from '@/server/stats/wall-stats';
import { TestRedis } from '../helpers/redis-server';
import { DEMO_PASSWORD, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * 中心吹哨、部门报到 end to end on the real app (real redis-server bus, real SQLite file or PostgreSQL, real HTTP): the
 * dispatcher hands incidents to a department, which 签收s, 反馈s, 办结s or 退回s them; lamps, 督办 and the
 * wall's 报到率 follow, and another department can neither see nor touch them.
 */
let redis: TestRedis;
let kit: DispatchKit;
let dispatcher: string;
let leader: string;
let fire: string;
let police: string;

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * How far the clock must run to reach 09:00 in Beijing (DISPLAY_TZ's default, UTC+8 all year). The file runs
 * the clock past hours of time limits and then reads the departments' 今日 figures: started after ~17:00
 * Beijing time, those hours crossed midnight and 今日 held nothing.
 */
function untilMorning(now: number): number {
  const sinceMidnight = (now + 8 * HOUR) % (24 * HOUR);
  return (9 * HOUR - sinceMidnight + 24 * HOUR) % (24 * HOUR);
}

/** Sessions idle out while the fake clock runs past a time limit: sign in again, as a person would. */
async function signInAll() {
  dispatcher = await kit.login('dispatcher');
  leader = await kit.login('leader');
  fire = await kit.login('dept-fire');
  police = await kit.login('dept-police');
}

beforeAll(async () => {
  redis = await TestRedis.start();
  kit = await startDispatchKit({ bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }) });
  kit.clock.advance(untilMorning(kit.clock.now()));
  const db = kit.t.app.ctx.sql;
  const categories = JSON.stringify(['public_security']);
  await db.run(
    sql`INSERT INTO departments (id, name, kind, region_code, categories)
        VALUES ('d-police', '湖滨派出所', 'police', '330102000000', ${categories})`,
  );
  const hash = await hashPassword(DEMO_PASSWORD, 1024);
  for (const [username, dept] of [
    ['dept-fire', 'd-fire'],
    ['dept-police', 'd-police'],
  ] as const) {
    const id = await insertUser(db, kit.clock, { username, role: 'department' }, hash);
    await db.run(sql`UPDATE users SET department_id = ${dept} WHERE id = ${id}`);
  }
  await signInAll();
}, 30_000);
afterAll(async () => {
  await kit?.close();
  await redis?.stop();
});

const fireStats = async () =>
  (
    await computeWallStats({
      sql: kit.t.app.ctx.sql,
      live: kit.t.app.ctx.live,
      clock: kit.clock,
      regionCode: null,
      period: 'today',
    })
  ).departments?.find((d) => d.id === 'd-fire');

describe('部门报到 loop', () => {
  it('a handed incident waits in the department’s queue owing 签收, and only there', async () => {
    await kit.addIncident('dl-1');
    await kit.addIncident('dl-2');
    for (const id of ['dl-1', 'dl-2']) {
      const r = await kit.api('POST', `/api/incidents/${id}/assign`, {
        cookie: dispatcher,
        body: { departmentId: 'd-fire', note: '请消防大队核查' },
      });
      expect(r.status).toBe(200);
      expect(r.body.timeLimits.next.milestone).toBe('deptAck');
    }
    const q = await kit.api('GET', '/api/dept/queue', { cookie: fire });
    expect(q.status).toBe(200);
    expect(q.body.department).toEqual({ id: 'd-fire', name: '上城区消防救援大队' });
    const pending = q.body.items.filter((i: { bucket: string }) => i.bucket === 'pending');
    expect(pending.map((i: { id: string }) => i.id).sort()).toEqual(['dl-1', 'dl-2']);
    // Personal data does not reach a department: the phone in a title would be masked, reporter never sent.
    expect(q.body.items[0]).not.toHaveProperty('reporter');

    const other = await kit.api('GET', '/api/dept/queue', { cookie: police });
    expect(other.body.items).toEqual([]);
  });

  it('another department cannot read or act on it (404), and its attempt is audited', async () => {
    expect((await kit.api('GET', '/api/dept/incidents/dl-1', { cookie: police })).status).toBe(404);
    const ack = await kit.api('POST', '/api/dept/incidents/dl-1/ack', { cookie: police, body: {} });
    expect(ack.status).toBe(404);
    const denied = await kit.t.app.ctx.sql.all(
      sql`SELECT actor, reason FROM audit_log WHERE action = 'incident.dept_ack' AND result = 'denied'`,
    );
    expect(denied).toEqual([{ actor: 'dept-police', reason: 'not_own_department' }]);
    // Nor may a department use the dispatcher's commands, nor a dispatcher the department's.
    const viaConsole = await kit.api('POST', '/api/incidents/dl-1/transition', {
      cookie: fire,
      body: { to: 'on_scene' },
    });
    expect(viaConsole.status).toBe(403);
    expect((await kit.api('GET', '/api/dept/queue', { cookie: dispatcher })).status).toBe(403);
    expect(kit.t.app.ctx.live.incidents.get('dl-1')?.state).toBe('dispatched');
  });

  it('签收 moves it to 处置中 at once on the board, on the timeline and in the audit log; 反馈 adds a note', async () => {
    const r = await kit.api('POST', '/api/dept/incidents/dl-1/ack', { cookie: fire, body: {} });
    expect(r.status).toBe(200);
    expect(r.body.incident).toMatchObject({
      state: 'on_scene',
      assigneeKind: 'department',
      assigneeId: 'd-fire',
    });
    expect(kit.t.app.ctx.live.incidents.get('dl-1')?.state).toBe('on_scene');
    const fb = await kit.api('POST', '/api/dept/incidents/dl-1/feedback', {
      cookie: fire,
      body: { note: '已派员到场，正在排查隐患' },
    });
    expect(fb.status).toBe(200);
    expect(
      (await kit.api('POST', '/api/dept/incidents/dl-1/feedback', { cookie: fire, body: {} })).status,
    ).toBe(400);
    const d = await kit.api('GET', '/api/dept/incidents/dl-1', { cookie: fire });
    expect(d.status).toBe(200);
    expect(d.body.bucket).toBe('in_progress');
    const types = d.body.timeline.map(
      (e: { type: string; toState: string | null }) => `${e.type}:${e.toState}`,
    );
    expect(types).toEqual(['assign:dispatched', 'transition:on_scene', 'feedback:on_scene']);
    const audited = (
      await kit.t.app.ctx.sql.all<{ action: string }>(
        sql`SELECT action FROM audit_log WHERE object_id = 'dl-1' AND actor = 'dept-fire' AND result = 'ok' ORDER BY id`,
      )
    ).map((a) => a.action);
    expect(audited).toEqual(['incident.transition', 'incident.feedback']);
  });

  it('an unacknowledged one goes red past its 签收 limit, is listed for 督办 and can be flagged', async () => {
    const before = await kit.api('GET', '/api/supervision', { cookie: leader });
    expect(before.body.incidents.map((i: { id: string }) => i.id)).not.toContain('dl-2');
    kit.clock.advance(deptAckLimit(activeTimeLimits(), 2) + MIN);
    await signInAll();
    const after = await kit.api('GET', '/api/supervision', { cookie: leader });
    const row = after.body.incidents.find((i: { id: string }) => i.id === 'dl-2');
    expect(row.timeLimits).toMatchObject({ lamp: 'red', isOverdue: true });
    expect(row.timeLimits.next.milestone).toBe('deptAck');
    // The acknowledged one owes only 办结 and is not overdue.
    expect(after.body.incidents.map((i: { id: string }) => i.id)).not.toContain('dl-1');
    const flag = await kit.api('POST', '/api/incidents/dl-2/supervise', {
      cookie: leader,
      body: { level: 2, note: '部门超时未签收' },
    });
    expect(flag.status).toBe(200);
    // The wall's 超时督办 list carries it too, red.
    const wall = await computeWallStats({
      sql: kit.t.app.ctx.sql,
      live: kit.t.app.ctx.live,
      clock: kit.clock,
      regionCode: null,
      period: 'today',
    });
    expect(wall.overdueList.find((i) => i.id === 'dl-2')?.lamp).toBe('red');
    // 报到率 so far: one answered in time of the two due.
    expect(await fireStats()).toMatchObject({ handed: 2, ackDue: 2, ackOnTime: 1, ackRate: 0.5 });
  });

  it('退回 needs a reason and puts the incident back with the dispatcher', async () => {
    const bare = await kit.api('POST', '/api/dept/incidents/dl-2/return', { cookie: fire, body: {} });
    expect(bare.status).toBe(400);
    const r = await kit.api('POST', '/api/dept/incidents/dl-2/return', {
      cookie: fire,
      body: { note: '不属本部门职责，建议转城管' },
    });
    expect(r.status).toBe(200);
    expect(kit.t.app.ctx.live.incidents.get('dl-2')).toMatchObject({
      state: 'returned',
      assigneeKind: null,
      assigneeId: null,
    });
    const returned = await kit.api('GET', '/api/incidents?state=returned', { cookie: dispatcher });
    expect(returned.body.incidents.map((i: { id: string }) => i.id)).toContain('dl-2');
    const q = await kit.api('GET', '/api/dept/queue', { cookie: fire });
    expect(q.body.items.find((i: { id: string }) => i.id === 'dl-2')?.bucket).toBe('returned');
    // No longer the department's: it can read what it returned but not act on it.
    expect((await kit.api('POST', '/api/dept/incidents/dl-2/ack', { cookie: fire, body: {} })).status).toBe(
      403,
    );
  });

  it('办结 sends it to the center for 核查; the department cannot close or re-open it; rates follow', async () => {
    const r = await kit.api('POST', '/api/dept/incidents/dl-1/resolve', {
      cookie: fire,
      body: { note: '隐患已整改' },
    });
    expect(r.status).toBe(200);
    expect(r.body.incident.state).toBe('resolved');
    expect(
      (await kit.api('POST', '/api/dept/incidents/dl-1/return', { cookie: fire, body: { note: 'x' } }))
        .status,
    ).toBe(403);
    const q = await kit.api('GET', '/api/dept/queue', { cookie: fire });
    expect(q.body.items.find((i: { id: string }) => i.id === 'dl-1')?.bucket).toBe('resolved');
    const close = await kit.api('POST', '/api/incidents/dl-1/transition', {
      cookie: dispatcher,
      body: { to: 'closed' },
    });
    expect(close.status).toBe(200);
    kit.clock.advance(5_000); // past the stats cache
    expect(await fireStats()).toMatchObject({ handed: 2, resolveDue: 1, resolvedOnTime: 1, onTimeRate: 1 });
  });
});
