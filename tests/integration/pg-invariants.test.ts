/**
 * The invariants on PostgreSQL (issue 19): one engaged incident per unit under concurrency (the unique
 * partial index), the audit log append-only (triggers) and appended in order by concurrent writers (the
 * advisory lock). Real PostgreSQL; a database of its own, dropped after.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { FakeClock } from '@/lib/clock';
import { appendAudit, AUDIT_APPEND_LOCK } from '@/server/audit/audit-append';
import { pgSqlDb, type SqlDb } from '@/server/db/sql-db';
import { createPgClient, createPgPool, migratePg } from '@/server/db/pg/open-pg';
import { pgChainSource, verifyChain } from '@/server/audit/verify-chain';
import { COPY_ORDER } from '@/server/db/pg/migrate-from-sqlite';
import { createTestPgDatabase, pgUnavailable, type TestPgDatabase } from '../helpers/pg';

const unavailable = await pgUnavailable();
if (unavailable) console.warn(`pg-invariants skipped: ${unavailable}`);

/** Connections that race, as separate server processes would (each its own session). */
const CONNECTIONS = 3;
const ATTEMPTS = 100;

describe.skipIf(unavailable !== null)('PostgreSQL invariants', () => {
  let db: TestPgDatabase;
  let clients: pg.Client[] = [];

  beforeAll(async () => {
    db = await createTestPgDatabase();
    const pool = createPgPool(db.url);
    try {
      await migratePg(pool);
    } finally {
      await pool.end();
    }
    clients = Array.from({ length: CONNECTIONS }, () => createPgClient(db.url));
    await Promise.all(clients.map((c) => c.connect()));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await db?.drop();
  });

  it('migrations build exactly the schema module: every table, column, kind, nullability and index', async () => {
    const c = clients[0]!;
    const cols = await c.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const ixs = await c.query<{ tablename: string; indexname: string }>(
      `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const tables = COPY_ORDER.map((t: PgTable) => getTableConfig(t));
    expect(new Set(cols.rows.map((r) => r.table_name))).toEqual(new Set(tables.map((t) => t.name)));
    for (const t of tables) {
      const actual = cols.rows
        .filter((r) => r.table_name === t.name)
        .map((r) => `${r.column_name} ${r.data_type}${r.is_nullable === 'NO' ? ' not null' : ''}`);
      const declared = t.columns.map(
        (col) => `${col.name} ${col.getSQLType()}${col.notNull ? ' not null' : ''}`,
      );
      expect(actual, t.name).toEqual(declared);
      const indexes = ixs.rows.filter((r) => r.tablename === t.name).map((r) => r.indexname);
      for (const ix of t.indexes) expect(indexes, t.name).toContain(ix.config.name);
    }
  });

  const incident = (id: string, state: string, vehicle: string | null) => [
    id,
    'fire_safety',
    `测试 ${id}`,
    120.17,
    30.25,
    2,
    'hotline_12345',
    1,
    1,
    state,
    vehicle ? 'vehicle' : null,
    vehicle,
    1,
  ];
  const INSERT_INCIDENT = `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at,
    received_at, state, assignee_kind, assignee_id, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`;

  /** Runs `attempt(i)` for i < ATTEMPTS spread over the connections, all at once; counts wins and refusals. */
  async function race(attempt: (c: pg.Client, i: number) => Promise<unknown>) {
    const results = await Promise.allSettled(
      Array.from({ length: ATTEMPTS }, (_, i) => attempt(clients[i % CONNECTIONS]!, i)),
    );
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    return {
      won: results.length - refused.length,
      codes: new Set(refused.map((r) => (r.reason as { code?: string }).code)),
      constraints: new Set(refused.map((r) => (r.reason as { constraint?: string }).constraint)),
    };
  }

  it(`${ATTEMPTS} parallel inserts of an engaged incident for one vehicle from ${CONNECTIONS} connections: exactly one wins`, async () => {
    const r = await race((c, i) => c.query(INSERT_INCIDENT, incident(`ins-${i}`, 'dispatched', 'v-ins')));
    expect(r.won).toBe(1);
    expect([...r.codes]).toEqual(['23505']); // unique_violation
    expect([...r.constraints]).toEqual(['incidents_engaged_unit_idx']);
    const engaged = await clients[0]!.query(
      `SELECT count(*)::int AS n FROM incidents WHERE assignee_id = 'v-ins'`,
    );
    expect(engaged.rows[0].n).toBe(1);
  });

  it(`${ATTEMPTS} parallel assignments of accepted incidents to one vehicle: exactly one wins`, async () => {
    for (let i = 0; i < ATTEMPTS; i++)
      await clients[0]!.query(INSERT_INCIDENT, incident(`asg-${i}`, 'accepted', null));
    const r = await race((c, i) =>
      c.query(
        `UPDATE incidents SET state = 'dispatched', assignee_kind = 'vehicle', assignee_id = 'v-asg'
         WHERE id = $1 AND state = 'accepted'`,
        [`asg-${i}`],
      ),
    );
    expect(r.won).toBe(1);
    expect([...r.constraints]).toEqual(['incidents_engaged_unit_idx']);
  });

  it('lets a unit take a new incident once its engaged one is resolved, and departments take many', async () => {
    await clients[0]!.query(`UPDATE incidents SET state = 'resolved' WHERE assignee_id = 'v-ins'`);
    await clients[1]!.query(INSERT_INCIDENT, incident('ins-next', 'dispatched', 'v-ins'));
    for (const id of ['dep-1', 'dep-2'])
      await clients[2]!.query(
        `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at,
          state, assignee_kind, assignee_id, updated_at)
         VALUES ($1, 'other', 't', 0, 0, 3, 'sensor', 1, 1, 'dispatched', 'department', 'd-1', 1)`,
        [id],
      );
    const r = await clients[0]!.query(`SELECT count(*)::int AS n FROM incidents WHERE assignee_id = 'd-1'`);
    expect(r.rows[0].n).toBe(2);
  });

  it('appends from concurrent connections into one chain that verifies', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    // One transaction at a time per pool of one connection (as a server process's would be), racing each other.
    const dbs = Array.from({ length: CONNECTIONS }, () => pgSqlDb(createPgPool(db.url, { max: 1 })));
    const perProcess = async (sqlDb: SqlDb, k: number) => {
      for (let i = k; i < ATTEMPTS; i += CONNECTIONS)
        await sqlDb.transaction((tx) =>
          appendAudit(
            tx,
            {
              actor: `u${k}`,
              role: 'dispatcher',
              clientAddress: '127.0.0.1',
              action: 'incident.assign',
              objectType: 'incident',
              objectId: `asg-${i}`,
              after: { n: i },
              result: 'ok',
            },
            { clock, chain: null },
          ),
        );
    };
    try {
      await Promise.all(dbs.map(perProcess));
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
    const v = await verifyChain(pgChainSource(clients[0]!));
    expect(v).toMatchObject({ ok: true, rows: ATTEMPTS });
    // The writers did interleave: the chain alternates between connections somewhere.
    const actors = await clients[0]!.query<{ actor: string }>('SELECT actor FROM audit_log ORDER BY id');
    const switches = actors.rows.filter((r, i) => i > 0 && r.actor !== actors.rows[i - 1]!.actor).length;
    expect(switches).toBeGreaterThan(0);
  });

  it('refuses a row that does not continue the head (an appender that skipped the lock)', async () => {
    const head = await clients[0]!.query<{ id: number; prev_hash: string }>(
      'SELECT id, prev_hash FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    // A stale writer: it read the head before the last append and links to the row before it.
    await expect(
      clients[1]!.query(
        `INSERT INTO audit_log (at, actor, role, action, object_type, result, prev_hash, hash)
         VALUES (1, 'stale', 'dispatcher', 'x', 'incident', 'ok', $1, $2)`,
        [head.rows[0]!.prev_hash, 'f'.repeat(64)],
      ),
    ).rejects.toMatchObject({ code: '40001' });
    expect(AUDIT_APPEND_LOCK).toBe(123_598_126_145_902); // the key the trigger takes (0001_audit_triggers.sql)
    // The appenders' one-round-trip step (0003_audit_lock_head.sql) takes that key too.
    const fns = await clients[0]!.query<{ name: string; src: string }>(
      `SELECT proname AS name, prosrc AS src FROM pg_proc
       WHERE proname IN ('audit_log_check_append', 'audit_log_lock_head')`,
    );
    expect(fns.rows.map((f) => f.name).sort()).toEqual(['audit_log_check_append', 'audit_log_lock_head']);
    for (const f of fns.rows) expect(f.src, f.name).toContain(`pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the audit log', async () => {
    const c = clients[0]!;
    await expect(c.query(`UPDATE audit_log SET actor = 'mallory' WHERE id = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(c.query('DELETE FROM audit_log WHERE id = 1')).rejects.toThrow(/append-only/);
    await expect(c.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const r = await c.query(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'mallory'`);
    expect(r.rows[0].n).toBe(0);
    expect((await verifyChain(pgChainSource(c))).ok).toBe(true);
  });
});
