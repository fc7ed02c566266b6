/**
 * What DESIGN §5 asks of a server killed mid-assignment (one process restarted, or one of several behind the
 * balancer): every acknowledged assignment is in the database, with exactly one `incident.assign` audit row
 * each, no change without its record nor record without its change, and the audit chain verifies.
 * Answers how many were committed in all (the in-flight ones included), for the test's summary line.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { systemClock } from '@/lib/clock';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { incidents, vehicles } from '@/server/db/schema';
import type { SqlDb, SqlRunner } from '@/server/db/sql-db';
import { bulkInsert } from '@/server/world/bulk-insert';
import { CENTER, DEMO_PASSWORD } from './dispatch-test-kit';

/**
 * The database as an operator would have it before the first start: the demo accounts, `vehicles` patrol cars
 * and `incidents` open incidents (一般, 12345), incident k a little east of CENTER.
 */
export async function seedAssignable(
  db: SqlDb,
  o: {
    vehicles: number;
    incidents: number;
    vehicleId: (k: number) => string;
    incidentId: (k: number) => string;
    title: (k: number) => string;
  },
): Promise<void> {
  await seedDemoAccounts(db, systemClock, DEMO_PASSWORD);
  const now = Date.now();
  await db.transaction(async (tx) => {
    await bulkInsert(
      tx,
      vehicles,
      Array.from({ length: o.vehicles }, (_, k) => ({
        id: o.vehicleId(k),
        name: `巡逻车 ${k}`,
        createdAt: now,
      })),
    );
    await bulkInsert(
      tx,
      incidents,
      Array.from({ length: o.incidents }, (_, k) => ({
        id: o.incidentId(k),
        sourceRef: o.incidentId(k),
        category: 'fire_safety',
        title: o.title(k),
        lng: CENTER.lng + k * 1e-4,
        lat: CENTER.lat,
        priority: 2,
        source: 'hotline_12345',
        reportedAt: now,
        receivedAt: now,
        gridCode: null,
        state: 'reported',
        supervision: 0,
        updatedAt: now,
      })),
    );
  });
}

export async function login(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

export async function expectAssignmentsDurable(
  db: SqlRunner,
  acked: Iterable<number>,
  ids: { incidentId: (k: number) => string; vehicleId: (k: number) => string },
  url: string,
): Promise<{ committed: number }> {
  const dispatched = new Map(
    (
      await db.all<{ id: string; assigneeId: string }>(
        sql`SELECT id, assignee_id AS "assigneeId" FROM incidents WHERE state = 'dispatched'`,
      )
    ).map((r) => [r.id, r.assigneeId]),
  );
  for (const k of acked) expect(dispatched.get(ids.incidentId(k)), ids.incidentId(k)).toBe(ids.vehicleId(k));
  const auditRows = await db.all<{ id: string; n: number }>(
    sql`SELECT object_id AS id, COUNT(*) AS n FROM audit_log
        WHERE action = 'incident.assign' AND result = 'ok' GROUP BY object_id`,
  );
  const auditCount = new Map(auditRows.map((r) => [r.id, r.n]));
  for (const k of acked) expect(auditCount.get(ids.incidentId(k)), ids.incidentId(k)).toBe(1);
  // No change without its record and no record without its change (the in-flight ones included).
  expect([...auditCount.keys()].sort()).toEqual([...dispatched.keys()].sort());
  expect([...auditCount.values()].every((n) => n === 1)).toBe(true);

  // The chain verifies, anchor included, through whichever process answers.
  const admin = await login(url, 'admin');
  const verify = await fetch(`${url}/api/audit/verify`, { headers: { cookie: admin } });
  expect(verify.status).toBe(200);
  expect(await verify.json()).toMatchObject({ ok: true });
  return { committed: dispatched.size };
}
