import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnchor } from '@/server/audit/audit-anchor';
import { asDatabaseWriter, dropAuditTrigger } from '../helpers/database-writer';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
let admin: string;

/** A kit whose audit log holds logins and one accepted transition per id. */
async function kitWithAcceptedIncidents(ids: string[]): Promise<DispatchKit> {
  const k = await startDispatchKit();
  const dispatcher = await k.login('dispatcher');
  for (const id of ids) {
    await k.addIncident(id);
    await k.api('POST', `/api/incidents/${id}/transition`, {
      cookie: dispatcher,
      body: { to: 'accepted', note: `受理 ${id}` },
    });
  }
  return k;
}

beforeAll(async () => {
  kit = await kitWithAcceptedIncidents(['x-1', 'x-2', 'x-3']);
  admin = await kit.login('admin');
});
afterAll(() => kit?.close());

describe('audit log', () => {
  it('records who, role, address, UTC time, action, object, before/after and result', async () => {
    const row = (await kit.t.app.ctx.sql.get<Record<string, unknown>>(
      sql`SELECT * FROM audit_log WHERE action = 'incident.transition' ORDER BY id LIMIT 1`,
    ))!;
    expect(row).toMatchObject({
      actor: 'dispatcher',
      role: 'dispatcher',
      object_type: 'incident',
      object_id: 'x-1',
      result: 'ok',
    });
    expect(row.client_address).toMatch(/127\.0\.0\.1/);
    expect(JSON.parse(row.before as string)).toMatchObject({ state: 'reported' });
    expect(JSON.parse(row.after as string)).toMatchObject({ state: 'accepted', note: '受理 x-1' });
    expect(row.at).toBe(kit.clock.now());
  });

  it('verifies, and the admin page can list and filter it', async () => {
    const v = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(v.status).toBe(200);
    expect(v.body.ok).toBe(true);
    expect(v.body.rows).toBeGreaterThanOrEqual(5);
    const list = await kit.api('GET', '/api/audit?action=incident.transition&objectId=x-2', {
      cookie: admin,
    });
    expect(list.body.rows).toHaveLength(1);
  });

  it('refuses UPDATE and DELETE through the trigger', async () => {
    const db = kit.t.app.ctx.sql;
    await expect(db.run(sql`UPDATE audit_log SET actor = 'mallory' WHERE id = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.run(sql`DELETE FROM audit_log WHERE id = 1`)).rejects.toThrow(/append-only/);
  });

  it('detects a one-byte tamper made through a raw connection after dropping the trigger', async () => {
    const target = await asDatabaseWriter(kit.t.app.ctx.config, async (raw) => {
      const row = (await raw.get<{ id: number; after: string }>(
        sql`SELECT id, reason, after FROM audit_log WHERE action = 'incident.transition' ORDER BY id LIMIT 1 OFFSET 1`,
      ))!;
      await dropAuditTrigger(raw, 'audit_log_no_update');
      // One byte: the note's 'x-2' becomes 'x-3' inside the stored JSON.
      const tampered = row.after.replace('x-2', 'x-3');
      expect(Buffer.byteLength(tampered)).toBe(Buffer.byteLength(row.after));
      const changed = await raw.run(sql`UPDATE audit_log SET after = ${tampered} WHERE id = ${row.id}`);
      expect(changed.changes).toBe(1);
      return row;
    });
    const v = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(v.body).toMatchObject({ ok: false, firstBadRow: target.id });
  });
});

describe('audit log head anchored outside the database', () => {
  let k: DispatchKit;
  let admin2: string;
  beforeAll(async () => {
    k = await kitWithAcceptedIncidents(['t-1', 't-2']);
    admin2 = await k.login('admin');
  });
  afterAll(() => k?.close());

  it('detects the newest rows removed, which the chain alone cannot', async () => {
    const anchor = k.mod.anchor!;
    await anchor.tick(); // what the timer does every AUDIT_ANCHOR_MS
    const head = readAnchor(anchor.path!).head!;
    expect(head.id).toBe(
      (await k.t.app.ctx.sql.get<{ id: number }>(sql`SELECT max(id) AS id FROM audit_log`))!.id,
    );
    expect((await k.api('GET', '/api/audit/verify', { cookie: admin2 })).body).toMatchObject({
      ok: true,
      anchor: { id: head.id },
    });

    await asDatabaseWriter(k.t.app.ctx.config, async (raw) => {
      await dropAuditTrigger(raw, 'audit_log_no_delete');
      await raw.run(sql`DELETE FROM audit_log WHERE id >= ${head.id - 1}`);
    });
    const v = await k.api('GET', '/api/audit/verify', { cookie: admin2 });
    // The shortened chain itself is intact; only the anchor shows what is missing.
    expect(v.body).toMatchObject({ ok: false, problem: 'head', firstBadRow: head.id });
    expect(v.body.reason).toMatch(/removed/);

    // New rows written over the gap do not hide it, and the anchor is never moved past the evidence.
    await k.login('leader');
    await anchor.tick();
    expect(readAnchor(anchor.path!).head).toEqual(head);
    expect((await k.api('GET', '/api/audit/verify', { cookie: admin2 })).body).toMatchObject({
      ok: false,
      problem: 'head',
    });
  });
});
