import { sql } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireBatch } from '@/lib/realtime/contract';
import { waitFor } from '../helpers/test-app';
import { CENTER, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
let dispatcher: string;
let duty: string;

const FORM = {
  category: 'dispute',
  priority: 2,
  title: '工地拖欠农民工工资',
  detail: '二十余名工人聚集在工地门口',
  address: '清波街 8 号',
  reporter: '李四',
  phone: '13900001111',
  lng: CENTER.lng,
  lat: CENTER.lat,
};

const auditRows = (objectId: string) =>
  kit.t.app.ctx.sql.all<{
    actor: string;
    role: string;
    action: string;
    result: string;
    reason: string | null;
    after: string;
  }>(
    sql`SELECT actor, role, action, result, reason, after FROM audit_log WHERE object_id = ${objectId} ORDER BY id`,
  );

beforeAll(async () => {
  kit = await startDispatchKit();
  dispatcher = await kit.login('dispatcher');
  duty = await kit.login('duty');
});

afterAll(async () => {
  await kit?.close();
});

describe('POST /api/incidents (接警登记)', () => {
  it('logs an incident that reaches a wall socket at once, and audits it', async () => {
    const socket = ioClient(kit.t.url, { transports: ['websocket'], extraHeaders: { cookie: duty } });
    const seen: string[] = [];
    socket.on('wall:batch', (batch: WireBatch, ack: (r: { ok: true }) => void) => {
      for (const i of batch.incidents ?? []) seen.push(`${i.id}:${i.title}:${i.state}`);
      ack({ ok: true });
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));

    const r = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: { ...FORM, id: 'desk-test-1' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ ok: true, id: 'desk-test-1', isDuplicate: false });

    await waitFor(
      () => seen.includes('desk-test-1:工地拖欠农民工工资:reported'),
      5_000,
      'incident on the wall',
    );
    socket.close();

    const row = await kit.t.app.ctx.sql.get(
      sql`SELECT source, state, reporter, phone, priority FROM incidents WHERE id = 'desk-test-1'`,
    );
    expect(row).toEqual({
      source: 'hotline_12345',
      state: 'reported',
      reporter: '李四',
      phone: '13900001111',
      priority: 2,
    });
    const audit = await auditRows('desk-test-1');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'dispatcher',
      role: 'dispatcher',
      action: 'incident.create',
      result: 'ok',
    });
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ title: '工地拖欠农民工工资', category: 'dispute' });
    expect(audit[0]!.after).not.toContain('13900001111'); // personal data stays out of the audit values
  });

  it('is idempotent on the id: a retried submit logs one incident', async () => {
    const body = { ...FORM, id: 'desk-test-2', title: '重复提交' };
    expect((await kit.api('POST', '/api/incidents', { cookie: dispatcher, body })).status).toBe(201);
    const again = await kit.api('POST', '/api/incidents', { cookie: dispatcher, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, id: 'desk-test-2', isDuplicate: true });
    const n = await kit.t.app.ctx.sql.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM incidents WHERE id = 'desk-test-2'`,
    );
    expect(n!.n).toBe(1);
    expect((await auditRows('desk-test-2')).map((a) => a.reason)).toEqual([null, 'duplicate']);
  });

  it('generates a desk id and takes a chosen source', async () => {
    const r = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: { ...FORM, source: 'police_110' },
    });
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^desk-[0-9a-f-]{36}$/);
    const row = await kit.t.app.ctx.sql.get(sql`SELECT source FROM incidents WHERE id = ${r.body.id}`);
    expect(row).toEqual({ source: 'police_110' });
  });

  it('refuses a bad form with every reason, field by field', async () => {
    const r = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: { ...FORM, category: 'wage', title: '   ', lng: 200, priority: 7 },
    });
    expect(r.status).toBe(400);
    const fields = (r.body.details.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['category', 'lng', 'priority', 'title']);
    const notObject = await kit.api('POST', '/api/incidents', { cookie: dispatcher, body: [FORM] });
    expect(notObject.status).toBe(400);
    const future = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: { ...FORM, reportedAt: kit.clock.now() + 3_600_000 },
    });
    expect(future.status).toBe(400);
    expect(future.body.details.fields[0].message).toBe('reportedAt:in_future');
  });

  it('is refused to the duty role and to anonymous callers, and the denial is audited', async () => {
    const denied = await kit.api('POST', '/api/incidents', {
      cookie: duty,
      body: { ...FORM, id: 'desk-denied' },
    });
    expect(denied.status).toBe(403);
    expect((await kit.api('POST', '/api/incidents', { body: { ...FORM, id: 'desk-anon' } })).status).toBe(
      401,
    );
    const denials = () =>
      kit.t.app.ctx.sql.all(
        sql`SELECT role, result FROM audit_log WHERE action = 'incident.create' AND result = 'denied'`,
      );
    // A denied write is audited just after the refusal is answered (server/auth/guard.ts).
    await waitFor(async () => (await denials()).length > 0, 5_000, 'the denial audited');
    expect(await denials()).toEqual([{ role: 'duty', result: 'denied' }]);
    const n = await kit.t.app.ctx.sql.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM incidents WHERE id IN ('desk-denied', 'desk-anon')`,
    );
    expect(n!.n).toBe(0);
  });
});
