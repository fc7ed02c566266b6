import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
let admin: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  admin = await kit.login('admin');
  const dispatcher = await kit.login('dispatcher');
  for (const id of ['x-1', 'x-2', 'x-3']) {
    kit.addIncident(id);
    await kit.api('POST', `/api/incidents/${id}/transition`, {
      cookie: dispatcher,
      body: { to: 'accepted', note: `受理 ${id}` },
    });
  }
});
afterAll(() => kit?.close());

describe('audit log', () => {
  it('records who, role, address, UTC time, action, object, before/after and result', () => {
    const row = kit.t.db.$client
      .prepare(`SELECT * FROM audit_log WHERE action = 'incident.transition' ORDER BY id LIMIT 1`)
      .get() as Record<string, unknown>;
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

  it('refuses UPDATE and DELETE through the trigger', () => {
    const sqlite = kit.t.db.$client;
    expect(() => sqlite.prepare(`UPDATE audit_log SET actor = 'mallory' WHERE id = 1`).run()).toThrow(
      /append-only/,
    );
    expect(() => sqlite.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
  });

  it('detects a one-byte tamper made through a raw connection after dropping the trigger', async () => {
    const raw = new Database(kit.t.dbPath);
    try {
      const target = raw
        .prepare(
          `SELECT id, reason, after FROM audit_log WHERE action = 'incident.transition' ORDER BY id LIMIT 1 OFFSET 1`,
        )
        .get() as {
        id: number;
        after: string;
      };
      raw.exec('DROP TRIGGER audit_log_no_update');
      // One byte: the note's 'x-2' becomes 'x-3' inside the stored JSON.
      const tampered = target.after.replace('x-2', 'x-3');
      expect(Buffer.byteLength(tampered)).toBe(Buffer.byteLength(target.after));
      raw.prepare('UPDATE audit_log SET after = ? WHERE id = ?').run(tampered, target.id);
      const v = await kit.api('GET', '/api/audit/verify', { cookie: admin });
      expect(v.body).toMatchObject({ ok: false, firstBadRow: target.id });
    } finally {
      raw.close();
    }
  });
});
