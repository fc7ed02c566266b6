/**
 * What DESIGN §5 asks of a server killed mid-assignment (one process restarted, or one of several behind the
 * balancer): every acknowledged assignment is in the database, with exactly one `incident.assign` audit row
 * each, no change without its record nor record without its change, and the audit chain verifies.
 * Answers how many were committed in all (the in-flight ones included), for the test's summary line.
 */
import { sqliteSqlDb } from '@/server/db/sql-db';
import type Database from 'better-sqlite3';
import { expect } from 'vitest';
import { systemClock } from '@/lib/clock';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { openDatabase } from '@/server/db/open-database';
import { CENTER, DEMO_PASSWORD } from './dispatch-test-kit';

/**
 * The database as an operator would have it before the first start: the demo accounts, `vehicles` patrol cars
 * and `incidents` open incidents (一般, 12345), incident k a little east of CENTER.
 */
export async function seedAssignable(
  dbPath: string,
  o: {
    vehicles: number;
    incidents: number;
    vehicleId: (k: number) => string;
    incidentId: (k: number) => string;
    title: (k: number) => string;
  },
): Promise<void> {
  const db = openDatabase(dbPath);
  const sqlite = db.$client;
  await seedDemoAccounts(sqliteSqlDb(sqlite), systemClock, DEMO_PASSWORD);
  const now = Date.now();
  const car = sqlite.prepare('INSERT INTO vehicles (id, name, created_at) VALUES (?, ?, ?)');
  const incident = sqlite.prepare(
    `INSERT INTO incidents (id, source_ref, category, title, lng, lat, priority, source, reported_at, received_at,
       grid_code, state, supervision, updated_at)
     VALUES (@id, @id, 'fire_safety', @title, @lng, @lat, 2, 'hotline_12345', @now, @now, NULL, 'reported', 0, @now)`,
  );
  sqlite.transaction(() => {
    for (let k = 0; k < o.vehicles; k++) car.run(o.vehicleId(k), `巡逻车 ${k}`, now);
    for (let k = 0; k < o.incidents; k++)
      incident.run({
        id: o.incidentId(k),
        title: o.title(k),
        lng: CENTER.lng + k * 1e-4,
        lat: CENTER.lat,
        now,
      });
  })();
  sqlite.close();
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
  sqlite: Database.Database,
  acked: Iterable<number>,
  ids: { incidentId: (k: number) => string; vehicleId: (k: number) => string },
  url: string,
): Promise<{ committed: number }> {
  const dispatched = new Map(
    (
      sqlite
        .prepare(`SELECT id, assignee_id AS assigneeId FROM incidents WHERE state = 'dispatched'`)
        .all() as { id: string; assigneeId: string }[]
    ).map((r) => [r.id, r.assigneeId]),
  );
  for (const k of acked) expect(dispatched.get(ids.incidentId(k)), ids.incidentId(k)).toBe(ids.vehicleId(k));
  const auditRows = sqlite
    .prepare(
      `SELECT object_id AS id, COUNT(*) AS n FROM audit_log
       WHERE action = 'incident.assign' AND result = 'ok' GROUP BY object_id`,
    )
    .all() as { id: string; n: number }[];
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
